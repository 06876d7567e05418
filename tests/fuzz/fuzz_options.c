/* libFuzzer target: the options-file reader (PETSc's YAML and plain-text options files, as
   -options_file reads them) followed by semg's strict value parsers on every value it yields. */
#include <string.h>
#include "tests/fuzz/fuzz_common.h"
#include "core/semg_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  PetscOptions opts;
  char         msg[600];

  FuzzSetUp(size && data[0] == '#' ? ".txt" : ".yaml");
  FuzzWriteFile(data, size);
  if (PetscOptionsCreate(&opts)) abort();
  if (!PetscOptionsInsertFile(PETSC_COMM_WORLD, opts, fuzz_path, PETSC_TRUE)) {
    PetscInt n;
    char   **names, **values;
    if (!PetscOptionsLeftGet(opts, &n, &names, &values)) {
      for (PetscInt i = 0; i < n; i++) {
        PetscInt  iv;
        PetscReal rv;
        (void)SemgParseInt(names[i], values[i], PETSC_MIN_INT, PETSC_MAX_INT, &iv, msg, sizeof(msg));
        (void)SemgParseReal(names[i], values[i], &rv, msg, sizeof(msg));
      }
      PetscOptionsLeftRestore(opts, &n, &names, &values);
    }
  }
  PetscOptionsDestroy(&opts);
  return 0;
}
