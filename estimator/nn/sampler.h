/* Distributed sampler of the trainer (spec estimator.md 3.2): which examples each rank evaluates in each
   step, the same on any rank count (permutation keyed by seed and epoch, fixed positions per rank). */
#ifndef SEMG_NN_SAMPLER_H
#define SEMG_NN_SAMPLER_H

#include "core/semg_error.h"

/* Distributed sampler (spec 3.2). Permutation of 0..n-1 for an epoch, keyed by (seed, epoch) on the
   SAMPLER stream (identity without shuffling). */
PETSC_EXTERN PetscErrorCode SemgSamplerPermutation(uint64_t seed, PetscInt epoch, PetscBool shuffle, PetscCount n, PetscCount *perm);
/* Positions (indices into the epoch permutation) that rank r of W evaluates in global batch k:
   chunks == 0: stride layout r, r + W, ... (G_b/W positions); chunks > 0: the block of canonical chunks
   [r C/W, (r+1) C/W), each G_b/C consecutive positions. pos must hold G_b/W entries. */
PETSC_EXTERN PetscErrorCode SemgSamplerRankPositions(PetscInt global_batch, PetscInt k, PetscMPIInt W, PetscMPIInt r, PetscInt chunks, PetscCount *pos);

#endif
