/* Options of semg train (SemgTrainerSetFromOptions): defaults, one piece per concern (files, encoder,
   training, learning-rate schedule, AdamW, checkpoints), then the checks that involve several options. */
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "estimator/nn/trainer.h"

/* Defaults (spec estimator.md 2.2, 2.6, 3). */
static PetscErrorCode TrainerDefaults(SemgTrainer *tr)
{
  SemgNNState *st = &tr->st;

  PetscFunctionBeginUser;
  st->enc_type = SEMG_ENCODER_CNN;
  st->nconv    = 3;
  st->conv[0] = 16, st->conv[1] = 32, st->conv[2] = 64;
  st->kernel        = 7;
  st->ndense        = 1;
  st->dense[0]      = 128;
  st->act           = SEMG_ACT_RELU;
  st->init          = SEMG_INIT_TORCH;
  st->seed          = 1;
  tr->global_batch  = 32;
  tr->epochs        = 50;
  tr->max_steps     = 0;
  tr->patience      = 10;
  tr->chunks        = 0;
  tr->val_fraction  = 0.1;
  tr->clip_norm     = 0.0;
  tr->decay_bias    = PETSC_TRUE;
  tr->resume        = PETSC_TRUE;
  tr->shuffle       = PETSC_TRUE;
  tr->ckpt_interval = 0;
  tr->ckpt_epoch    = PETSC_TRUE;
  tr->ckpt_keep     = 3;
  tr->ckpt_major    = 0;
  tr->max_wall_time = 0.0;
  tr->eval_batch    = 64;
  PetscCall(SemgLRScheduleDefault(&tr->lr));
  PetscCall(SemgAdamWDefaults(SEMG_ADAMW_TORCH, &st->adamw));
  PetscCall(SemgDecoderSpecDefault(&st->dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Input and output files. */
static PetscErrorCode TrainerFileOptions(PetscOptionItems *PetscOptionsObject, SemgTrainer *tr, PetscBool *set_data, PetscBool *set_out, PetscBool *set_ckpt)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsString("-data", "training dataset (.h5, semg simulate/import)", "", tr->data, tr->data, sizeof(tr->data), set_data));
  PetscCall(PetscOptionsString("-output", "trained model (.h5; checkpoint layout plus loss history)", "", tr->output, tr->output, sizeof(tr->output), set_out));
  PetscCall(PetscOptionsString("-ckpt_dir", "checkpoint directory (default: OUTPUT without .h5 + _ckpt)", "", tr->ckpt_dir, tr->ckpt_dir, sizeof(tr->ckpt_dir), set_ckpt));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Encoder architecture (the decoder's options: SemgDecoderSpecSetFromOptions). */
static PetscErrorCode EncoderOptions(PetscOptionItems *PetscOptionsObject, SemgNNState *st)
{
  PetscInt  nc = SEMG_NN_MAX_WIDTHS, nd = SEMG_NN_MAX_WIDTHS;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsEnum("-enc_type", "encoder: mlp or cnn", "", SemgEncoderTypes, (PetscEnum)st->enc_type, (PetscEnum *)&st->enc_type, NULL));
  PetscCall(PetscOptionsIntArray("-enc_conv", "CNN filters per block (conv, activation, avgpool 2)", "", st->conv, &nc, &set));
  if (set) st->nconv = nc;
  PetscCall(PetscOptionsInt("-enc_kernel", "CNN kernel length (odd)", "", st->kernel, &st->kernel, NULL));
  PetscCall(PetscOptionsIntArray("-enc_dense", "hidden dense widths (after the conv blocks / MLP hidden layers)", "", st->dense, &nd, &set));
  if (set) st->ndense = nd;
  PetscCall(PetscOptionsEnum("-enc_activation", "hidden activation", "", SemgActivations, (PetscEnum)st->act, (PetscEnum *)&st->act, NULL));
  PetscCall(PetscOptionsEnum("-enc_init", "weight initialisation: torch or glorot", "", SemgInitTypes, (PetscEnum)st->init, (PetscEnum *)&st->init, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Steps, batches, split, loss weights, reduction. */
static PetscErrorCode TrainingOptions(PetscOptionItems *PetscOptionsObject, SemgTrainer *tr)
{
  PetscInt seed = (PetscInt)tr->st.seed;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInt("-train_seed", "seed of initialisation, split and sampler", "", seed, &seed, NULL));
  tr->st.seed = seed;
  PetscCall(PetscOptionsInt("-train_global_batch", "global batch (samples per step over all ranks)", "", tr->global_batch, &tr->global_batch, NULL));
  PetscCall(PetscOptionsInt("-train_epochs", "maximum epochs", "", tr->epochs, &tr->epochs, NULL));
  PetscCall(PetscOptionsInt("-train_max_steps", "stop after this many global steps (0 = no limit)", "", tr->max_steps, &tr->max_steps, NULL));
  PetscCall(PetscOptionsReal("-train_val_fraction", "validation split fraction", "", tr->val_fraction, &tr->val_fraction, NULL));
  PetscCall(PetscOptionsInt("-train_patience", "early stopping: epochs without validation improvement (0 = off)", "", tr->patience, &tr->patience, NULL));
  PetscCall(PetscOptionsInt("-train_chunks", "fixed-order reduction over this many canonical chunks (power of two; 0 = plain MPI_Allreduce)", "", tr->chunks, &tr->chunks, NULL));
  PetscCall(PetscOptionsBool("-train_shuffle", "shuffle every epoch (permutation keyed by seed and epoch)", "", tr->shuffle, &tr->shuffle, NULL));
  PetscCall(PetscOptionsReal("-train_lambda_sup", "weight of the supervised term (needs ground truth)", "", tr->lambda_sup, &tr->lambda_sup, NULL));
  PetscCall(PetscOptionsReal("-train_lambda_h", "weight of the latent penalty sum h^2", "", tr->lambda_h, &tr->lambda_h, NULL));
  PetscCall(PetscOptionsReal("-train_clip_norm", "clip the reduced gradient to this global norm (0 = off)", "", tr->clip_norm, &tr->clip_norm, NULL));
  PetscCall(PetscOptionsInt("-train_eval_batch", "batch for validation/estimation", "", tr->eval_batch, &tr->eval_batch, NULL));
  PetscCall(PetscOptionsBool("-train_quiet", "no progress line", "", tr->quiet, &tr->quiet, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* AdamW: the variant sets the defaults of the other values. */
static PetscErrorCode AdamWOptions(PetscOptionItems *PetscOptionsObject, SemgAdamW *opt, PetscBool *decay_bias)
{
  PetscInt  variant = (PetscInt)opt->variant, n2 = 2;
  PetscReal b[2];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsEnum("-adamw_variant", "AdamW form: torch or keras", "", SemgAdamWVariants, (PetscEnum)variant, (PetscEnum *)&variant, NULL));
  PetscCall(SemgAdamWDefaults((SemgAdamWVariant)variant, opt));
  b[0] = opt->beta1, b[1] = opt->beta2;
  PetscCall(PetscOptionsReal("-adamw_lr", "learning rate", "", opt->lr, &opt->lr, NULL));
  PetscCall(PetscOptionsRealArray("-adamw_betas", "beta1,beta2", "", b, &n2, NULL));
  opt->beta1 = b[0], opt->beta2 = b[1];
  PetscCall(PetscOptionsReal("-adamw_eps", "epsilon", "", opt->eps, &opt->eps, NULL));
  PetscCall(PetscOptionsReal("-adamw_weight_decay", "decoupled weight decay", "", opt->weight_decay, &opt->weight_decay, NULL));
  PetscCall(PetscOptionsBool("-adamw_decay_bias", "apply weight decay to biases too (PyTorch default)", "", *decay_bias, decay_bias, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Checkpoints, restart and the wall-clock budget. */
static PetscErrorCode CheckpointOptions(PetscOptionItems *PetscOptionsObject, SemgTrainer *tr)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInt("-ckpt_interval", "checkpoint every this many steps (0 = epoch ends only)", "", tr->ckpt_interval, &tr->ckpt_interval, NULL));
  PetscCall(PetscOptionsBool("-ckpt_epoch", "checkpoint at every epoch end", "", tr->ckpt_epoch, &tr->ckpt_epoch, NULL));
  PetscCall(PetscOptionsInt("-ckpt_keep", "complete checkpoints kept", "", tr->ckpt_keep, &tr->ckpt_keep, NULL));
  PetscCall(PetscOptionsInt("-ckpt_major", "also keep every step divisible by this (0 = none)", "", tr->ckpt_major, &tr->ckpt_major, NULL));
  PetscCall(PetscOptionsBool("-train_resume", "resume from the newest complete checkpoint", "", tr->resume, &tr->resume, NULL));
  PetscCall(PetscOptionsReal("-max_wall_time", "wall-clock budget in s: checkpoint and exit 99 before it runs out (0 = none)", "", tr->max_wall_time, &tr->max_wall_time, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Values no option can take alone: batch against the rank count, chunks, ranges. */
static PetscErrorCode TrainerCheckOptions(SemgTrainer *tr)
{
  const SemgNNState *st   = &tr->st;
  const SemgAdamW   *opt  = &st->adamw;
  MPI_Comm           comm = tr->comm;

  PetscFunctionBeginUser;
  PetscCheck(SemgStringEndsWith(tr->output, ".h5"), comm, SEMG_ERR_USER, "-output '%s' must end in .h5", tr->output);
  PetscCheck(tr->global_batch > 0 && tr->global_batch % tr->size == 0, comm, SEMG_ERR_USER, "-train_global_batch %" PetscInt_FMT " must be a positive multiple of the rank count %d", tr->global_batch, tr->size);
  if (tr->chunks > 0) {
    PetscCheck((tr->chunks & (tr->chunks - 1)) == 0 && (tr->size & (tr->size - 1)) == 0 && tr->chunks % tr->size == 0, comm, SEMG_ERR_USER, "-train_chunks %" PetscInt_FMT " must be a power of two divisible by the rank count %d (itself a power of two)", tr->chunks, tr->size);
    PetscCheck(tr->global_batch % tr->chunks == 0, comm, SEMG_ERR_USER, "-train_chunks %" PetscInt_FMT " must divide -train_global_batch %" PetscInt_FMT, tr->chunks, tr->global_batch);
  }
  PetscCheck(tr->val_fraction >= 0 && tr->val_fraction < 1, comm, SEMG_ERR_USER, "-train_val_fraction %g must be in [0, 1)", (double)tr->val_fraction);
  PetscCheck(st->nconv >= 0 && st->ndense >= 0 && tr->epochs > 0 && tr->eval_batch > 0 && tr->ckpt_keep > 0, comm, SEMG_ERR_USER, "-train_epochs, -train_eval_batch, -ckpt_keep must be > 0");
  PetscCheck(opt->lr > 0 && opt->eps > 0 && opt->weight_decay >= 0 && opt->beta1 >= 0 && opt->beta1 < 1 && opt->beta2 >= 0 && opt->beta2 < 1, comm, SEMG_ERR_USER, "-adamw_*: need lr > 0, eps > 0, weight decay >= 0, betas in [0, 1)");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTrainerSetFromOptions(MPI_Comm comm, SemgTrainer *tr)
{
  PetscBool set_data, set_out, set_ckpt;

  PetscFunctionBeginUser;
  tr->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &tr->rank));
  PetscCallMPI(MPI_Comm_size(comm, &tr->size));
  PetscCall(TrainerDefaults(tr));
  PetscOptionsBegin(comm, NULL, "semg train: informed autoencoder, data-parallel", "semg");
  PetscCall(TrainerFileOptions(PetscOptionsObject, tr, &set_data, &set_out, &set_ckpt));
  PetscCall(EncoderOptions(PetscOptionsObject, &tr->st));
  PetscCall(TrainingOptions(PetscOptionsObject, tr));
  PetscCall(SemgLRScheduleOptions(PetscOptionsObject, &tr->lr));
  PetscCall(AdamWOptions(PetscOptionsObject, &tr->st.adamw, &tr->decay_bias));
  PetscCall(CheckpointOptions(PetscOptionsObject, tr));
  PetscOptionsEnd();
  PetscCall(SemgDecoderSpecSetFromOptions(comm, &tr->st.dec));
  PetscCall(SemgOptionsRequire(comm, "-data", set_data));
  PetscCall(SemgOptionsRequire(comm, "-output", set_out));
  PetscCall(TrainerCheckOptions(tr));
  if (!set_ckpt) {
    size_t len;
    PetscCall(PetscStrncpy(tr->ckpt_dir, tr->output, sizeof(tr->ckpt_dir)));
    PetscCall(PetscStrlen(tr->ckpt_dir, &len));
    tr->ckpt_dir[len - 3] = 0;
    PetscCall(PetscStrlcat(tr->ckpt_dir, "_ckpt", sizeof(tr->ckpt_dir)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
