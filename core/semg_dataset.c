#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_dataset.h"
#include "core/semg_h5.h"

const char *const SemgMontages[] = {"mono", "sd", "dd", "SemgMontage", "SEMG_MONTAGE_", NULL};

/* On-disk rows of the electrode and channel tables (compound types, docs/data-format.md). */
typedef struct {
  char   name[16];
  double x, y, z, diameter;
  int    column;
} ElectrodeRow;

typedef struct {
  char   name[16];
  char   derivation[8];
  int    electrode[3];
  double weight[3];
  double centre[3];
} ChannelRow;

static PetscErrorCode ElectrodeType(hid_t *t)
{
  hid_t s16;

  PetscFunctionBeginUser;
  SemgCallH5Id(s16, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(s16, 16));
  SemgCallH5Id(*t, H5Tcreate(H5T_COMPOUND, sizeof(ElectrodeRow)));
  SemgCallH5(H5Tinsert(*t, "name", HOFFSET(ElectrodeRow, name), s16));
  SemgCallH5(H5Tinsert(*t, "x", HOFFSET(ElectrodeRow, x), H5T_NATIVE_DOUBLE));
  SemgCallH5(H5Tinsert(*t, "y", HOFFSET(ElectrodeRow, y), H5T_NATIVE_DOUBLE));
  SemgCallH5(H5Tinsert(*t, "z", HOFFSET(ElectrodeRow, z), H5T_NATIVE_DOUBLE));
  SemgCallH5(H5Tinsert(*t, "diameter", HOFFSET(ElectrodeRow, diameter), H5T_NATIVE_DOUBLE));
  SemgCallH5(H5Tinsert(*t, "column", HOFFSET(ElectrodeRow, column), H5T_NATIVE_INT));
  SemgCallH5(H5Tclose(s16));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ChannelType(hid_t *t)
{
  hid_t   s16, s8, i3, d3;
  hsize_t three = 3;

  PetscFunctionBeginUser;
  SemgCallH5Id(s16, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(s16, 16));
  SemgCallH5Id(s8, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(s8, 8));
  SemgCallH5Id(i3, H5Tarray_create2(H5T_NATIVE_INT, 1, &three));
  SemgCallH5Id(d3, H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &three));
  SemgCallH5Id(*t, H5Tcreate(H5T_COMPOUND, sizeof(ChannelRow)));
  SemgCallH5(H5Tinsert(*t, "name", HOFFSET(ChannelRow, name), s16));
  SemgCallH5(H5Tinsert(*t, "derivation", HOFFSET(ChannelRow, derivation), s8));
  SemgCallH5(H5Tinsert(*t, "electrode", HOFFSET(ChannelRow, electrode), i3));
  SemgCallH5(H5Tinsert(*t, "weight", HOFFSET(ChannelRow, weight), d3));
  SemgCallH5(H5Tinsert(*t, "centre", HOFFSET(ChannelRow, centre), d3));
  SemgCallH5(H5Tclose(s16));
  SemgCallH5(H5Tclose(s8));
  SemgCallH5(H5Tclose(i3));
  SemgCallH5(H5Tclose(d3));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPartition(MPI_Comm comm, PetscCount n, PetscCount *start, PetscCount *n_local)
{
  PetscMPIInt size, rank;
  PetscCount  base, extra;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  base     = n / size;
  extra    = n % size;
  *n_local = base + (rank < extra ? 1 : 0);
  *start   = rank * base + PetscMin((PetscCount)rank, extra);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode DatasetAllocTables(SemgDataset *d)
{
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc3(3 * (size_t)d->n_electrodes, &d->electrode_xyz, d->n_electrodes, &d->electrode_diameter, d->n_electrodes, &d->electrode_column));
  PetscCall(PetscCalloc3(3 * (size_t)d->n_channels, &d->channel_electrode, 3 * (size_t)d->n_channels, &d->channel_weight, 3 * (size_t)d->n_channels, &d->channel_centre));
  PetscCall(PetscCalloc2(PetscMax(d->n_theta, 1), &d->theta_names, PetscMax(d->n_theta, 1), &d->theta_units));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode DatasetAllocLocal(SemgDataset *d)
{
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1((size_t)d->n_local * d->n_channels * d->n_times + 1, &d->data));
  PetscCall(PetscMalloc1((size_t)d->n_local * d->n_theta + 1, &d->theta));
  for (size_t i = 0; i < (size_t)d->n_local * d->n_theta; i++) d->theta[i] = NAN;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDatasetCreate(MPI_Comm comm, PetscCount n_examples, PetscInt n_electrodes, PetscInt n_channels, PetscInt n_times, PetscInt n_theta, SemgDataset **ds)
{
  SemgDataset *d;

  PetscFunctionBeginUser;
  PetscCheck(n_examples >= 0 && n_electrodes > 0 && n_channels > 0 && n_times > 0 && n_theta >= 0, comm, SEMG_ERR_USER, "dataset shape must be positive (examples %lld, electrodes %" PetscInt_FMT ", channels %" PetscInt_FMT ", times %" PetscInt_FMT ")", (long long)n_examples, n_electrodes, n_channels, n_times);
  PetscCall(PetscNew(&d));
  d->n_examples   = n_examples;
  d->n_electrodes = n_electrodes;
  d->n_channels   = n_channels;
  d->n_times      = n_times;
  d->n_theta      = n_theta;
  d->fs           = 1.0;
  d->montage      = SEMG_MONTAGE_MONO;
  PetscCall(PetscStrncpy(d->units, "a.u.", sizeof(d->units)));
  PetscCall(PetscStrncpy(d->recording_type, "epoched", sizeof(d->recording_type)));
  PetscCall(DatasetAllocTables(d));
  PetscCall(SemgPartition(comm, n_examples, &d->start, &d->n_local));
  PetscCall(DatasetAllocLocal(d));
  *ds = d;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Channels are formed within each electrode column, in electrode order. */
PetscErrorCode SemgDatasetSetMontage(SemgDataset *d, SemgMontage montage)
{
  static const PetscReal w[3][3] = {
    {1, 0,  0},
    {1, -1, 0},
    {1, -2, 1}
  };
  const PetscInt span = (PetscInt)montage + 1;
  PetscInt       c    = 0;

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e + span - 1 < d->n_electrodes; e++) {
    PetscBool same = PETSC_TRUE;
    for (PetscInt j = 1; j < span; j++) same = (PetscBool)(same && d->electrode_column[e + j] == d->electrode_column[e]);
    if (!same) continue;
    PetscCheck(c < d->n_channels, PETSC_COMM_SELF, SEMG_ERR_USER, "montage %s gives more channels than the %" PetscInt_FMT " allocated", SemgMontages[montage], d->n_channels);
    for (PetscInt j = 0; j < 3; j++) {
      d->channel_electrode[3 * c + j] = j < span ? e + j : -1;
      d->channel_weight[3 * c + j]    = w[montage][j];
      d->channel_centre[3 * c + j]    = 0;
    }
    /* centre: SD between its two electrodes, DD at the middle one */
    for (PetscInt a = 0; a < 3; a++) {
      if (montage == SEMG_MONTAGE_SD) d->channel_centre[3 * c + a] = 0.5 * (d->electrode_xyz[3 * e + a] + d->electrode_xyz[3 * (e + 1) + a]);
      else d->channel_centre[3 * c + a] = d->electrode_xyz[3 * (e + (montage == SEMG_MONTAGE_DD ? 1 : 0)) + a];
    }
    c++;
  }
  PetscCheck(c == d->n_channels, PETSC_COMM_SELF, SEMG_ERR_USER, "montage %s on %" PetscInt_FMT " electrodes gives %" PetscInt_FMT " channels, dataset has %" PetscInt_FMT, SemgMontages[montage], d->n_electrodes, c, d->n_channels);
  d->montage = montage;
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SemgDatasetApplyChannels(const SemgDataset *d, const PetscReal *mono, PetscReal *out)
{
  const PetscInt nt = d->n_times;

  for (PetscInt c = 0; c < d->n_channels; c++) {
    PetscReal *o = &out[(size_t)c * nt];
    for (PetscInt k = 0; k < nt; k++) o[k] = 0.0;
    for (int j = 0; j < 3; j++) {
      const PetscInt  e = d->channel_electrode[3 * c + j];
      const PetscReal w = d->channel_weight[3 * c + j];
      if (e < 0) continue;
      for (PetscInt k = 0; k < nt; k++) o[k] += w * mono[(size_t)e * nt + k];
    }
  }
}

PetscInt SemgMontageChannelCount(SemgMontage m, PetscInt ne, const PetscInt *column)
{
  PetscInt c = 0, span = (PetscInt)m + 1;
  for (PetscInt e = 0; e + span - 1 < ne; e++)
    if (column[e + span - 1] == column[e]) c++;
  return c;
}

PetscErrorCode SemgDatasetSetTheta(SemgDataset *d, PetscInt j, const char *name, const char *units)
{
  PetscFunctionBeginUser;
  PetscCheck(j >= 0 && j < d->n_theta, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "theta index %" PetscInt_FMT " of %" PetscInt_FMT, j, d->n_theta);
  PetscCall(PetscStrncpy(d->theta_names[j], name, SEMG_NAME_LEN));
  PetscCall(PetscStrncpy(d->theta_units[j], units, SEMG_NAME_LEN));
  d->has_truth = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDatasetThetaIndex(const SemgDataset *d, const char *name, PetscInt *j)
{
  PetscFunctionBeginUser;
  *j = -1;
  for (PetscInt i = 0; i < d->n_theta; i++)
    if (!strcmp(d->theta_names[i], name)) *j = i;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteTables(SemgH5File *f, hid_t emg, const SemgDataset *d)
{
  ElectrodeRow *er;
  ChannelRow   *cr;
  hid_t         te, tc;
  hsize_t       ne = (hsize_t)d->n_electrodes, nc = (hsize_t)d->n_channels;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(ne, &er, nc, &cr));
  for (PetscInt e = 0; e < d->n_electrodes; e++) {
    PetscCall(PetscSNPrintf(er[e].name, sizeof(er[e].name), "E%" PetscInt_FMT, e + 1));
    er[e].x = d->electrode_xyz[3 * e], er[e].y = d->electrode_xyz[3 * e + 1], er[e].z = d->electrode_xyz[3 * e + 2];
    er[e].diameter = d->electrode_diameter[e];
    er[e].column   = (int)d->electrode_column[e];
  }
  for (PetscInt c = 0; c < d->n_channels; c++) {
    PetscCall(PetscSNPrintf(cr[c].name, sizeof(cr[c].name), "%s%" PetscInt_FMT, d->montage == SEMG_MONTAGE_MONO ? "M" : (d->montage == SEMG_MONTAGE_SD ? "SD" : "DD"), c + 1));
    PetscCall(PetscStrncpy(cr[c].derivation, SemgMontages[d->montage], sizeof(cr[c].derivation)));
    for (int j = 0; j < 3; j++) {
      cr[c].electrode[j] = (int)d->channel_electrode[3 * c + j];
      cr[c].weight[j]    = d->channel_weight[3 * c + j];
      cr[c].centre[j]    = d->channel_centre[3 * c + j];
    }
  }
  PetscCall(ElectrodeType(&te));
  PetscCall(ChannelType(&tc));
  PetscCall(SemgH5WriteSmall(f, emg, "electrodes", 1, &ne, te, er, "m"));
  PetscCall(SemgH5WriteSmall(f, emg, "channels", 1, &nc, tc, cr, "m"));
  SemgCallH5(H5Tclose(te));
  SemgCallH5(H5Tclose(tc));
  PetscCall(PetscFree2(er, cr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteGroundTruth(SemgH5File *f, const SemgDataset *d)
{
  hid_t   gt, dset, s32;
  hsize_t dims[2] = {(hsize_t)d->n_examples, (hsize_t)d->n_theta}, k = (hsize_t)d->n_theta;

  PetscFunctionBeginUser;
  SemgCallH5Id(gt, H5Gcreate2(f->file, "/ground_truth", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  SemgCallH5Id(s32, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(s32, SEMG_NAME_LEN));
  PetscCall(SemgH5WriteSmall(f, gt, "theta_names", 1, &k, s32, d->theta_names, NULL));
  PetscCall(SemgH5WriteSmall(f, gt, "theta_units", 1, &k, s32, d->theta_units, NULL));
  PetscCall(SemgH5CreateRows(gt, "theta", 2, dims, "see theta_units", &dset));
  PetscCall(SemgH5WriteRows(f, dset, (hsize_t)d->start, (hsize_t)d->n_local, d->theta));
  SemgCallH5(H5Dclose(dset));
  if (d->n_template_fibres > 0) {
    hsize_t tdims[2] = {(hsize_t)d->n_template_fibres, 8};
    PetscCall(SemgH5WriteSmall(f, gt, "template_fibres", 2, tdims, H5T_NATIVE_DOUBLE, d->template_fibres, "m, m, m, m, m, m/s, rad, rad"));
  }
  SemgCallH5(H5Tclose(s32));
  SemgCallH5(H5Gclose(gt));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteContents(MPI_Comm comm, SemgH5File *f, const SemgDataset *d)
{
  hid_t   emg, dset, root;
  hsize_t dims[3] = {(hsize_t)d->n_examples, (hsize_t)d->n_channels, (hsize_t)d->n_times};

  PetscFunctionBeginUser;
  SemgCallH5Id(root, H5Gopen2(f->file, "/", H5P_DEFAULT));
  PetscCall(SemgH5WriteAttrString(root, "schema_name", SEMG_SCHEMA_NAME));
  PetscCall(SemgH5WriteAttrInt(root, "schema_version", SEMG_SCHEMA_VERSION));
  PetscCall(SemgH5WriteProvenance(comm, f, root));
  SemgCallH5(H5Gclose(root));
  SemgCallH5Id(emg, H5Gcreate2(f->file, "/emg", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  PetscCall(SemgH5WriteAttrDouble(emg, "SamplingFrequency", d->fs));
  PetscCall(SemgH5WriteAttrString(emg, "PowerLineFrequency", "n/a"));
  PetscCall(SemgH5WriteAttrString(emg, "RecordingType", d->recording_type));
  PetscCall(SemgH5WriteAttrString(emg, "Montage", SemgMontages[d->montage]));
  PetscCall(SemgH5WriteAttrInt(emg, "EMGChannelCount", d->n_channels));
  PetscCall(SemgH5WriteAttrString(emg, "EMGReference", d->montage == SEMG_MONTAGE_MONO ? "model reference at infinity" : "differential"));
  PetscCall(SemgH5WriteAttrDouble(emg, "RecordingDuration", (double)d->n_times / d->fs));
  PetscCall(WriteTables(f, emg, d));
  PetscCall(SemgH5CreateRows(emg, "data", 3, dims, d->units, &dset));
  PetscCall(SemgH5WriteRows(f, dset, (hsize_t)d->start, (hsize_t)d->n_local, d->data));
  SemgCallH5(H5Dclose(dset));
  SemgCallH5(H5Gclose(emg));
  PetscCall(WriteGroundTruth(f, d));
  if (d->model_config) {
    hid_t prov;
    SemgCallH5Id(prov, H5Gopen2(f->file, "/provenance", H5P_DEFAULT));
    PetscCall(SemgH5WriteText(f, prov, "model_config", d->model_config));
    SemgCallH5(H5Gclose(prov));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDatasetWrite(MPI_Comm comm, const char *path, const SemgDataset *d)
{
  PetscFunctionBeginUser;
  PetscCall(SemgDatasetWriteWith(comm, path, d, NULL, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDatasetWriteWith(MPI_Comm comm, const char *path, const SemgDataset *d, SemgDatasetExtraWriter extra, void *ctx)
{
  SemgH5File     f;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(SemgH5CreateAtomic(comm, path, &f));
  ierr = WriteContents(comm, &f, d);
  if (!ierr && extra) ierr = extra(&f, ctx);
  if (ierr) {
    PetscCall(SemgH5Abandon(comm, &f));
    PetscCall(ierr);
  }
  PetscCall(SemgH5Close(comm, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------------------------------------------------------- reading */

static PetscErrorCode ReadHeader(MPI_Comm comm, SemgH5File *f, const char *path, SemgDataset *d)
{
  char      name[64], montage[16];
  long long version;
  PetscBool found;
  hsize_t   dims[4];
  int       nd;
  hid_t     emg;

  PetscFunctionBeginUser;
  PetscCall(SemgH5ReadAttrString(f->file, "schema_name", name, sizeof(name), &found));
  PetscCheck(found && !strcmp(name, SEMG_SCHEMA_NAME), comm, SEMG_ERR_USER, "'%s' is not a semg dataset (schema_name '%s')", path, found ? name : "missing");
  PetscCall(SemgH5ReadAttrInt(f->file, "schema_version", &version, &found));
  PetscCheck(found && version >= 1 && version <= SEMG_SCHEMA_VERSION, comm, SEMG_ERR_USER, "'%s': schema_version %lld not supported (this semg reads 1..%d)", path, found ? version : -1LL, SEMG_SCHEMA_VERSION);
  PetscCheck(H5Lexists(f->file, "/emg", H5P_DEFAULT) > 0, comm, SEMG_ERR_USER, "'%s': group /emg is missing", path);
  SemgCallH5Id(emg, H5Gopen2(f->file, "/emg", H5P_DEFAULT));
  PetscCall(SemgH5ReadAttrDouble(emg, "SamplingFrequency", &d->fs, &found));
  PetscCheck(found && d->fs > 0 && PetscIsNormalReal(d->fs), comm, SEMG_ERR_USER, "'%s': /emg SamplingFrequency missing or not > 0", path);
  PetscCall(SemgH5ReadAttrString(emg, "Montage", montage, sizeof(montage), &found));
  d->montage = SEMG_MONTAGE_MONO;
  for (int m = 0; m < 3; m++)
    if (found && !strcmp(montage, SemgMontages[m])) d->montage = (SemgMontage)m;
  PetscCall(SemgH5ReadAttrString(emg, "RecordingType", d->recording_type, sizeof(d->recording_type), &found));
  PetscCall(SemgH5DatasetShape(emg, "data", &nd, dims, 3));
  PetscCheck(nd == 3, comm, SEMG_ERR_USER, "'%s': /emg/data must have 3 axes (examples x channels x times), found %d", path, nd);
  d->n_examples = (PetscCount)dims[0];
  d->n_channels = (PetscInt)dims[1];
  d->n_times    = (PetscInt)dims[2];
  PetscCheck(d->n_channels > 0 && d->n_times > 0, comm, SEMG_ERR_USER, "'%s': /emg/data has an empty axis", path);
  {
    hid_t dset;
    SemgCallH5Id(dset, H5Dopen2(emg, "data", H5P_DEFAULT));
    PetscCall(SemgH5ReadAttrString(dset, "units", d->units, sizeof(d->units), &found));
    PetscCheck(found, comm, SEMG_ERR_USER, "'%s': /emg/data has no units attribute", path);
    PetscCheck(!strcmp(d->units, "V") || !strcmp(d->units, "a.u.") || !strcmp(d->units, "uV"), comm, SEMG_ERR_USER, "'%s': /emg/data units '%s' not one of V, uV, a.u.", path, d->units);
    SemgCallH5(H5Dclose(dset));
  }
  PetscCall(SemgH5DatasetShape(emg, "electrodes", &nd, dims, 1));
  PetscCheck(nd == 1 && dims[0] > 0, comm, SEMG_ERR_USER, "'%s': /emg/electrodes table missing or empty", path);
  d->n_electrodes = (PetscInt)dims[0];
  PetscCall(SemgH5DatasetShape(emg, "channels", &nd, dims, 1));
  PetscCheck(nd == 1 && (PetscInt)dims[0] == d->n_channels, comm, SEMG_ERR_USER, "'%s': /emg/channels has %lld rows but /emg/data has %" PetscInt_FMT " channels", path, nd == 1 ? (long long)dims[0] : -1LL, d->n_channels);
  SemgCallH5(H5Gclose(emg));
  PetscCall(SemgH5DatasetShape(f->file, "/ground_truth/theta", &nd, dims, 2));
  d->n_theta = 0;
  if (nd == 2) {
    PetscCheck((PetscCount)dims[0] == d->n_examples, comm, SEMG_ERR_USER, "'%s': /ground_truth/theta has %lld rows, /emg/data %lld examples", path, (long long)dims[0],
               (long long)d->n_examples);
    d->n_theta = (PetscInt)dims[1];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadTables(MPI_Comm comm, SemgH5File *f, const char *path, SemgDataset *d)
{
  ElectrodeRow *er;
  ChannelRow   *cr;
  hid_t         te, tc, dset;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(d->n_electrodes, &er, d->n_channels, &cr));
  PetscCall(ElectrodeType(&te));
  PetscCall(ChannelType(&tc));
  SemgCallH5Id(dset, H5Dopen2(f->file, "/emg/electrodes", H5P_DEFAULT));
  PetscCheck(H5Dread(dset, te, H5S_ALL, H5S_ALL, H5P_DEFAULT, er) >= 0, comm, SEMG_ERR_USER, "'%s': /emg/electrodes has the wrong row layout", path);
  SemgCallH5(H5Dclose(dset));
  SemgCallH5Id(dset, H5Dopen2(f->file, "/emg/channels", H5P_DEFAULT));
  PetscCheck(H5Dread(dset, tc, H5S_ALL, H5S_ALL, H5P_DEFAULT, cr) >= 0, comm, SEMG_ERR_USER, "'%s': /emg/channels has the wrong row layout", path);
  SemgCallH5(H5Dclose(dset));
  for (PetscInt e = 0; e < d->n_electrodes; e++) {
    d->electrode_xyz[3 * e] = er[e].x, d->electrode_xyz[3 * e + 1] = er[e].y, d->electrode_xyz[3 * e + 2] = er[e].z;
    d->electrode_diameter[e] = er[e].diameter;
    d->electrode_column[e]   = er[e].column;
    PetscCheck(PetscIsNormalReal(er[e].x + er[e].y + er[e].z) || er[e].x + er[e].y + er[e].z == 0, comm, SEMG_ERR_USER, "'%s': electrode %" PetscInt_FMT " has a non-finite position", path, e);
  }
  for (PetscInt c = 0; c < d->n_channels; c++) {
    for (int j = 0; j < 3; j++) {
      d->channel_electrode[3 * c + j] = cr[c].electrode[j];
      d->channel_weight[3 * c + j]    = cr[c].weight[j];
      d->channel_centre[3 * c + j]    = cr[c].centre[j];
      PetscCheck(cr[c].electrode[j] >= -1 && cr[c].electrode[j] < d->n_electrodes, comm, SEMG_ERR_USER, "'%s': channel %" PetscInt_FMT " refers to electrode %d, table has %" PetscInt_FMT, path, c,
                 cr[c].electrode[j], d->n_electrodes);
    }
  }
  SemgCallH5(H5Tclose(te));
  SemgCallH5(H5Tclose(tc));
  PetscCall(PetscFree2(er, cr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadTheta(MPI_Comm comm, SemgH5File *f, const char *path, SemgDataset *d)
{
  hid_t dset, s32;

  PetscFunctionBeginUser;
  if (!d->n_theta) PetscFunctionReturn(PETSC_SUCCESS);
  SemgCallH5Id(s32, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(s32, SEMG_NAME_LEN));
  SemgCallH5Id(dset, H5Dopen2(f->file, "/ground_truth/theta_names", H5P_DEFAULT));
  PetscCheck(H5Dread(dset, s32, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->theta_names) >= 0, comm, SEMG_ERR_USER, "'%s': cannot read /ground_truth/theta_names", path);
  SemgCallH5(H5Dclose(dset));
  SemgCallH5Id(dset, H5Dopen2(f->file, "/ground_truth/theta_units", H5P_DEFAULT));
  PetscCheck(H5Dread(dset, s32, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->theta_units) >= 0, comm, SEMG_ERR_USER, "'%s': cannot read /ground_truth/theta_units", path);
  SemgCallH5(H5Dclose(dset));
  SemgCallH5(H5Tclose(s32));
  PetscCall(SemgH5ReadRows(f, f->file, "/ground_truth/theta", (hsize_t)d->start, (hsize_t)d->n_local, d->theta));
  d->has_truth = PETSC_TRUE;
  {
    hsize_t tdims[2];
    int     nd;
    PetscCall(SemgH5DatasetShape(f->file, "/ground_truth/template_fibres", &nd, tdims, 2));
    if (nd == 2) {
      PetscCheck(tdims[1] == 8 && tdims[0] > 0, comm, SEMG_ERR_USER, "'%s': /ground_truth/template_fibres must be n x 8", path);
      d->n_template_fibres = (PetscInt)tdims[0];
      PetscCall(PetscMalloc1(8 * (size_t)tdims[0], &d->template_fibres));
      hid_t ds;
      SemgCallH5Id(ds, H5Dopen2(f->file, "/ground_truth/template_fibres", H5P_DEFAULT));
      SemgCallH5(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->template_fibres));
      SemgCallH5(H5Dclose(ds));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A NaN or Inf sample anywhere is a corrupt dataset; every rank checks its own block. */
static PetscErrorCode CheckFinite(MPI_Comm comm, const char *path, const SemgDataset *d)
{
  const size_t n   = (size_t)d->n_local * d->n_channels * d->n_times;
  PetscCount   bad = -1;

  PetscFunctionBeginUser;
  for (size_t i = 0; i < n; i++)
    if (PetscIsInfOrNanReal(d->data[i])) {
      bad = d->start + (PetscCount)(i / ((size_t)d->n_channels * d->n_times));
      break;
    }
  PetscCall(SemgCheckAllRanks(comm, (PetscBool)(bad < 0), "'%s': /emg/data example %lld contains NaN or Inf", path, (long long)bad));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Everything read between open and close. */
static PetscErrorCode DatasetReadBody(MPI_Comm comm, SemgH5File *fp, const char *path, PetscBool all, SemgDataset *d)
{
  SemgH5File f = *fp;

  PetscFunctionBeginUser;
  PetscCall(ReadHeader(comm, &f, path, d));
  PetscCall(DatasetAllocTables(d));
  PetscCall(ReadTables(comm, &f, path, d));
  if (all) d->start = 0, d->n_local = d->n_examples;
  else PetscCall(SemgPartition(comm, d->n_examples, &d->start, &d->n_local));
  PetscCall(DatasetAllocLocal(d));
  if (all) {
    /* every rank reads everything: independent reads of the same rows */
    SemgCallH5(H5Pset_dxpl_mpio(f.dxpl, H5FD_MPIO_INDEPENDENT));
  }
  PetscCall(SemgH5ReadRows(&f, f.file, "/emg/data", (hsize_t)d->start, (hsize_t)d->n_local, d->data));
  PetscCall(ReadTheta(comm, &f, path, d));
  {
    hid_t prov;
    if (H5Lexists(f.file, "/provenance", H5P_DEFAULT) > 0) {
      SemgCallH5Id(prov, H5Gopen2(f.file, "/provenance", H5P_DEFAULT));
      PetscCall(SemgH5ReadText(prov, "model_config", &d->model_config));
      SemgCallH5(H5Gclose(prov));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A rejected file is closed and the partial dataset freed before the error goes up: otherwise every
   rejected file keeps HDF5's and MPI-IO's per-file state (about 0.3 MB) until exit, which the dataset
   fuzz target, reading thousands of files in one process, ran out of memory on. The reader's checks fail
   on all ranks together, so the close on the error path is collective as well. The file stays named as
   the one being read (SemgInputReading) for the error message. */
static PetscErrorCode DatasetReadImpl(MPI_Comm comm, const char *path, PetscBool all, SemgDataset **ds)
{
  SemgDataset   *d;
  SemgH5File     f;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(SemgH5Open(comm, "-data", path, &f));
  PetscCall(PetscNew(&d));
  ierr = DatasetReadBody(comm, &f, path, all, d);
  if (ierr) {
    if (f.dxpl > 0) (void)H5Pclose(f.dxpl);
    if (f.file > 0) (void)H5Fclose(f.file);
    (void)SemgDatasetDestroy(&d);
    PetscCall(ierr);
  }
  PetscCall(SemgH5Close(comm, &f));
  PetscCall(CheckFinite(comm, path, d));
  *ds = d;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDatasetRead(MPI_Comm comm, const char *path, SemgDataset **ds)
{
  PetscFunctionBeginUser;
  PetscCall(DatasetReadImpl(comm, path, PETSC_FALSE, ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDatasetReadAll(MPI_Comm comm, const char *path, SemgDataset **ds)
{
  PetscFunctionBeginUser;
  PetscCall(DatasetReadImpl(comm, path, PETSC_TRUE, ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDatasetDestroy(SemgDataset **ds)
{
  SemgDataset *d = *ds;

  PetscFunctionBeginUser;
  if (!d) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree3(d->electrode_xyz, d->electrode_diameter, d->electrode_column));
  PetscCall(PetscFree3(d->channel_electrode, d->channel_weight, d->channel_centre));
  PetscCall(PetscFree2(d->theta_names, d->theta_units));
  PetscCall(PetscFree(d->data));
  PetscCall(PetscFree(d->theta));
  PetscCall(PetscFree(d->model_config));
  PetscCall(PetscFree(d->template_fibres));
  PetscCall(PetscFree(d));
  *ds = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static uint64_t Fnv1a(uint64_t h, const void *p, size_t n)
{
  const unsigned char *b = (const unsigned char *)p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

uint64_t SemgDatasetFingerprint(const SemgDataset *ds)
{
  uint64_t  h       = 0xcbf29ce484222325ull;
  long long dims[3] = {(long long)ds->n_examples, (long long)ds->n_channels, (long long)ds->n_times};

  h = Fnv1a(h, dims, sizeof(dims));
  h = Fnv1a(h, &ds->fs, sizeof(ds->fs));
  h = Fnv1a(h, ds->data, sizeof(PetscReal) * (size_t)ds->n_local * ds->n_channels * ds->n_times);
  return h ? h : 1;
}
