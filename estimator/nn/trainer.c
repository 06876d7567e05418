#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_log.h"
#include "core/semg_options.h"
#include "core/semg_rng.h"
#include "estimator/nn/trainer.h"
#include "estimator/nn/dectable_build.h"

enum { ST_SETUP, ST_DATA, ST_DECODER, ST_ENCODER, ST_BACKWARD, ST_ALLREDUCE, ST_OPTIMIZER, ST_CHECKPOINT, ST_COUNT };
_Static_assert(ST_COUNT == SEMG_TRAINER_NSTAGES, "one name per trainer log stage");
static const char *const stage_names[ST_COUNT] = {"Setup", "Data", "Decoder", "Encoder", "Backward", "Allreduce", "Optimizer", "Checkpoint"};

/* Signal handlers only set this flag; it travels in the step's reduction so all ranks stop together. */
static volatile sig_atomic_t stop_requested = 0;
static void                  StopHandler(int sig)
{
  (void)sig;
  stop_requested = 1;
}

PetscErrorCode SemgNNTruth(const SemgDataset *ds, PetscInt K, PetscCount n, PetscReal *truth)
{
  const char *names[3] = {"iz", "cv", "depth"};
  PetscInt    col[3]   = {-1, -1, -1};

  PetscFunctionBeginUser;
  if (ds->has_truth)
    for (PetscInt j = 0; j < K && j < 3; j++) PetscCall(SemgDatasetThetaIndex(ds, names[j], &col[j]));
  for (PetscCount i = 0; i < n; i++)
    for (PetscInt j = 0; j < K; j++) truth[i * K + j] = (j < 3 && col[j] >= 0) ? ds->theta[i * ds->n_theta + col[j]] : NAN;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNNBuild(const SemgNNState *st, const SemgDataset *ds, PetscInt bmax, SemgEncoder **enc, SemgDecoder **dec)
{
  SemgDecoderGeometry geo;

  PetscFunctionBeginUser;
  geo.ne   = ds->n_electrodes;
  geo.nc   = ds->n_channels;
  geo.nt   = ds->n_times;
  geo.fs   = ds->fs;
  geo.exyz = ds->electrode_xyz;
  geo.ch_e = ds->channel_electrode;
  geo.ch_w = ds->channel_weight;
  PetscCall(SemgDecoderCreate(&st->dec, &geo, dec));
  PetscCall(SemgEncoderCreate(st->enc_type, ds->n_channels, ds->n_times, (*dec)->K, st->enc_type == SEMG_ENCODER_CNN ? st->nconv : 0, st->conv, st->kernel, st->ndense, st->dense, st->act, bmax, enc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Train/validation split from SemgRng(seed, 0, SPLIT); both lists ascending. */
static PetscErrorCode TrainerSplit(SemgTrainer *tr)
{
  PetscCount N = tr->ds->n_examples, *perm;
  SemgRng    rng;
  char      *isval;

  PetscFunctionBeginUser;
  tr->n_val   = (PetscCount)floor(tr->val_fraction * (PetscReal)N + 0.5);
  tr->n_train = N - tr->n_val;
  PetscCall(PetscMalloc2(N, &perm, N, &isval));
  PetscCall(PetscMalloc3(tr->n_train, &tr->train_idx, PetscMax(tr->n_val, 1), &tr->val_idx, tr->n_train, &tr->perm));
  SemgRngInit(&rng, (uint64_t)tr->st.seed, 0, SEMG_STREAM_SPLIT);
  SemgRngPermutation(&rng, N, perm);
  PetscCall(PetscArrayzero(isval, N));
  for (PetscCount i = 0; i < tr->n_val; i++) isval[perm[i]] = 1;
  {
    PetscCount a = 0, v = 0;
    for (PetscCount i = 0; i < N; i++) {
      if (isval[i]) tr->val_idx[v++] = i;
      else tr->train_idx[a++] = i;
    }
  }
  PetscCall(PetscFree2(perm, isval));
  tr->perm_epoch = -1;
  PetscCheck(tr->n_train >= tr->global_batch, tr->comm, SEMG_ERR_USER, "-data '%s': %" PetscCount_FMT " training samples, fewer than -train_global_batch %" PetscInt_FMT, tr->data, tr->n_train, tr->global_batch);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TrainerInstallSignals(void)
{
  struct sigaction sa;

  PetscFunctionBeginUser;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = StopHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  PetscCheck(!sigaction(SIGUSR1, &sa, NULL) && !sigaction(SIGTERM, &sa, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "sigaction failed");
  stop_requested = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Fresh state: rank 0 initialises, everyone receives the same bits (spec 3.1). */
static PetscErrorCode TrainerInitState(SemgTrainer *tr)
{
  SemgNNState *st = &tr->st;

  PetscFunctionBeginUser;
  if (!tr->rank) PetscCall(SemgEncoderInit(tr->enc, st->init, (uint64_t)st->seed, st->P));
  PetscCallMPI(MPI_Bcast(st->P, (PetscMPIInt)st->np, MPIU_REAL, 0, tr->comm));
  PetscCall(PetscArraycpy(st->Pbest, st->P, st->np));
  st->step = 0, st->epoch = 0, st->step_in_epoch = 0;
  st->adamw.t        = 0;
  st->epoch_loss_sum = 0, st->epoch_count = 0;
  st->best_val = PETSC_MAX_REAL, st->best_epoch = -1, st->bad_epochs = 0, st->finished = 0;
  st->n_hist = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Resume from the newest complete checkpoint: architecture, template and batch must match. */
static PetscErrorCode TrainerResume(SemgTrainer *tr, PetscInt64 step)
{
  SemgNNState *st = &tr->st, ck;
  char         path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(SemgCheckpointPath(tr->ckpt_dir, step, path, sizeof(path)));
  PetscCall(SemgNNStateRead(tr->comm, "-ckpt_dir", path, &ck));
  PetscCheck(ck.np == st->np && ck.template_hash == st->template_hash && ck.global_batch == st->global_batch && ck.K == st->K, tr->comm, SEMG_ERR_USER, "checkpoint '%s' does not match this run (architecture, template or -train_global_batch changed); use another -ckpt_dir or -train_resume 0", path);
  PetscCheck(!ck.data_fingerprint || ck.data_fingerprint == st->data_fingerprint, tr->comm, SEMG_ERR_USER, "checkpoint '%s' was written while training on other data (-data '%s' differs); use another -ckpt_dir or -train_resume 0", path, tr->data);
  if (ck.chunks == 0)
    PetscCheck(ck.n_ranks == tr->size, tr->comm, SEMG_ERR_USER, "checkpoint '%s' was written by %d ranks; resume with the same count (or train with -train_chunks)", path,
               (int)ck.n_ranks);
  PetscCheck(ck.chunks == st->chunks, tr->comm, SEMG_ERR_USER, "checkpoint '%s' used -train_chunks %d", path, (int)ck.chunks);
  PetscCall(PetscArraycpy(st->P, ck.P, st->np));
  PetscCall(PetscArraycpy(st->M, ck.M, st->np));
  PetscCall(PetscArraycpy(st->Q, ck.Q, st->np));
  PetscCall(PetscArraycpy(st->Pbest, ck.Pbest, st->np));
  PetscCheck(ck.n_hist <= st->hist_cap, tr->comm, SEMG_ERR_USER, "checkpoint '%s' holds more epochs than -train_epochs", path);
  PetscCall(PetscArraycpy(st->hist_train, ck.hist_train, ck.n_hist));
  PetscCall(PetscArraycpy(st->hist_val, ck.hist_val, ck.n_hist));
  st->n_hist  = ck.n_hist;
  st->adamw.t = ck.adamw.t;
  st->step = ck.step, st->epoch = ck.epoch, st->step_in_epoch = ck.step_in_epoch;
  st->epoch_loss_sum = ck.epoch_loss_sum, st->epoch_count = ck.epoch_count;
  st->best_val = ck.best_val, st->best_epoch = ck.best_epoch, st->bad_epochs = ck.bad_epochs, st->finished = ck.finished;
  PetscCall(SemgNNStateFree(&ck));
  PetscCall(PetscPrintf(tr->comm, "semg train: resumed from %s (step %lld, epoch %d, batch %d of the epoch)\n", path, (long long)st->step, (int)st->epoch,
                        (int)st->step_in_epoch));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTrainerSetUp(SemgTrainer *tr, PetscBool *already_final)
{
  SemgNNState *st = &tr->st;
  PetscInt     bmax, nloc;
  PetscInt64   last = -1;
  char        *opts;

  PetscFunctionBeginUser;
  for (int i = 0; i < ST_COUNT; i++) PetscCall(PetscLogStageRegister(stage_names[i], &tr->stage[i]));
  PetscCall(PetscTime(&tr->t_start));
  PetscCall(SemgCheckpointIsFinal(tr->comm, tr->ckpt_dir, already_final));
  if (*already_final) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscLogStagePush(tr->stage[ST_SETUP]));
  PetscCall(SemgDatasetReadAll(tr->comm, tr->data, &tr->ds));
  tr->st.data_fingerprint = (PetscInt64)SemgDatasetFingerprint(tr->ds); /* a resume must see the same data */
  tr->nx                  = tr->ds->n_channels * tr->ds->n_times;
  PetscCall(SemgNormaliseSamples(tr->ds->n_examples, tr->nx, tr->ds->data, NULL));
  PetscCall(TrainerSplit(tr));
  /* encoder capacity: a chunk (Tier B), the local batch, or an evaluation batch */
  nloc = tr->chunks > 0 ? tr->global_batch / tr->chunks : tr->global_batch / tr->size;
  bmax = PetscMax(nloc, tr->eval_batch);
  PetscCall(SemgNNBuild(st, tr->ds, bmax, &tr->enc, &tr->dec));
  PetscCall(SemgDecoderUseTable(tr->comm, tr->dec)); /* -dec_table */
  PetscCall(SemgModelCreate(tr->enc, tr->dec, &tr->model));
  tr->model->lambda_sup     = tr->lambda_sup;
  tr->model->lambda_h       = tr->lambda_h;
  tr->model->stage_encoder  = tr->stage[ST_ENCODER];
  tr->model->stage_decoder  = tr->stage[ST_DECODER];
  tr->model->stage_backward = tr->stage[ST_BACKWARD];
  st->in_channels           = tr->ds->n_channels;
  st->in_times              = tr->ds->n_times;
  st->K                     = tr->dec->K;
  st->montage               = (PetscInt)tr->ds->montage;
  st->template_hash         = tr->dec->hash;
  st->n_ranks               = tr->size;
  st->chunks                = tr->chunks;
  st->global_batch          = tr->global_batch;
  for (PetscInt j = 0; j < st->K; j++) st->lo[j] = tr->dec->scaler.lo[j], st->hi[j] = tr->dec->scaler.hi[j];
  PetscCall(SemgNNStateAllocate(st, tr->enc->n_params, tr->epochs));
  PetscCall(SemgOptionsString(&opts));
  st->config = opts;
  PetscCall(PetscMalloc1((size_t)tr->ds->n_examples * st->K, &tr->truth));
  PetscCall(SemgNNTruth(tr->ds, st->K, tr->ds->n_examples, tr->truth));
  /* buffers: G; reduction record [G | loss | count | stop]; Tier B chunk records and gathered subtrees */
  PetscCall(PetscMalloc1(st->np, &tr->G));
  PetscCall(PetscMalloc1(st->np + 3, &tr->red));
  if (tr->chunks > 0) {
    PetscCall(PetscMalloc1((size_t)(tr->chunks / tr->size) * (st->np + 3), &tr->chunkbuf));
    PetscCall(PetscMalloc1((size_t)tr->size * (st->np + 3), &tr->gathered));
  }
  PetscCall(PetscMalloc3((size_t)bmax * tr->nx, &tr->bx, (size_t)bmax * st->K, &tr->bt, PetscMax(tr->n_val, 1), &tr->vloss));
  PetscCall(PetscMalloc1(st->np, &tr->decay_mask));
  for (PetscInt i = 0; i < tr->enc->ntensors; i++) {
    const SemgTensor *t = &tr->enc->tensor[i];
    for (PetscCount j = 0; j < t->size; j++) tr->decay_mask[t->offset + j] = (char)(tr->decay_bias || !t->is_bias);
  }
  PetscCall(TrainerInitState(tr));
  if (tr->resume) PetscCall(SemgCheckpointFindLatest(tr->comm, tr->ckpt_dir, &last));
  if (last >= 0) PetscCall(TrainerResume(tr, last));
  PetscCall(TrainerInstallSignals());
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTrainerDestroy(SemgTrainer *tr)
{
  PetscFunctionBeginUser;
  PetscCall(SemgModelDestroy(&tr->model));
  PetscCall(SemgEncoderDestroy(&tr->enc));
  PetscCall(SemgDecoderDestroy(&tr->dec));
  if (tr->ds) PetscCall(SemgDatasetDestroy(&tr->ds));
  if (tr->train_idx) PetscCall(PetscFree3(tr->train_idx, tr->val_idx, tr->perm));
  PetscCall(PetscFree(tr->truth));
  PetscCall(PetscFree(tr->G));
  PetscCall(PetscFree(tr->red));
  PetscCall(PetscFree(tr->chunkbuf));
  PetscCall(PetscFree(tr->gathered));
  if (tr->bx) PetscCall(PetscFree3(tr->bx, tr->bt, tr->vloss));
  PetscCall(PetscFree(tr->decay_mask));
  if (tr->st.P) PetscCall(SemgNNStateFree(&tr->st));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Sampler (spec 3.2): permutation of the training list keyed by (seed, epoch); identity without shuffle. */
static PetscErrorCode TrainerEpochPermutation(SemgTrainer *tr, PetscInt epoch)
{
  PetscFunctionBeginUser;
  if (tr->perm_epoch == epoch) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(SemgSamplerPermutation((uint64_t)tr->st.seed, epoch, tr->shuffle, tr->n_train, tr->perm));
  tr->perm_epoch = epoch;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Copy the samples at epoch positions pos[0..n) into the batch buffers. */
static PetscErrorCode TrainerGather(SemgTrainer *tr, const PetscCount *pos, PetscInt n)
{
  const PetscInt K = tr->st.K;

  PetscFunctionBeginUser;
  PetscCall(PetscLogStagePush(tr->stage[ST_DATA]));
  for (PetscInt i = 0; i < n; i++) {
    PetscCount s = tr->train_idx[tr->perm[pos[i]]];
    PetscCall(PetscArraycpy(tr->bx + (size_t)i * tr->nx, tr->ds->data + (size_t)s * tr->nx, tr->nx));
    PetscCall(PetscArraycpy(tr->bt + (size_t)i * K, tr->truth + (size_t)s * K, K));
  }
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* a += b elementwise (one tree node). */
static inline void AddInto(PetscCount n, PetscReal *restrict a, const PetscReal *restrict b)
{
  for (PetscCount i = 0; i < n; i++) a[i] += b[i];
}

/* Balanced binary tree over m records of length n (m a power of two): result in rec[0]. */
static void TreeReduce(PetscInt m, PetscCount n, PetscReal *rec)
{
  for (PetscInt width = 1; width < m; width *= 2)
    for (PetscInt i = 0; i + width < m; i += 2 * width) AddInto(n, rec + (size_t)i * n, rec + (size_t)(i + width) * n);
}

/* Gradient, loss and count of this rank's share of global batch k, reduced over all ranks into
   tr->red = [G | loss | count | stop] (sums). */
static PetscErrorCode TrainerReduceStep(SemgTrainer *tr, PetscInt k, PetscReal stop_local)
{
  const PetscCount np = tr->st.np, rl = np + 3;
  const PetscInt   nloc = tr->global_batch / tr->size;
  PetscReal        loss;
  PetscCount      *pos;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nloc, &pos));
  PetscCall(SemgSamplerRankPositions(tr->global_batch, k, tr->size, tr->rank, tr->chunks, pos));
  if (tr->chunks == 0) {
    /* stride layout (DistributedSampler): rank r takes positions r, r + W, ... of the global batch */
    PetscCall(TrainerGather(tr, pos, nloc));
    PetscCall(PetscArrayzero(tr->red, rl));
    PetscCall(SemgModelLossGrad(tr->model, tr->st.P, nloc, tr->bx, tr->bt, &loss, tr->red));
    tr->red[np] = loss, tr->red[np + 1] = nloc, tr->red[np + 2] = stop_local;
    PetscCall(PetscLogStagePush(tr->stage[ST_ALLREDUCE]));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, tr->red, (PetscMPIInt)rl, MPIU_REAL, MPI_SUM, tr->comm));
    PetscCall(PetscLogStagePop());
  } else {
    /* Tier B: canonical chunks in block layout; local subtree, allgather, top of the same tree */
    PetscInt cs = tr->global_batch / tr->chunks, mine = tr->chunks / tr->size;
    for (PetscInt c = 0; c < mine; c++) {
      PetscReal *rec = tr->chunkbuf + (size_t)c * rl;
      PetscCall(TrainerGather(tr, pos + (size_t)c * cs, cs)); /* block layout: my chunks in order */
      PetscCall(PetscArrayzero(rec, rl));
      PetscCall(SemgModelLossGrad(tr->model, tr->st.P, cs, tr->bx, tr->bt, &loss, rec));
      rec[np] = loss, rec[np + 1] = cs, rec[np + 2] = 0;
    }
    TreeReduce(mine, rl, tr->chunkbuf);
    tr->chunkbuf[np + 2] = stop_local;
    PetscCall(PetscLogStagePush(tr->stage[ST_ALLREDUCE]));
    PetscCallMPI(MPI_Allgather(tr->chunkbuf, (PetscMPIInt)rl, MPIU_REAL, tr->gathered, (PetscMPIInt)rl, MPIU_REAL, tr->comm));
    PetscCall(PetscLogStagePop());
    TreeReduce(tr->size, rl, tr->gathered);
    PetscCall(PetscArraycpy(tr->red, tr->gathered, rl));
  }
  PetscCall(PetscFree(pos));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscReal TrainerLearningRate(const SemgTrainer *tr)
{
  const SemgNNState *st = &tr->st;
  PetscInt64         S = tr->n_train / tr->global_batch, total = (PetscInt64)tr->epochs * S;

  if (tr->max_steps > 0 && tr->max_steps < total) total = tr->max_steps;
  return SemgLRScheduleRate(&tr->lr, st->adamw.lr, st->step, st->epoch, total);
}

/* Average, clip, update: identical on every rank (same reduced bits in, same bits out). */
static PetscErrorCode TrainerUpdate(SemgTrainer *tr)
{
  SemgNNState    *st    = &tr->st;
  const PetscReal count = tr->red[st->np + 1];

  PetscFunctionBeginUser;
  PetscCall(PetscLogStagePush(tr->stage[ST_OPTIMIZER]));
  for (PetscCount i = 0; i < st->np; i++) tr->G[i] = tr->red[i] / count;
  if (tr->clip_norm > 0) {
    PetscReal nrm = 0;
    for (PetscCount i = 0; i < st->np; i++) nrm += tr->G[i] * tr->G[i];
    nrm = PetscSqrtReal(nrm);
    if (nrm > tr->clip_norm)
      for (PetscCount i = 0; i < st->np; i++) tr->G[i] *= tr->clip_norm / nrm;
  }
  PetscCall(SemgAdamWStep(&st->adamw, TrainerLearningRate(tr), st->np, st->P, tr->G, st->M, st->Q, tr->decay_mask));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Mean validation loss with the current parameters. Each rank evaluates positions r, r+W, ... of the
   unpadded list; per-sample losses are summed in index order, so the value does not depend on W. */
static PetscErrorCode TrainerValidate(SemgTrainer *tr, PetscReal *val)
{
  PetscReal sum = 0, l;

  PetscFunctionBeginUser;
  *val = NAN;
  if (tr->n_val == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscArrayzero(tr->vloss, tr->n_val));
  for (PetscCount p = tr->rank; p < tr->n_val; p += tr->size) {
    const PetscCount s = tr->val_idx[p];
    PetscCall(SemgModelLossGrad(tr->model, tr->st.P, 1, tr->ds->data + (size_t)s * tr->nx, tr->truth + (size_t)s * tr->st.K, &l, NULL));
    tr->vloss[p] = l;
  }
  /* exactly one rank contributes each entry, so the sum is exact and the order below is fixed */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, tr->vloss, (PetscMPIInt)tr->n_val, MPIU_REAL, MPI_SUM, tr->comm));
  for (PetscCount i = 0; i < tr->n_val; i++) sum += tr->vloss[i];
  *val = sum / (PetscReal)tr->n_val;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TrainerCheckpoint(SemgTrainer *tr)
{
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscLogStagePush(tr->stage[ST_CHECKPOINT]));
  PetscCall(PetscTime(&t0));
  PetscCall(SemgCheckpointSave(tr->comm, tr->ckpt_dir, tr->ckpt_keep, tr->ckpt_major, &tr->st));
  PetscCall(PetscTime(&t1));
  tr->t_ckpt = t1 - t0;
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* End of an epoch: history, early stopping, best parameters. */
static PetscErrorCode TrainerEndEpoch(SemgTrainer *tr)
{
  SemgNNState *st = &tr->st;
  PetscReal    val, train = st->epoch_count > 0 ? st->epoch_loss_sum / (PetscReal)st->epoch_count : NAN;

  PetscFunctionBeginUser;
  PetscCall(TrainerValidate(tr, &val));
  st->hist_train[st->n_hist] = train;
  st->hist_val[st->n_hist]   = val;
  st->n_hist++;
  if (tr->n_val == 0 || val < st->best_val) {
    st->best_val   = tr->n_val ? val : train;
    st->best_epoch = st->epoch;
    st->bad_epochs = 0;
    PetscCall(PetscArraycpy(st->Pbest, st->P, st->np));
  } else st->bad_epochs++;
  if (!tr->quiet)
    PetscCall(PetscPrintf(tr->comm, "epoch %4d  step %8lld  train %.6e  val %.6e%s\n", (int)st->epoch, (long long)st->step, (double)train, (double)val, st->bad_epochs ? "" : "  *"));
  st->epoch++;
  st->step_in_epoch  = 0;
  st->epoch_loss_sum = 0;
  st->epoch_count    = 0;
  if (st->epoch >= tr->epochs || (tr->patience > 0 && st->bad_epochs >= tr->patience)) st->finished = 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0 decides whether the wall-clock budget allows another step and a checkpoint (spec 3.4). */
static PetscReal TrainerBudgetStop(SemgTrainer *tr)
{
  PetscLogDouble now;

  if (tr->max_wall_time <= 0 || tr->rank) return 0.0;
  if (PetscTime(&now)) return 1.0;
  return (now - tr->t_start) + 2.0 * tr->t_step + 2.0 * tr->t_ckpt > 0.99 * tr->max_wall_time ? 1.0 : 0.0;
}

static PetscErrorCode TrainerFinish(SemgTrainer *tr)
{
  PetscFunctionBeginUser;
  tr->st.finished = 1;
  PetscCall(PetscLogStagePush(tr->stage[ST_CHECKPOINT]));
  PetscCall(SemgNNStateWrite(tr->comm, tr->output, &tr->st));
  PetscCall(SemgCheckpointMarkFinal(tr->comm, tr->ckpt_dir));
  PetscCall(PetscLogStagePop());
  PetscCall(PetscPrintf(tr->comm, "semg train: %lld steps, %d epochs, best validation loss %.6e (epoch %d) -> %s\n", (long long)tr->st.step,
                        (int)tr->st.n_hist, (double)tr->st.best_val, (int)tr->st.best_epoch, tr->output));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTrainerRun(SemgTrainer *tr)
{
  SemgNNState   *st    = &tr->st;
  const PetscInt S     = (PetscInt)(tr->n_train / tr->global_batch);
  PetscInt64     total = (PetscInt64)tr->epochs * S;
  SemgProgress   prog;

  PetscFunctionBeginUser;
  if (tr->max_steps > 0 && tr->max_steps < total) total = tr->max_steps;
  PetscCall(SemgProgressStart(tr->comm, "train steps", total, &prog));
  if (tr->quiet) prog.quiet = PETSC_TRUE;
  while (!st->finished) {
    PetscCall(TrainerEpochPermutation(tr, st->epoch));
    while (st->step_in_epoch < S && !st->finished) {
      PetscLogDouble t0, t1;
      PetscReal      stop, count;

      PetscCall(PetscTime(&t0));
      PetscCall(TrainerReduceStep(tr, st->step_in_epoch, (stop_requested ? 1.0 : 0.0) + TrainerBudgetStop(tr)));
      PetscCall(TrainerUpdate(tr));
      count = tr->red[st->np + 1];
      stop  = tr->red[st->np + 2];
      st->epoch_loss_sum += tr->red[st->np];
      st->epoch_count += (PetscInt64)count;
      st->step++;
      st->step_in_epoch++;
      PetscCall(PetscTime(&t1));
      tr->t_step = tr->t_step > 0 ? 0.9 * tr->t_step + 0.1 * (t1 - t0) : t1 - t0;
      PetscCall(SemgProgressUpdate(tr->comm, &prog, (PetscCount)st->step));
      if (tr->max_steps > 0 && st->step >= tr->max_steps) st->finished = 1;
      if (stop > 0) {
        /* every rank saw the same reduced flag: checkpoint and ask to be requeued */
        PetscCall(TrainerCheckpoint(tr));
        PetscCall(SemgProgressEnd(tr->comm, &prog));
        PetscCall(PetscPrintf(tr->comm, "semg train: stop requested; checkpoint at step %lld in %s, exit %d (requeue)\n", (long long)st->step, tr->ckpt_dir, SEMG_EXIT_REQUEUE));
        SemgSetExitCode(SEMG_EXIT_REQUEUE);
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      if (tr->ckpt_interval > 0 && st->step % tr->ckpt_interval == 0 && !st->finished) PetscCall(TrainerCheckpoint(tr));
    }
    if (st->step_in_epoch >= S) {
      PetscCall(TrainerEndEpoch(tr));
      if (tr->ckpt_epoch && !st->finished) PetscCall(TrainerCheckpoint(tr));
    }
  }
  PetscCall(SemgProgressEnd(tr->comm, &prog));
  PetscCall(TrainerFinish(tr));
  PetscFunctionReturn(PETSC_SUCCESS);
}
