/* Ground truth of simulated continuous recordings (see recording.h). */
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "sim/recording.h"

const char *const SemgUnitColumnNames[] = {"unit", "threshold", "rate_hz", "iz", "y", "depth", "cv", "n_fibres", "radius", "n_firings", "ptp"};

PetscErrorCode SemgRecordingTruthWrite(void *h5file, void *ctx)
{
  SemgH5File               *f = (SemgH5File *)h5file;
  const SemgRecordingTruth *t = (const SemgRecordingTruth *)ctx;
  hid_t                     gt;
  hsize_t                   du[2] = {(hsize_t)t->n_units, SEMG_UNIT_COUNT}, df[2] = {(hsize_t)t->n_firings, 2};
  hsize_t                   dm[3]      = {(hsize_t)t->n_units, (hsize_t)t->n_channels, (hsize_t)t->n_muap};
  char                      names[512] = "";

  PetscFunctionBeginUser;
  for (int j = 0; j < SEMG_UNIT_COUNT; j++) {
    PetscCall(PetscStrlcat(names, SemgUnitColumnNames[j], sizeof(names)));
    if (j + 1 < SEMG_UNIT_COUNT) PetscCall(PetscStrlcat(names, ",", sizeof(names)));
  }
  SemgCallH5Id(gt, H5Gopen2(f->file, "/ground_truth", H5P_DEFAULT));
  PetscCall(SemgH5WriteAttrDouble(gt, "excitation", t->excitation));
  PetscCall(SemgH5WriteSmall(f, gt, "units", 2, du, H5T_NATIVE_DOUBLE, t->units, "see column_names"));
  {
    hid_t d;
    SemgCallH5Id(d, H5Dopen2(gt, "units", H5P_DEFAULT));
    PetscCall(SemgH5WriteAttrString(d, "column_names", names));
    SemgCallH5(H5Dclose(d));
  }
  PetscCall(SemgH5WriteSmall(f, gt, "firings", 2, df, H5T_NATIVE_DOUBLE, t->firings, "row of units, s"));
  PetscCall(SemgH5WriteSmall(f, gt, "muap", 3, dm, H5T_NATIVE_DOUBLE, t->muap, "as /emg/data"));
  SemgCallH5(H5Gclose(gt));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgRecordingTruthRead(MPI_Comm comm, const char path[], SemgRecordingTruth **truth)
{
  SemgH5File          f;
  SemgRecordingTruth *t;
  hid_t               root;
  int                 nd;
  hsize_t             du[2], df[2], dm[3];
  double              fs;
  PetscBool           found;

  PetscFunctionBeginUser;
  *truth = NULL;
  PetscCall(SemgH5Open(comm, "-data", path, &f));
  SemgCallH5Id(root, H5Gopen2(f.file, "/", H5P_DEFAULT));
  PetscCall(SemgH5DatasetShape(root, "ground_truth/units", &nd, du, 2));
  if (nd == 2) {
    PetscCall(SemgH5DatasetShape(root, "ground_truth/firings", &nd, df, 2));
    PetscCheck(nd == 2 && df[1] == 2, comm, SEMG_ERR_USER, "-data '%s': /ground_truth/units without /ground_truth/firings [n, 2]", path);
    PetscCall(SemgH5DatasetShape(root, "ground_truth/muap", &nd, dm, 3));
    PetscCheck(nd == 3 && dm[0] == du[0] && du[1] == SEMG_UNIT_COUNT, comm, SEMG_ERR_USER, "-data '%s': /ground_truth/units and /ground_truth/muap do not match", path);
    PetscCall(PetscNew(&t));
    t->n_units = (PetscInt)du[0], t->n_firings = (PetscInt)df[0], t->n_channels = (PetscInt)dm[1], t->n_muap = (PetscInt)dm[2];
    PetscCall(PetscMalloc3((size_t)t->n_units * SEMG_UNIT_COUNT, &t->units, 2 * (size_t)t->n_firings + 1, &t->firings, (size_t)t->n_units * t->n_channels * t->n_muap, &t->muap));
    PetscCall(SemgH5ReadRows(&f, root, "ground_truth/units", 0, du[0], t->units));
    PetscCall(SemgH5ReadRows(&f, root, "ground_truth/firings", 0, df[0], t->firings));
    PetscCall(SemgH5ReadRows(&f, root, "ground_truth/muap", 0, dm[0], t->muap));
    {
      hid_t emg, gt;
      SemgCallH5Id(emg, H5Gopen2(f.file, "/emg", H5P_DEFAULT));
      PetscCall(SemgH5ReadAttrDouble(emg, "SamplingFrequency", &fs, &found));
      t->fs = fs;
      SemgCallH5(H5Gclose(emg));
      SemgCallH5Id(gt, H5Gopen2(f.file, "/ground_truth", H5P_DEFAULT));
      PetscCall(SemgH5ReadAttrDouble(gt, "excitation", &fs, &found));
      t->excitation = found ? fs : NAN;
      SemgCallH5(H5Gclose(gt));
    }
    *truth = t;
  }
  SemgCallH5(H5Gclose(root));
  PetscCall(SemgH5Close(comm, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgRecordingTruthDestroy(SemgRecordingTruth **truth)
{
  PetscFunctionBeginUser;
  if (!*truth) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree3((*truth)->units, (*truth)->firings, (*truth)->muap));
  PetscCall(PetscFree(*truth));
  PetscFunctionReturn(PETSC_SUCCESS);
}
