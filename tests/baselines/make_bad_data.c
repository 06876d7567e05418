static char help[] = "Writes small semg datasets with one defect each, for the bad-input tests of semg baseline.\n"
                     "Usage: make_bad_data DIR  ->  DIR/{ok,few,zero,nan,mismatch}.h5\n";

#include "core/semg_error.h"
#include "core/semg_dataset.h"

/* ne electrodes at 5 mm on one column, SD channels (or `nc` channels filled by hand when nc >= 0), n examples
   of a smooth propagating pulse; defect: 0 none, 1 example 1 all zero, 2 one NaN in example 2. */
static PetscErrorCode Make(const char *dir, const char *name, PetscInt ne, PetscInt nc_hand, int defect)
{
  SemgDataset *ds;
  char         path[PETSC_MAX_PATH_LEN];
  PetscInt     nc = nc_hand >= 0 ? nc_hand : ne - 1, nt = 100, n = 4;

  PetscFunctionBeginUser;
  PetscCall(SemgDatasetCreate(PETSC_COMM_WORLD, n, ne, nc, nt, 2, &ds));
  ds->fs = 2000;
  for (PetscInt e = 0; e < ne; e++) {
    ds->electrode_xyz[3 * e] = (e - 0.5 * (ne - 1)) * 5e-3, ds->electrode_xyz[3 * e + 1] = 0, ds->electrode_xyz[3 * e + 2] = 0;
    ds->electrode_column[e] = 0;
  }
  if (nc_hand < 0) PetscCall(SemgDatasetSetMontage(ds, SEMG_MONTAGE_SD));
  else { /* an SD channel table that does not cover the electrode table */
    for (PetscInt c = 0; c < nc; c++) {
      ds->channel_electrode[3 * c] = c, ds->channel_electrode[3 * c + 1] = c + 1, ds->channel_electrode[3 * c + 2] = -1;
      ds->channel_weight[3 * c] = 1, ds->channel_weight[3 * c + 1] = -1, ds->channel_weight[3 * c + 2] = 0;
      for (int a = 0; a < 3; a++) ds->channel_centre[3 * c + a] = 0.5 * (ds->electrode_xyz[3 * c + a] + ds->electrode_xyz[3 * (c + 1) + a]);
    }
    ds->montage = SEMG_MONTAGE_SD;
  }
  PetscCall(SemgDatasetSetTheta(ds, 0, "iz", "m"));
  PetscCall(SemgDatasetSetTheta(ds, 1, "cv", "m/s"));
  for (PetscCount s = 0; s < ds->n_local; s++) {
    PetscCount g = ds->start + s;
    for (PetscInt c = 0; c < nc; c++)
      for (PetscInt k = 0; k < nt; k++) {
        PetscReal u                     = (k - 30.0 - 2.0 * PetscAbsReal(c - 0.5 * nc)) / 4.0;
        ds->data[(s * nc + c) * nt + k] = (defect == 1 && g == 1) ? 0.0 : (1 - 2 * u * u) * PetscExpReal(-u * u);
      }
    if (defect == 2 && g == 2) ds->data[(s * nc + 1) * nt + 7] = NAN;
    ds->theta[2 * s] = 0.0, ds->theta[2 * s + 1] = 4.0;
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s.h5", dir, name));
  PetscCall(SemgDatasetWrite(PETSC_COMM_WORLD, path, ds));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCheck(argc >= 2, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "usage: make_bad_data DIR");
  PetscCall(Make(argv[1], "ok", 8, -1, 0));
  PetscCall(Make(argv[1], "few", 3, -1, 0));
  PetscCall(Make(argv[1], "zero", 8, -1, 1));
  PetscCall(Make(argv[1], "nan", 8, -1, 2));
  PetscCall(Make(argv[1], "mismatch", 9, 7, 0));
  PetscCall(PetscFinalize());
  return 0;
}
