/* semg info: validate a semg dataset and print its summary. */
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "core/semg_dataset.h"
#include "estimator/recordings/commands.h"

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
  PetscCall(PetscPrintf(comm, "%s: %lld examples x %" PetscInt_FMT " %s channels x %" PetscInt_FMT " times, fs %g Hz, %" PetscInt_FMT " electrodes, units %s\n", data, (long long)ds->n_examples, ds->n_channels,
                        SemgMontages[ds->montage], ds->n_times, (double)ds->fs, ds->n_electrodes, ds->units));
  PetscCall(PetscPrintf(comm, "ground truth:"));
  for (PetscInt j = 0; j < ds->n_theta; j++) PetscCall(PetscPrintf(comm, " %s[%s]", ds->theta_names[j], ds->theta_units[j]));
  PetscCall(PetscPrintf(comm, "%s\n", ds->n_theta ? "" : " none"));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}
