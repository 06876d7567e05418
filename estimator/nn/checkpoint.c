#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stddef.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "semg_version.h"
#include "estimator/nn/checkpoint.h"

PetscErrorCode SemgNNStateAllocate(SemgNNState *st, PetscCount np, PetscInt hist_cap)
{
  PetscFunctionBeginUser;
  st->np       = np;
  st->hist_cap = PetscMax(hist_cap, 1);
  PetscCall(PetscCalloc4(np, &st->P, np, &st->M, np, &st->Q, np, &st->Pbest));
  PetscCall(PetscCalloc2(st->hist_cap, &st->hist_train, st->hist_cap, &st->hist_val));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNNStateFree(SemgNNState *st)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree4(st->P, st->M, st->Q, st->Pbest));
  PetscCall(PetscFree2(st->hist_train, st->hist_val));
  PetscCall(PetscFree(st->config));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteInts(hid_t loc, const char *name, PetscInt n, const PetscInt *v)
{
  char buf[256] = "";
  int  len      = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n && len < (int)sizeof(buf) - 16; i++) len += snprintf(buf + len, sizeof(buf) - (size_t)len, i ? ",%d" : "%d", (int)v[i]);
  PetscCall(SemgH5WriteAttrString(loc, name, buf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadInts(hid_t loc, const char *name, PetscInt max, PetscInt *n, PetscInt *v)
{
  char      buf[256], *s, *end;
  PetscBool found;

  PetscFunctionBeginUser;
  PetscCall(SemgH5ReadAttrString(loc, name, buf, sizeof(buf), &found));
  *n = 0;
  for (s = buf; found && *s && *n < max; s = *end ? end + 1 : end) {
    v[(*n)++] = (PetscInt)strtol(s, &end, 10);
    if (end == s) break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteVec(SemgH5File *f, const char *name, PetscCount n, const PetscReal *v)
{
  hsize_t dims[1] = {(hsize_t)n};

  PetscFunctionBeginUser;
  PetscCall(SemgH5WriteSmall(f, f->file, name, 1, dims, H5T_NATIVE_DOUBLE, v, "1"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadVec(hid_t file, const char *name, PetscCount n, PetscReal *v)
{
  hid_t   dset, space;
  hsize_t dims[1];

  PetscFunctionBeginUser;
  if (n == 0) PetscFunctionReturn(PETSC_SUCCESS);
  SemgCallH5Id(dset, H5Dopen2(file, name, H5P_DEFAULT));
  SemgCallH5Id(space, H5Dget_space(dset));
  SemgCallH5(H5Sget_simple_extent_dims(space, dims, NULL));
  PetscCheck((PetscCount)dims[0] == n, PETSC_COMM_SELF, SEMG_ERR_USER, "checkpoint dataset %s has %llu values, expected %" PetscCount_FMT, name, (unsigned long long)dims[0], n);
  SemgCallH5(H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
  SemgCallH5(H5Sclose(space));
  SemgCallH5(H5Dclose(dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Scalar metadata: one table so that write and read cannot drift apart. */
typedef enum { F_INT, F_INT64, F_REAL, F_BOOL } FieldType;
typedef struct {
  const char *name;
  FieldType   type;
  size_t      off;
} Field;
#define FLD(n, t, m) \
  { \
    n, t, offsetof(SemgNNState, m) \
  }
static const Field fields[] = {
  FLD("encoder_type", F_INT, enc_type),
  FLD("kernel", F_INT, kernel),
  FLD("activation", F_INT, act),
  FLD("init", F_INT, init),
  FLD("in_channels", F_INT, in_channels),
  FLD("in_times", F_INT, in_times),
  FLD("n_latents", F_INT, K),
  FLD("montage", F_INT, montage),
  FLD("dec_fibres", F_INT, dec.mu.n_fibres),
  FLD("dec_radius", F_REAL, dec.mu.radius),
  FLD("dec_iz_spread", F_REAL, dec.mu.iz_spread),
  FLD("dec_tendon_left", F_REAL, dec.mu.tendon_left),
  FLD("dec_tendon_right", F_REAL, dec.mu.tendon_right),
  FLD("dec_tendon_spread_left", F_REAL, dec.mu.tendon_spread_left),
  FLD("dec_tendon_spread_right", F_REAL, dec.mu.tendon_spread_right),
  FLD("dec_cv_mean", F_REAL, dec.mu.cv_mean),
  FLD("dec_cv_sd", F_REAL, dec.mu.cv_sd),
  FLD("dec_depth", F_REAL, dec.depth),
  FLD("dec_latent_depth", F_BOOL, dec.latent_depth),
  FLD("dec_centre", F_BOOL, dec.centre),
  FLD("dec_iz_lo", F_REAL, dec.iz_range[0]),
  FLD("dec_iz_hi", F_REAL, dec.iz_range[1]),
  FLD("dec_cv_lo", F_REAL, dec.cv_range[0]),
  FLD("dec_cv_hi", F_REAL, dec.cv_range[1]),
  FLD("dec_depth_lo", F_REAL, dec.depth_range[0]),
  FLD("dec_depth_hi", F_REAL, dec.depth_range[1]),
  FLD("adamw_variant", F_INT, adamw.variant),
  FLD("adamw_lr", F_REAL, adamw.lr),
  FLD("adamw_beta1", F_REAL, adamw.beta1),
  FLD("adamw_beta2", F_REAL, adamw.beta2),
  FLD("adamw_eps", F_REAL, adamw.eps),
  FLD("adamw_weight_decay", F_REAL, adamw.weight_decay),
  FLD("adamw_t", F_INT64, adamw.t),
  FLD("step", F_INT64, step),
  FLD("epoch", F_INT, epoch),
  FLD("step_in_epoch", F_INT, step_in_epoch),
  FLD("seed", F_INT64, seed),
  FLD("n_ranks", F_INT, n_ranks),
  FLD("chunks", F_INT, chunks),
  FLD("global_batch", F_INT, global_batch),
  FLD("epoch_loss_sum", F_REAL, epoch_loss_sum),
  FLD("epoch_count", F_INT64, epoch_count),
  FLD("best_val", F_REAL, best_val),
  FLD("best_epoch", F_INT, best_epoch),
  FLD("bad_epochs", F_INT, bad_epochs),
  FLD("finished", F_INT, finished),
  FLD("n_hist", F_INT, n_hist),
  FLD("data_fingerprint", F_INT64, data_fingerprint),
};

static PetscErrorCode WriteFields(hid_t loc, const SemgNNState *st)
{
  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    const char *p = (const char *)st + fields[i].off;
    switch (fields[i].type) {
    case F_INT:
      PetscCall(SemgH5WriteAttrInt(loc, fields[i].name, (long long)*(const PetscInt *)p));
      break;
    case F_BOOL:
      PetscCall(SemgH5WriteAttrInt(loc, fields[i].name, (long long)*(const PetscBool *)p));
      break;
    case F_INT64:
      PetscCall(SemgH5WriteAttrInt(loc, fields[i].name, (long long)*(const PetscInt64 *)p));
      break;
    case F_REAL:
      PetscCall(SemgH5WriteAttrDouble(loc, fields[i].name, (double)*(const PetscReal *)p));
      break;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadFields(hid_t loc, const char *path, SemgNNState *st)
{
  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    char     *p = (char *)st + fields[i].off;
    long long iv;
    double    dv;
    PetscBool found;
    if (fields[i].type == F_REAL) {
      PetscCall(SemgH5ReadAttrDouble(loc, fields[i].name, &dv, &found));
      *(PetscReal *)p = dv;
    } else {
      PetscCall(SemgH5ReadAttrInt(loc, fields[i].name, &iv, &found));
      if (fields[i].type == F_INT) *(PetscInt *)p = (PetscInt)iv;
      else if (fields[i].type == F_BOOL) *(PetscBool *)p = (PetscBool)(iv != 0);
      else *(PetscInt64 *)p = (PetscInt64)iv;
    }
    /* attributes added after schema 1 was first written default to 0 */
    PetscCheck(found || !strcmp(fields[i].name, "dec_centre") || !strcmp(fields[i].name, "data_fingerprint"), PETSC_COMM_SELF, SEMG_ERR_USER, "'%s': not a semg model/checkpoint (attribute %s missing)", path,
               fields[i].name);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNNStateWrite(MPI_Comm comm, const char path[], const SemgNNState *st)
{
  PetscMPIInt rank;
  SemgH5File  f;
  char        hash[32];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    PetscCall(SemgH5CreateAtomic(PETSC_COMM_SELF, path, &f));
    PetscCall(SemgH5WriteAttrString(f.file, "magic", SEMG_NN_MAGIC));
    PetscCall(SemgH5WriteAttrInt(f.file, "schema_version", SEMG_NN_SCHEMA_VERSION));
    PetscCall(SemgH5WriteAttrString(f.file, "software_version", SEMG_VERSION_STRING));
    PetscCall(SemgH5WriteAttrString(f.file, "git_sha", SEMG_GIT_SHA));
    PetscCall(WriteFields(f.file, st));
    PetscCall(WriteInts(f.file, "conv_filters", st->nconv, st->conv));
    PetscCall(WriteInts(f.file, "dense_widths", st->ndense, st->dense));
    PetscCall(WriteVec(&f, "scaler_lo", st->K, st->lo));
    PetscCall(WriteVec(&f, "scaler_hi", st->K, st->hi));
    PetscCall(PetscSNPrintf(hash, sizeof(hash), "%016llx", (unsigned long long)st->template_hash));
    PetscCall(SemgH5WriteAttrString(f.file, "template_hash", hash));
    PetscCall(SemgH5WriteAttrString(f.file, "dec_template_seed", (PetscSNPrintf(hash, sizeof(hash), "%llu", (unsigned long long)st->dec.template_seed), hash)));
    PetscCall(WriteVec(&f, "params", st->np, st->P));
    PetscCall(WriteVec(&f, "best_params", st->np, st->Pbest));
    PetscCall(WriteVec(&f, "adamw_m", st->np, st->M));
    PetscCall(WriteVec(&f, "adamw_q", st->np, st->Q));
    if (st->n_hist > 0) {
      PetscCall(WriteVec(&f, "train_loss", st->n_hist, st->hist_train));
      PetscCall(WriteVec(&f, "val_loss", st->n_hist, st->hist_val));
    }
    if (st->config) PetscCall(SemgH5WriteText(&f, f.file, "config", st->config));
    /* make the data durable before the rename publishes the file */
    SemgCallH5(H5Fflush(f.file, H5F_SCOPE_GLOBAL));
    PetscCall(SemgH5Close(PETSC_COMM_SELF, &f));
  }
  PetscCallMPI(MPI_Barrier(comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode StateBcast(MPI_Comm comm, SemgNNState *st)
{
  PetscMPIInt rank;
  PetscCount  np;
  PetscInt    cap;
  int         clen;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  np   = st->np;
  cap  = st->hist_cap;
  clen = (!rank && st->config) ? (int)strlen(st->config) + 1 : 0;
  PetscCallMPI(MPI_Bcast(&clen, 1, MPI_INT, 0, comm));
  /* the scalar part travels as bytes: same binary on every rank */
  {
    SemgNNState copy = *st;
    PetscCallMPI(MPI_Bcast(&copy, (int)sizeof(copy), MPI_BYTE, 0, comm));
    if (rank) {
      PetscCall(SemgNNStateAllocate(st, copy.np, copy.hist_cap));
      np  = copy.np;
      cap = copy.hist_cap;
      {
        PetscReal *P = st->P, *M = st->M, *Q = st->Q, *B = st->Pbest, *ht = st->hist_train, *hv = st->hist_val;
        *st   = copy;
        st->P = P, st->M = M, st->Q = Q, st->Pbest = B, st->hist_train = ht, st->hist_val = hv, st->config = NULL;
      }
    }
  }
  PetscCallMPI(MPI_Bcast(st->P, (PetscMPIInt)np, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(st->M, (PetscMPIInt)np, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(st->Q, (PetscMPIInt)np, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(st->Pbest, (PetscMPIInt)np, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(st->hist_train, (PetscMPIInt)cap, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(st->hist_val, (PetscMPIInt)cap, MPIU_REAL, 0, comm));
  if (clen) {
    if (rank) PetscCall(PetscMalloc1(clen, &st->config));
    PetscCallMPI(MPI_Bcast(st->config, clen, MPI_CHAR, 0, comm));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode StateReadRank0(const char option[], const char path[], SemgNNState *st, char *err, size_t errlen)
{
  hid_t     file;
  char      magic[64], hash[32];
  long long ver;
  PetscBool found;
  hsize_t   dims[1];
  int       nd;

  PetscFunctionBeginUser;
  err[0] = 0;
  if (access(path, R_OK) || H5Fis_hdf5(path) <= 0) {
    PetscCall(PetscSNPrintf(err, errlen, "%s '%s': missing or not an HDF5 file", option, path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  SemgCallH5Id(file, H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT));
  PetscCall(SemgH5ReadAttrString(file, "magic", magic, sizeof(magic), &found));
  PetscCall(SemgH5ReadAttrInt(file, "schema_version", &ver, &found));
  if (strcmp(magic, SEMG_NN_MAGIC) || ver != SEMG_NN_SCHEMA_VERSION) {
    SemgCallH5(H5Fclose(file));
    PetscCall(PetscSNPrintf(err, errlen, "%s '%s': not a semg model/checkpoint of schema %d", option, path, SEMG_NN_SCHEMA_VERSION));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(ReadFields(file, path, st));
  PetscCall(ReadInts(file, "conv_filters", SEMG_NN_MAX_WIDTHS, &st->nconv, st->conv));
  PetscCall(ReadInts(file, "dense_widths", SEMG_NN_MAX_WIDTHS, &st->ndense, st->dense));
  PetscCall(SemgH5ReadAttrString(file, "template_hash", hash, sizeof(hash), &found));
  st->template_hash = strtoull(hash, NULL, 16);
  PetscCall(SemgH5ReadAttrString(file, "dec_template_seed", hash, sizeof(hash), &found));
  st->dec.template_seed = strtoull(hash, NULL, 10);
  PetscCall(SemgH5DatasetShape(file, "params", &nd, dims, 1));
  PetscCheck(nd == 1, PETSC_COMM_SELF, SEMG_ERR_USER, "%s '%s': no params dataset", option, path);
  {
    PetscInt n_hist = st->n_hist;
    PetscCall(SemgNNStateAllocate(st, (PetscCount)dims[0], n_hist + 1024));
  }
  PetscCall(ReadVec(file, "scaler_lo", st->K, st->lo));
  PetscCall(ReadVec(file, "scaler_hi", st->K, st->hi));
  PetscCall(ReadVec(file, "params", st->np, st->P));
  PetscCall(ReadVec(file, "best_params", st->np, st->Pbest));
  PetscCall(ReadVec(file, "adamw_m", st->np, st->M));
  PetscCall(ReadVec(file, "adamw_q", st->np, st->Q));
  PetscCall(ReadVec(file, "train_loss", st->n_hist, st->hist_train));
  PetscCall(ReadVec(file, "val_loss", st->n_hist, st->hist_val));
  PetscCall(SemgH5ReadText(file, "config", &st->config));
  SemgCallH5(H5Fclose(file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* NaN or Inf in a model's parameters or scaler would turn every estimate into NaN without a word. */
static PetscErrorCode CheckFiniteState(MPI_Comm comm, const char option[], const char path[], const SemgNNState *st)
{
  PetscFunctionBeginUser;
  for (PetscCount i = 0; i < st->np; i++)
    PetscCheck(!PetscIsInfOrNanReal(st->P[i]), comm, SEMG_ERR_USER, "%s '%s': parameter %lld is %g (a diverged or corrupt model)", option, path, (long long)i,
               (double)st->P[i]);
  for (PetscInt k = 0; k < st->K; k++)
    PetscCheck(!PetscIsInfOrNanReal(st->lo[k]) && !PetscIsInfOrNanReal(st->hi[k]), comm, SEMG_ERR_USER, "%s '%s': scaler %d is not finite", option, path, (int)k);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNNStateRead(MPI_Comm comm, const char option[], const char path[], SemgNNState *st)
{
  PetscMPIInt rank;
  char        err[PETSC_MAX_PATH_LEN + 128] = "";

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(st, sizeof(*st)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    /* rank 0 alone reads: a malformed file (truncated, wrong types) must become this rank's message,
       shared below, not an error that leaves the other ranks waiting */
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = StateReadRank0(option, path, st, err, sizeof(err));
    PetscCall(PetscPopErrorHandler());
    if (ierr && !err[0])
      PetscCall(PetscSNPrintf(err, sizeof(err), "%s '%s': not a readable semg model/checkpoint (truncated, corrupt or wrong types)", option, path));
  }
  PetscCallMPI(MPI_Bcast(err, (PetscMPIInt)sizeof(err), MPI_CHAR, 0, comm));
  PetscCheck(!err[0], comm, SEMG_ERR_USER, "%s", err);
  PetscCall(StateBcast(comm, st));
  PetscCall(CheckFiniteState(comm, option, path, st));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckpointPath(const char dir[], PetscInt64 step, char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "%s/step_%08lld.h5", dir, (long long)step));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MarkerPath(const char dir[], PetscInt64 step, char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "%s/DONE_%08lld", dir, (long long)step));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TouchFile(const char path[])
{
  int fd;

  PetscFunctionBeginUser;
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  PetscCheck(fd >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot create '%s': %s", path, strerror(errno));
  (void)fsync(fd);
  close(fd);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Steps that have a DONE marker, ascending (rank 0 only). */
static PetscErrorCode ListDone(const char dir[], PetscInt *n, PetscInt64 **steps)
{
  DIR           *d;
  struct dirent *e;
  PetscInt       cap = 64;

  PetscFunctionBeginUser;
  *n = 0;
  PetscCall(PetscMalloc1(cap, steps));
  d = opendir(dir);
  if (!d) PetscFunctionReturn(PETSC_SUCCESS);
  while ((e = readdir(d))) {
    long long s;
    char      tail;
    if (sscanf(e->d_name, "DONE_%lld%c", &s, &tail) != 1) continue;
    if (*n == cap) {
      PetscInt64 *bigger;
      PetscCall(PetscMalloc1(2 * cap, &bigger));
      PetscCall(PetscArraycpy(bigger, *steps, cap));
      PetscCall(PetscFree(*steps));
      *steps = bigger;
      cap *= 2;
    }
    (*steps)[(*n)++] = (PetscInt64)s;
  }
  closedir(d);
  for (PetscInt i = 1; i < *n; i++) /* insertion sort: few files */
    for (PetscInt j = i; j > 0 && (*steps)[j - 1] > (*steps)[j]; j--) {
      PetscInt64 t = (*steps)[j];
      (*steps)[j] = (*steps)[j - 1], (*steps)[j - 1] = t;
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckpointSave(MPI_Comm comm, const char dir[], PetscInt keep, PetscInt major, const SemgNNState *st)
{
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN], marker[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(SemgCheckpointPath(dir, st->step, path, sizeof(path)));
  PetscCall(MarkerPath(dir, st->step, marker, sizeof(marker)));
  if (!rank) (void)mkdir(dir, 0755);
  PetscCall(SemgNNStateWrite(comm, path, st)); /* tmp, fsync, rename, directory sync */
  if (!rank) {
    PetscInt    n;
    PetscInt64 *steps;
    PetscCall(TouchFile(marker));
    /* keep the last K complete checkpoints plus every major-th; delete a marker before its file */
    PetscCall(ListDone(dir, &n, &steps));
    for (PetscInt i = 0; i < n - keep; i++) {
      if (major > 0 && steps[i] % major == 0) continue;
      PetscCall(MarkerPath(dir, steps[i], marker, sizeof(marker)));
      (void)unlink(marker);
      PetscCall(SemgCheckpointPath(dir, steps[i], path, sizeof(path)));
      (void)unlink(path);
    }
    PetscCall(PetscFree(steps));
  }
  PetscCallMPI(MPI_Barrier(comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckpointFindLatest(MPI_Comm comm, const char dir[], PetscInt64 *step)
{
  PetscMPIInt rank;
  long long   s = -1;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    PetscInt    n;
    PetscInt64 *steps;
    PetscCall(ListDone(dir, &n, &steps));
    for (PetscInt i = n - 1; i >= 0 && s < 0; i--) {
      char      path[PETSC_MAX_PATH_LEN], magic[64];
      hid_t     file;
      PetscBool found;
      PetscCall(SemgCheckpointPath(dir, steps[i], path, sizeof(path)));
      if (access(path, R_OK) || H5Fis_hdf5(path) <= 0) continue;
      file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
      if (file < 0) continue;
      PetscCall(SemgH5ReadAttrString(file, "magic", magic, sizeof(magic), &found));
      H5Fclose(file);
      if (found && !strcmp(magic, SEMG_NN_MAGIC)) s = (long long)steps[i];
    }
    PetscCall(PetscFree(steps));
  }
  PetscCallMPI(MPI_Bcast(&s, 1, MPI_LONG_LONG, 0, comm));
  *step = (PetscInt64)s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckpointMarkFinal(MPI_Comm comm, const char dir[])
{
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/FINAL", dir));
  if (!rank) {
    (void)mkdir(dir, 0755);
    PetscCall(TouchFile(path));
  }
  PetscCallMPI(MPI_Barrier(comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckpointIsFinal(MPI_Comm comm, const char dir[], PetscBool *final)
{
  PetscMPIInt rank;
  int         f = 0;
  char        path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/FINAL", dir));
  if (!rank) f = access(path, F_OK) == 0;
  PetscCallMPI(MPI_Bcast(&f, 1, MPI_INT, 0, comm));
  *final = f ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}
