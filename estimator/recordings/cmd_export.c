/* semg export: a semg dataset to CSV (signals, optional truth and electrodes; rank 0 writes). */
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "core/semg_dataset.h"
#include "estimator/recordings/commands.h"

/* Rank 0 writes the CSV files of an export (truth and electrodes optional: NULL). */
static PetscErrorCode ExportRank0(const SemgDataset *ds, const char out[], const char truth[], const char electrodes[])
{
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(SemgCSVOpen(out, &fp));
  fprintf(fp, "sample,time_s");
  for (PetscInt c = 0; c < ds->n_channels; c++) fprintf(fp, ",C%" PetscInt_FMT, c + 1);
  fprintf(fp, "\n");
  for (PetscCount i = 0; i < ds->n_examples; i++)
    for (PetscInt k = 0; k < ds->n_times; k++) {
      fprintf(fp, "%lld,%.17g", (long long)i, (double)k / ds->fs);
      for (PetscInt c = 0; c < ds->n_channels; c++) fprintf(fp, ",%.17g", (double)ds->data[((size_t)i * ds->n_channels + c) * ds->n_times + k]);
      fprintf(fp, "\n");
    }
  PetscCall(SemgCSVClose(out, &fp));
  if (truth) {
    PetscCall(SemgCSVOpen(truth, &fp));
    fprintf(fp, "sample");
    for (PetscInt j = 0; j < ds->n_theta; j++) {
      if (!strcmp(ds->theta_names[j], "iz")) fprintf(fp, ",iz_m");
      else if (!strcmp(ds->theta_names[j], "cv")) fprintf(fp, ",cv_mps");
      else fprintf(fp, ",%s", ds->theta_names[j]);
    }
    fprintf(fp, "\n");
    for (PetscCount i = 0; i < ds->n_examples; i++) {
      fprintf(fp, "%lld", (long long)i);
      for (PetscInt j = 0; j < ds->n_theta; j++) {
        const PetscReal v = ds->theta[(size_t)i * ds->n_theta + j];
        if (PetscIsNanReal(v)) fprintf(fp, ",");
        else fprintf(fp, ",%.17g", (double)v);
      }
      fprintf(fp, "\n");
    }
    PetscCall(SemgCSVClose(truth, &fp));
  }
  if (electrodes) {
    PetscCall(SemgCSVOpen(electrodes, &fp));
    fprintf(fp, "x,y,z,column\n");
    for (PetscInt e = 0; e < ds->n_electrodes; e++)
      fprintf(fp, "%.17g,%.17g,%.17g,%" PetscInt_FMT "\n", (double)ds->electrode_xyz[3 * e], (double)ds->electrode_xyz[3 * e + 1], (double)ds->electrode_xyz[3 * e + 2], ds->electrode_column[e]);
    PetscCall(SemgCSVClose(electrodes, &fp));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdExport(MPI_Comm comm)
{
  char           data[PETSC_MAX_PATH_LEN] = "", out[PETSC_MAX_PATH_LEN] = "", truth[PETSC_MAX_PATH_LEN] = "", electrodes[PETSC_MAX_PATH_LEN] = "";
  PetscBool      set_d, set_o, set_t, set_e;
  SemgDataset   *ds;
  PetscMPIInt    rank;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "semg export: semg dataset to CSV (the import format)", "semg");
  PetscCall(PetscOptionsString("-data", "input dataset (.h5)", "", data, data, sizeof(data), &set_d));
  PetscCall(PetscOptionsString("-output", "signals CSV: sample,time_s,<one column per channel>", "", out, out, sizeof(out), &set_o));
  PetscCall(PetscOptionsString("-truth", "optional ground-truth CSV: sample,<theta columns>", "", truth, truth, sizeof(truth), &set_t));
  PetscCall(PetscOptionsString("-electrodes", "optional electrode CSV: x,y,z,column", "", electrodes, electrodes, sizeof(electrodes), &set_e));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRequire(comm, "-data", set_d));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckOutputPath(comm, "-output", out));
  if (set_t) PetscCall(SemgCheckOutputPath(comm, "-truth", truth));
  if (set_e) PetscCall(SemgCheckOutputPath(comm, "-electrodes", electrodes));
  PetscCall(SemgDatasetReadAll(comm, data, &ds));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  ierr = rank ? PETSC_SUCCESS : ExportRank0(ds, out, set_t ? truth : NULL, set_e ? electrodes : NULL);
  PetscCall(SemgShareError(comm, ierr));
  PetscCall(PetscPrintf(comm, "semg export: %lld samples x %" PetscInt_FMT " channels x %" PetscInt_FMT " times -> %s\n", (long long)ds->n_examples, ds->n_channels, ds->n_times, out));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}
