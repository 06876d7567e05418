/* Data-parallel trainer of the informed autoencoder (spec estimator.md 3): distributed sampler,
   one reduction per step of [G | loss | count | stop], optional fixed-order (Tier B) reduction,
   AdamW, learning-rate schedule, validation and early stopping, checkpoint/restart with stop requests
   (SIGUSR1/SIGTERM, wall-clock budget) and exit code 99. */
#ifndef SEMG_NN_TRAINER_H
#define SEMG_NN_TRAINER_H

#include <petscsys.h>
#include "core/semg_dataset.h"
#include "estimator/nn/model.h"
#include "estimator/nn/checkpoint.h"
#include "estimator/nn/sampler.h"
#include "estimator/nn/lr_schedule.h"

/* log stages of a training run (trainer.c registers them by name) */
#define SEMG_TRAINER_NSTAGES 8

typedef struct {
  /* options */
  char           data[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN], ckpt_dir[PETSC_MAX_PATH_LEN];
  PetscInt       global_batch, epochs, max_steps, patience, chunks, ckpt_interval, ckpt_keep, ckpt_major, eval_batch;
  PetscReal      val_fraction, clip_norm, max_wall_time, lambda_sup, lambda_h;
  SemgLRSchedule lr;
  PetscBool      decay_bias, resume, shuffle, ckpt_epoch, quiet;
  SemgNNState    st; /* architecture, parameters, optimiser and sampler state */
  /* data (every rank holds every example: the sampler draws from the whole set) */
  SemgDataset *ds;
  PetscInt     nx;
  PetscReal   *truth; /* N x K in latent order, NaN where unknown */
  PetscCount   n_train, n_val, *train_idx, *val_idx, *perm;
  PetscInt     perm_epoch;
  /* objects and work buffers */
  SemgEncoder   *enc;
  SemgDecoder   *dec;
  SemgModel     *model;
  PetscReal     *G, *red, *chunkbuf, *gathered, *bx, *bt, *vloss;
  char          *decay_mask;
  MPI_Comm       comm;
  PetscMPIInt    rank, size;
  PetscLogStage  stage[SEMG_TRAINER_NSTAGES]; /* Setup, Data, Decoder, Encoder, Backward, Allreduce, Optimizer, Checkpoint */
  PetscLogDouble t_start, t_step, t_ckpt;
} SemgTrainer;

/* Options (documented in -help); called from the train command's ProcessOptions. */
PETSC_EXTERN PetscErrorCode SemgTrainerSetFromOptions(MPI_Comm comm, SemgTrainer *tr);
/* Read the data, build decoder/encoder/model, initialise or resume. *already_final when the checkpoint
   directory holds a FINAL marker (nothing to do). */
PETSC_EXTERN PetscErrorCode SemgTrainerSetUp(SemgTrainer *tr, PetscBool *already_final);
/* Train until done (writes -output and FINAL) or stopped (checkpoint, SemgSetExitCode(99)). */
PETSC_EXTERN PetscErrorCode SemgTrainerRun(SemgTrainer *tr);
PETSC_EXTERN PetscErrorCode SemgTrainerDestroy(SemgTrainer *tr);

/* Shared with semg estimate: encoder and decoder of a stored model for a dataset's geometry. */
PETSC_EXTERN PetscErrorCode SemgNNBuild(const SemgNNState *st, const SemgDataset *ds, PetscInt bmax, SemgEncoder **enc, SemgDecoder **dec);
/* Truth in latent order from the dataset's theta columns (iz, cv[, depth]); NaN when unknown. */
PETSC_EXTERN PetscErrorCode SemgNNTruth(const SemgDataset *ds, PetscInt K, PetscCount n, PetscReal *truth);

#endif
