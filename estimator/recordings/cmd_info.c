/* semg info: validate a semg dataset and print its summary. */
#include <math.h>
#include <stdio.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "core/semg_dataset.h"
#include "estimator/recordings/commands.h"

/* Range of every truth column over all examples (NaN entries skipped), one "name lo..hi" per column:
   the generator settings of a simulated test set at a glance. */
static PetscErrorCode PrintTruthRanges(MPI_Comm comm, const SemgDataset *ds)
{
  PetscReal *lo, *hi;

  PetscFunctionBeginUser;
  if (!ds->n_theta) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc2(ds->n_theta, &lo, ds->n_theta, &hi));
  for (PetscInt j = 0; j < ds->n_theta; j++) {
    lo[j] = INFINITY, hi[j] = -INFINITY; /* IEEE infinities: inf columns (no interference) are values too */
    for (PetscCount i = 0; i < ds->n_local; i++) {
      const PetscReal v = ds->theta[(size_t)i * ds->n_theta + j];
      if (!PetscIsNanReal(v)) lo[j] = PetscMin(lo[j], v), hi[j] = PetscMax(hi[j], v);
    }
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, lo, (PetscMPIInt)ds->n_theta, MPIU_REAL, MPI_MIN, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, hi, (PetscMPIInt)ds->n_theta, MPIU_REAL, MPI_MAX, comm));
  PetscCall(PetscPrintf(comm, "truth ranges:"));
  for (PetscInt j = 0; j < ds->n_theta; j++) {
    char item[96]; /* C printf: PETSc's would print integers as "1." */
    if (lo[j] > hi[j]) snprintf(item, sizeof(item), " %s n/a", ds->theta_names[j]);
    else if (lo[j] == hi[j]) snprintf(item, sizeof(item), " %s %g", ds->theta_names[j], (double)lo[j]);
    else snprintf(item, sizeof(item), " %s %g..%g", ds->theta_names[j], (double)lo[j], (double)hi[j]);
    PetscCall(PetscPrintf(comm, "%s", item));
  }
  PetscCall(PetscPrintf(comm, "\n"));
  PetscCall(PetscFree2(lo, hi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdInfo(MPI_Comm comm)
{
  char         data[PETSC_MAX_PATH_LEN] = "";
  PetscBool    set_d;
  SemgDataset *ds;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "semg info: validate a dataset and print its summary", "semg");
  PetscCall(PetscOptionsString("-data", "dataset (.h5)", "", data, data, sizeof(data), &set_d));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRequire(comm, "-data", set_d));
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgDatasetRead(comm, data, &ds));
  PetscCall(PetscPrintf(comm, "%s: %lld examples x %" PetscInt_FMT " %s channels x %" PetscInt_FMT " times, fs %g Hz, %" PetscInt_FMT " electrodes, units %s\n", data,
                        (long long)ds->n_examples, ds->n_channels, SemgMontages[ds->montage], ds->n_times, (double)ds->fs, ds->n_electrodes, ds->units));
  PetscCall(PetscPrintf(comm, "ground truth:"));
  for (PetscInt j = 0; j < ds->n_theta; j++) PetscCall(PetscPrintf(comm, " %s[%s]", ds->theta_names[j], ds->theta_units[j]));
  PetscCall(PetscPrintf(comm, "%s\n", ds->n_theta ? "" : " none"));
  PetscCall(PrintTruthRanges(comm, ds));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}
