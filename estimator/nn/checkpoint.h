/* Trainer state and model files (spec estimator.md 3.4). A checkpoint and a trained model are the same
   HDF5 layout: architecture, decoder template specification, scaler bounds, parameters, AdamW state,
   counters, sampler position, loss history and the configuration text. P, m, q are identical on all
   ranks, so rank 0 writes one file; reads happen on rank 0 and are broadcast. */
#ifndef SEMG_NN_CHECKPOINT_H
#define SEMG_NN_CHECKPOINT_H

#include <petscsys.h>
#include "estimator/nn/encoder.h"
#include "estimator/nn/decoder.h"
#include "estimator/nn/adamw.h"

#define SEMG_NN_MAGIC          "semg-nn-checkpoint"
#define SEMG_NN_SCHEMA_VERSION 1
#define SEMG_NN_MAX_WIDTHS     8

typedef struct {
  /* architecture */
  SemgEncoderType enc_type;
  PetscInt        nconv, conv[SEMG_NN_MAX_WIDTHS], kernel, ndense, dense[SEMG_NN_MAX_WIDTHS];
  SemgActivation  act;
  SemgInitType    init;
  PetscInt        in_channels, in_times, K, montage;
  SemgDecoderSpec dec;
  PetscReal       lo[SEMG_SCALER_MAX], hi[SEMG_SCALER_MAX];
  uint64_t        template_hash;
  /* optimisation state */
  SemgAdamW  adamw;
  PetscInt64 step;                 /* global steps done */
  PetscInt   epoch, step_in_epoch; /* sampler position: (seed, epoch) and global batches done in it */
  PetscInt64 seed;
  PetscInt   n_ranks, chunks; /* W and Tier-B chunk count at save (0 = plain allreduce) */
  PetscInt   global_batch;
  PetscInt64 data_fingerprint; /* SemgDatasetFingerprint of the training data (0 = unknown) */
  PetscReal  epoch_loss_sum;   /* running sums of the current epoch (exact resume mid-epoch) */
  PetscInt64 epoch_count;
  PetscReal  best_val;
  PetscInt   best_epoch, bad_epochs, finished;
  PetscInt   n_hist, hist_cap;
  PetscReal *hist_train, *hist_val; /* per-epoch mean losses */
  PetscCount np;
  PetscReal *P, *M, *Q, *Pbest;
  char      *config; /* options database text (provenance) */
} SemgNNState;

PETSC_EXTERN PetscErrorCode SemgNNStateAllocate(SemgNNState *st, PetscCount np, PetscInt hist_cap);
PETSC_EXTERN PetscErrorCode SemgNNStateFree(SemgNNState *st);
/* Rank 0 writes path (via path.tmp + rename); every rank returns after the file is complete. */
PETSC_EXTERN PetscErrorCode SemgNNStateWrite(MPI_Comm comm, const char path[], const SemgNNState *st);
/* Rank 0 reads, validates the magic and schema, broadcasts; st is allocated here. */
PETSC_EXTERN PetscErrorCode SemgNNStateRead(MPI_Comm comm, const char option[], const char path[], SemgNNState *st);

/* Checkpoint directory: step_%08d.h5 + DONE_%08d markers, FINAL when the run finished. */
PETSC_EXTERN PetscErrorCode SemgCheckpointSave(MPI_Comm comm, const char dir[], PetscInt keep, PetscInt major, const SemgNNState *st);
/* Newest step with a DONE marker whose file validates (else the next lower); -1 if none. */
PETSC_EXTERN PetscErrorCode SemgCheckpointFindLatest(MPI_Comm comm, const char dir[], PetscInt64 *step);
PETSC_EXTERN PetscErrorCode SemgCheckpointPath(const char dir[], PetscInt64 step, char path[], size_t len);
PETSC_EXTERN PetscErrorCode SemgCheckpointMarkFinal(MPI_Comm comm, const char dir[]);
PETSC_EXTERN PetscErrorCode SemgCheckpointIsFinal(MPI_Comm comm, const char dir[], PetscBool *final);

#endif
