#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "core/semg_csv.h"
#include "core/semg_options.h"
#include "estimator/result.h"

#define SEMG_RESULT_SCHEMA "semg-estimates"

PetscErrorCode SemgResultCreate(const SemgDataset *ds, const char method[], const char dataset_path[], PetscInt n_extra, const char *const extra_names[], const char *const extra_units[], SemgResult **res)
{
  SemgResult *r;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&r));
  PetscCall(PetscStrncpy(r->method, method, sizeof(r->method)));
  PetscCall(PetscStrncpy(r->dataset, dataset_path ? dataset_path : "", sizeof(r->dataset)));
  r->n_examples = ds->n_examples;
  r->n_theta    = 2 + n_extra;
  r->start      = ds->start;
  r->n_local    = ds->n_local;
  PetscCall(PetscCalloc2(r->n_theta, &r->theta_names, r->n_theta, &r->theta_units));
  PetscCall(PetscStrncpy(r->theta_names[0], "iz", SEMG_NAME_LEN));
  PetscCall(PetscStrncpy(r->theta_units[0], "m", SEMG_NAME_LEN));
  PetscCall(PetscStrncpy(r->theta_names[1], "cv", SEMG_NAME_LEN));
  PetscCall(PetscStrncpy(r->theta_units[1], "m/s", SEMG_NAME_LEN));
  for (PetscInt j = 0; j < n_extra; j++) {
    PetscCall(PetscStrncpy(r->theta_names[2 + j], extra_names[j], SEMG_NAME_LEN));
    PetscCall(PetscStrncpy(r->theta_units[2 + j], extra_units ? extra_units[j] : "", SEMG_NAME_LEN));
  }
  PetscCall(PetscMalloc4((size_t)r->n_local * r->n_theta + 1, &r->theta_est, (size_t)r->n_local * r->n_theta + 1, &r->theta_true, r->n_local + 1, &r->recon_nrmse, r->n_local + 1, &r->seconds));
  for (size_t i = 0; i < (size_t)r->n_local * r->n_theta; i++) r->theta_est[i] = r->theta_true[i] = NAN;
  PetscCall(PetscCalloc1(r->n_local + 1, &r->status)); /* SEMG_STATUS_OK */
  for (PetscCount i = 0; i < r->n_local; i++) r->recon_nrmse[i] = NAN, r->seconds[i] = 0;
  /* truth of every result column that the dataset knows */
  for (PetscInt j = 0; j < r->n_theta; j++) {
    PetscInt jd;
    PetscCall(SemgDatasetThetaIndex(ds, r->theta_names[j], &jd));
    if (jd < 0) continue;
    for (PetscCount i = 0; i < r->n_local; i++) r->theta_true[(size_t)i * r->n_theta + j] = ds->theta[(size_t)i * ds->n_theta + jd];
  }
  *res = r;
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  double mae, rmse, bias, median_ae;
  long   n;
} ErrorStats;

static int CompareDouble(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Metrics over the examples with both estimate and truth; every rank gets the same numbers. */
static PetscErrorCode ComputeStats(MPI_Comm comm, const SemgResult *r, PetscInt j, ErrorStats *st)
{
  double     *err, *all = NULL, sums[3] = {0, 0, 0}, tot[3];
  int         n = 0, ntot, *counts, *displs;
  PetscMPIInt size, rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscMalloc1(r->n_local + 1, &err));
  for (PetscCount i = 0; i < r->n_local; i++) {
    const double e = r->theta_est[(size_t)i * r->n_theta + j] - r->theta_true[(size_t)i * r->n_theta + j];
    if (isnan(e)) continue;
    err[n++] = e;
    sums[0] += fabs(e), sums[1] += e * e, sums[2] += e;
  }
  PetscCall(PetscMalloc2(size, &counts, size, &displs));
  PetscCallMPI(MPI_Allgather(&n, 1, MPI_INT, counts, 1, MPI_INT, comm));
  ntot = 0;
  for (int p = 0; p < size; p++) displs[p] = ntot, ntot += counts[p];
  PetscCall(PetscMalloc1(ntot + 1, &all));
  PetscCallMPI(MPI_Allgatherv(err, n, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, comm));
  /* sums in example order (rank blocks are contiguous): the same on any rank count */
  tot[0] = tot[1] = tot[2] = 0;
  for (int i = 0; i < ntot; i++) tot[0] += fabs(all[i]), tot[1] += all[i] * all[i], tot[2] += all[i];
  for (int i = 0; i < ntot; i++) all[i] = fabs(all[i]);
  qsort(all, (size_t)ntot, sizeof(double), CompareDouble);
  st->n         = ntot;
  st->mae       = ntot ? tot[0] / ntot : NAN;
  st->rmse      = ntot ? sqrt(tot[1] / ntot) : NAN;
  st->bias      = ntot ? tot[2] / ntot : NAN;
  st->median_ae = ntot ? (ntot % 2 ? all[ntot / 2] : 0.5 * (all[ntot / 2 - 1] + all[ntot / 2])) : NAN;
  PetscCall(PetscFree(all));
  PetscCall(PetscFree2(counts, displs));
  PetscCall(PetscFree(err));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Status of local sample i as written: a sample without IZ and CV estimates has none, whatever the
   estimator set (the classical methods leave it OK and only write NaN). */
static int StatusOf(const SemgResult *r, PetscCount i)
{
  const PetscReal *e = r->theta_est + (size_t)i * r->n_theta;

  if (r->status[i] == SEMG_STATUS_OK && isnan(e[0]) && (r->n_theta < 2 || isnan(e[1]))) return SEMG_STATUS_NAN;
  return r->status[i];
}

/* /estimates/status [n] as 32-bit integers (the row helpers pass doubles; HDF5 converts). */
static PetscErrorCode WriteStatus(SemgH5File *f, hid_t est, const SemgResult *r)
{
  hsize_t    dims[1] = {(hsize_t)r->n_examples};
  hid_t      dset;
  PetscReal *v;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(r->n_local + 1, &v));
  for (PetscCount i = 0; i < r->n_local; i++) v[i] = StatusOf(r, i);
  PetscCall(SemgH5CreateRowsOfType(est, "status", 1, dims, H5T_STD_I32LE, "0 ok, 1 no estimate, 2 at a bound, 3 not converged", &dset));
  PetscCall(SemgH5WriteRows(f, dset, (hsize_t)r->start, (hsize_t)r->n_local, v));
  SemgCallH5(H5Dclose(dset));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Optional /estimates/status (schema 3): codes outside SemgResultStatus are a bad file. Without it,
   the status is derived from the estimates (StatusOf of OK). */
static PetscErrorCode ReadStatus(MPI_Comm comm, SemgH5File *f, const char path[], SemgResult *r)
{
  hsize_t    dims[1];
  int        nd;
  PetscReal *v;
  PetscBool  ok = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(r->n_local + 1, &r->status));
  PetscCall(SemgH5DatasetShape(f->file, "/estimates/status", &nd, dims, 1));
  if (nd < 0) {
    for (PetscCount i = 0; i < r->n_local; i++) r->status[i] = StatusOf(r, i);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCheck(nd == 1 && dims[0] == (hsize_t)r->n_examples, comm, SEMG_ERR_USER, "'%s': /estimates/status is not [n]", path);
  PetscCall(PetscMalloc1(r->n_local + 1, &v));
  PetscCall(SemgH5ReadRows(f, f->file, "/estimates/status", (hsize_t)r->start, (hsize_t)r->n_local, v));
  for (PetscCount i = 0; i < r->n_local; i++) {
    ok           = (PetscBool)(ok && v[i] >= 0 && v[i] < SEMG_STATUS_N);
    r->status[i] = (int)v[i];
  }
  PetscCall(PetscFree(v));
  PetscCall(SemgCheckAllRanks(comm, ok, "'%s': /estimates/status holds a code outside 0..%d", path, SEMG_STATUS_N - 1));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgResultAddCovariance(SemgResult *r)
{
  const size_t n = (size_t)r->n_local * r->n_theta * r->n_theta;

  PetscFunctionBeginUser;
  if (r->theta_cov) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc1(n + 1, &r->theta_cov));
  for (size_t i = 0; i < n; i++) r->theta_cov[i] = NAN;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* /estimates/theta_cov [n, K, K] and its diagonal's square root /estimates/theta_sd [n, K]. */
static PetscErrorCode WriteCovariance(SemgH5File *f, hid_t est, const SemgResult *r)
{
  const PetscInt K       = r->n_theta;
  hsize_t        dims[3] = {(hsize_t)r->n_examples, (hsize_t)K, (hsize_t)K};
  hid_t          dset;
  PetscReal     *sd;

  PetscFunctionBeginUser;
  PetscCall(SemgH5CreateRows(est, "theta_cov", 3, dims, "see theta_units (products)", &dset));
  PetscCall(SemgH5WriteRows(f, dset, (hsize_t)r->start, (hsize_t)r->n_local, r->theta_cov));
  SemgCallH5(H5Dclose(dset));
  PetscCall(PetscMalloc1((size_t)r->n_local * K + 1, &sd));
  for (PetscCount i = 0; i < r->n_local; i++)
    for (PetscInt j = 0; j < K; j++) {
      const PetscReal v     = r->theta_cov[((size_t)i * K + j) * K + j];
      sd[(size_t)i * K + j] = v >= 0 ? PetscSqrtReal(v) : NAN;
    }
  PetscCall(SemgH5CreateRows(est, "theta_sd", 2, dims, "see theta_units", &dset));
  PetscCall(SemgH5WriteRows(f, dset, (hsize_t)r->start, (hsize_t)r->n_local, sd));
  SemgCallH5(H5Dclose(dset));
  PetscCall(PetscFree(sd));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteH5(MPI_Comm comm, const char path[], const SemgResult *r)
{
  SemgH5File f;
  hid_t      est, met, root, dset, s32;
  hsize_t    dims[2] = {(hsize_t)r->n_examples, (hsize_t)r->n_theta}, k = (hsize_t)r->n_theta;

  PetscFunctionBeginUser;
  PetscCall(SemgH5CreateAtomic(comm, path, &f));
  SemgCallH5Id(root, H5Gopen2(f.file, "/", H5P_DEFAULT));
  PetscCall(SemgH5WriteAttrString(root, "schema_name", SEMG_RESULT_SCHEMA));
  PetscCall(SemgH5WriteAttrInt(root, "schema_version", SEMG_RESULT_SCHEMA_VERSION));
  PetscCall(SemgH5WriteAttrString(root, "method", r->method));
  PetscCall(SemgH5WriteAttrString(root, "dataset", r->dataset));
  PetscCall(SemgH5WriteProvenance(comm, &f, root));
  SemgCallH5(H5Gclose(root));
  SemgCallH5Id(est, H5Gcreate2(f.file, "/estimates", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  SemgCallH5Id(s32, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(s32, SEMG_NAME_LEN));
  PetscCall(SemgH5WriteSmall(&f, est, "theta_names", 1, &k, s32, r->theta_names, NULL));
  PetscCall(SemgH5WriteSmall(&f, est, "theta_units", 1, &k, s32, r->theta_units, NULL));
  SemgCallH5(H5Tclose(s32));
  PetscCall(SemgH5CreateRows(est, "theta_est", 2, dims, "see theta_units", &dset));
  PetscCall(SemgH5WriteRows(&f, dset, (hsize_t)r->start, (hsize_t)r->n_local, r->theta_est));
  SemgCallH5(H5Dclose(dset));
  PetscCall(SemgH5CreateRows(est, "theta_true", 2, dims, "see theta_units", &dset));
  PetscCall(SemgH5WriteRows(&f, dset, (hsize_t)r->start, (hsize_t)r->n_local, r->theta_true));
  SemgCallH5(H5Dclose(dset));
  PetscCall(SemgH5CreateRows(est, "recon_nrmse", 1, dims, "1", &dset));
  PetscCall(SemgH5WriteRows(&f, dset, (hsize_t)r->start, (hsize_t)r->n_local, r->recon_nrmse));
  SemgCallH5(H5Dclose(dset));
  PetscCall(SemgH5CreateRows(est, "seconds", 1, dims, "s", &dset));
  PetscCall(SemgH5WriteRows(&f, dset, (hsize_t)r->start, (hsize_t)r->n_local, r->seconds));
  SemgCallH5(H5Dclose(dset));
  if (r->theta_cov) PetscCall(WriteCovariance(&f, est, r));
  PetscCall(WriteStatus(&f, est, r));
  SemgCallH5(H5Gclose(est));
  SemgCallH5Id(met, H5Gcreate2(f.file, "/metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  for (PetscInt j = 0; j < r->n_theta; j++) {
    ErrorStats st;
    char       name[96];
    PetscCall(ComputeStats(comm, r, j, &st));
    PetscCall(PetscSNPrintf(name, sizeof(name), "mae_%s", r->theta_names[j]));
    PetscCall(SemgH5WriteAttrDouble(met, name, st.mae));
    PetscCall(PetscSNPrintf(name, sizeof(name), "rmse_%s", r->theta_names[j]));
    PetscCall(SemgH5WriteAttrDouble(met, name, st.rmse));
    PetscCall(PetscSNPrintf(name, sizeof(name), "bias_%s", r->theta_names[j]));
    PetscCall(SemgH5WriteAttrDouble(met, name, st.bias));
    PetscCall(PetscSNPrintf(name, sizeof(name), "median_ae_%s", r->theta_names[j]));
    PetscCall(SemgH5WriteAttrDouble(met, name, st.median_ae));
    PetscCall(PetscSNPrintf(name, sizeof(name), "n_%s", r->theta_names[j]));
    PetscCall(SemgH5WriteAttrInt(met, name, st.n));
  }
  SemgCallH5(H5Gclose(met));
  PetscCall(SemgH5Close(comm, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void PrintCSVValue(FILE *fp, double v)
{
  if (isnan(v)) fprintf(fp, ",");
  else fprintf(fp, ",%.17g", v);
}

#define CSV_COLS 5 /* per sample: iz_est, cv_est, iz_true, cv_true, status */

static PetscErrorCode WriteCSVRank0(const char path[], PetscCount n, const double *all)
{
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(SemgCSVOpen(path, &fp));
  fprintf(fp, "sample,iz_est_m,cv_est_mps,iz_true_m,cv_true_mps,status\n");
  for (PetscCount i = 0; i < n; i++) {
    fprintf(fp, "%lld", (long long)i);
    for (int c = 0; c < 4; c++) PrintCSVValue(fp, all[CSV_COLS * i + c]);
    fprintf(fp, ",%d\n", (int)all[CSV_COLS * i + 4]);
  }
  PetscCall(SemgCSVClose(path, &fp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* CSV: gather every block on rank 0, which writes the file. */
static PetscErrorCode WriteCSV(MPI_Comm comm, const char path[], const SemgResult *r)
{
  PetscMPIInt    size, rank;
  double        *mine, *all = NULL;
  int           *counts = NULL, *displs = NULL, n = (int)(r->n_local * CSV_COLS);
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscMalloc1(n + 1, &mine));
  for (PetscCount i = 0; i < r->n_local; i++) {
    mine[CSV_COLS * i + 0] = r->theta_est[(size_t)i * r->n_theta + 0];
    mine[CSV_COLS * i + 1] = r->theta_est[(size_t)i * r->n_theta + 1];
    mine[CSV_COLS * i + 2] = r->theta_true[(size_t)i * r->n_theta + 0];
    mine[CSV_COLS * i + 3] = r->theta_true[(size_t)i * r->n_theta + 1];
    mine[CSV_COLS * i + 4] = StatusOf(r, i);
  }
  if (!rank) PetscCall(PetscMalloc3(size, &counts, size, &displs, CSV_COLS * (size_t)r->n_examples + 1, &all));
  PetscCallMPI(MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, comm));
  if (!rank)
    for (int p = 0, off = 0; p < size; p++) displs[p] = off, off += counts[p];
  PetscCallMPI(MPI_Gatherv(mine, n, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, comm));
  ierr = rank ? PETSC_SUCCESS : WriteCSVRank0(path, r->n_examples, all);
  if (!rank) PetscCall(PetscFree3(counts, displs, all));
  PetscCall(SemgShareError(comm, ierr));
  PetscCall(PetscFree(mine));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgResultWrite(MPI_Comm comm, const char path[], const SemgResult *r)
{
  ErrorStats iz, cv;

  PetscFunctionBeginUser;
  PetscCheck(SemgStringEndsWith(path, ".h5") || SemgStringEndsWith(path, ".csv"), comm, SEMG_ERR_USER, "-output '%s' must end in .h5 or .csv", path);
  if (SemgStringEndsWith(path, ".h5")) PetscCall(WriteH5(comm, path, r));
  else PetscCall(WriteCSV(comm, path, r));
  PetscCall(ComputeStats(comm, r, 0, &iz));
  PetscCall(ComputeStats(comm, r, 1, &cv));
  if (iz.n || cv.n)
    PetscCall(PetscPrintf(comm, "%s: IZ MAE %.4f mm RMSE %.4f mm bias %+.4f mm (n=%ld); CV MAE %.4f m/s RMSE %.4f bias %+.4f (n=%ld) -> %s\n", r->method, 1e3 * iz.mae, 1e3 * iz.rmse, 1e3 * iz.bias, iz.n, cv.mae, cv.rmse, cv.bias, cv.n, path));
  else PetscCall(PetscPrintf(comm, "%s: %lld estimates (no ground truth) -> %s\n", r->method, (long long)r->n_examples, path));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgResultRead(MPI_Comm comm, const char path[], SemgResult **res)
{
  SemgH5File  f;
  SemgResult *r;
  char        name[64];
  PetscBool   found;
  hsize_t     dims[2];
  int         nd;
  hid_t       s32, dset;

  PetscFunctionBeginUser;
  PetscCall(SemgH5Open(comm, "-result", path, &f));
  PetscCall(SemgH5ReadAttrString(f.file, "schema_name", name, sizeof(name), &found));
  PetscCheck(found && !strcmp(name, SEMG_RESULT_SCHEMA), comm, SEMG_ERR_USER, "'%s' is not a semg result file", path);
  PetscCall(SemgH5DatasetShape(f.file, "/estimates/theta_est", &nd, dims, 2));
  PetscCheck(nd == 2, comm, SEMG_ERR_USER, "'%s': /estimates/theta_est missing or not 2-D", path);
  PetscCall(PetscNew(&r));
  PetscCall(SemgH5ReadAttrString(f.file, "method", r->method, sizeof(r->method), &found));
  PetscCall(SemgH5ReadAttrString(f.file, "dataset", r->dataset, sizeof(r->dataset), &found));
  r->n_examples = (PetscCount)dims[0];
  r->n_theta    = (PetscInt)dims[1];
  PetscCall(SemgPartition(comm, r->n_examples, &r->start, &r->n_local));
  PetscCall(PetscCalloc2(r->n_theta, &r->theta_names, r->n_theta, &r->theta_units));
  PetscCall(PetscMalloc4((size_t)r->n_local * r->n_theta + 1, &r->theta_est, (size_t)r->n_local * r->n_theta + 1, &r->theta_true, r->n_local + 1, &r->recon_nrmse, r->n_local + 1, &r->seconds));
  SemgCallH5Id(s32, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(s32, SEMG_NAME_LEN));
  SemgCallH5Id(dset, H5Dopen2(f.file, "/estimates/theta_names", H5P_DEFAULT));
  SemgCallH5(H5Dread(dset, s32, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->theta_names));
  SemgCallH5(H5Dclose(dset));
  SemgCallH5Id(dset, H5Dopen2(f.file, "/estimates/theta_units", H5P_DEFAULT));
  SemgCallH5(H5Dread(dset, s32, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->theta_units));
  SemgCallH5(H5Dclose(dset));
  SemgCallH5(H5Tclose(s32));
  PetscCall(SemgH5ReadRows(&f, f.file, "/estimates/theta_est", (hsize_t)r->start, (hsize_t)r->n_local, r->theta_est));
  PetscCall(SemgH5ReadRows(&f, f.file, "/estimates/theta_true", (hsize_t)r->start, (hsize_t)r->n_local, r->theta_true));
  PetscCall(SemgH5ReadRows(&f, f.file, "/estimates/recon_nrmse", (hsize_t)r->start, (hsize_t)r->n_local, r->recon_nrmse));
  PetscCall(SemgH5ReadRows(&f, f.file, "/estimates/seconds", (hsize_t)r->start, (hsize_t)r->n_local, r->seconds));
  { /* optional since schema 2 */
    hsize_t cdims[3];
    int     cnd;
    PetscCall(SemgH5DatasetShape(f.file, "/estimates/theta_cov", &cnd, cdims, 3));
    if (cnd >= 0) {
      PetscCheck(cnd == 3 && cdims[0] == dims[0] && cdims[1] == dims[1] && cdims[2] == dims[1], comm, SEMG_ERR_USER, "'%s': /estimates/theta_cov is not [n, K, K]", path);
      PetscCall(SemgResultAddCovariance(r));
      PetscCall(SemgH5ReadRows(&f, f.file, "/estimates/theta_cov", (hsize_t)r->start, (hsize_t)r->n_local, r->theta_cov));
    }
  }
  PetscCall(ReadStatus(comm, &f, path, r));
  PetscCall(SemgH5Close(comm, &f));
  *res = r;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgResultDestroy(SemgResult **res)
{
  PetscFunctionBeginUser;
  if (!*res) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree2((*res)->theta_names, (*res)->theta_units));
  PetscCall(PetscFree4((*res)->theta_est, (*res)->theta_true, (*res)->recon_nrmse, (*res)->seconds));
  PetscCall(PetscFree((*res)->theta_cov));
  PetscCall(PetscFree((*res)->status));
  PetscCall(PetscFree(*res));
  PetscFunctionReturn(PETSC_SUCCESS);
}
