/* libFuzzer target: the HDF5 dataset reader (semg simulate/import output) and the estimator result
   reader, on arbitrary bytes (seeds: small valid files). */
#include "tests/fuzz/fuzz_common.h"
#include "core/semg_dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  SemgDataset *ds = NULL;

  FuzzSetUp(".h5");
  FuzzWriteFile(data, size);
  if (!SemgDatasetReadAll(PETSC_COMM_WORLD, fuzz_path, &ds)) SemgDatasetDestroy(&ds);
  return 0;
}
