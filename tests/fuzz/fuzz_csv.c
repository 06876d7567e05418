/* libFuzzer target: the CSV readers (tables with and without empty fields, electrode and fibre
   tables; signals, truth and events files are read by the same table reader). */
#include "tests/fuzz/fuzz_common.h"
#include "core/semg_csv.h"
#include "sim/fibres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  SemgCSVTable tab;
  PetscInt     n, *column = NULL, idx;
  PetscReal   *xyz = NULL;
  SemgFibre   *fib = NULL;

  FuzzSetUp(".csv");
  FuzzWriteFile(data, size);
  if (!SemgCSVRead(PETSC_COMM_WORLD, "-signals", fuzz_path, &tab)) {
    (void)SemgCSVColumn(PETSC_COMM_WORLD, &tab, "sample", PETSC_FALSE, &idx);
    SemgCSVTableFree(&tab);
  }
  if (!SemgCSVReadAllowEmpty(PETSC_COMM_WORLD, "-truth", fuzz_path, &tab)) SemgCSVTableFree(&tab);
  if (!SemgElectrodesReadCSV(PETSC_COMM_WORLD, "-electrodes", fuzz_path, &n, &xyz, &column)) {
    PetscFree(xyz);
    PetscFree(column);
  }
  if (!SemgFibresReadCSV(PETSC_COMM_WORLD, "-fibres", fuzz_path, &n, &fib)) PetscFree(fib);
  return 0;
}
