/* Distributed sampler of the trainer (spec estimator.md 3.2), see sampler.h. */
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/nn/sampler.h"

PetscErrorCode SemgSamplerPermutation(uint64_t seed, PetscInt epoch, PetscBool shuffle, PetscCount n, PetscCount *perm)
{
  SemgRng rng;

  PetscFunctionBeginUser;
  if (shuffle) {
    SemgRngInit(&rng, seed, (uint64_t)epoch, SEMG_STREAM_SAMPLER);
    SemgRngPermutation(&rng, n, perm);
  } else
    for (PetscCount i = 0; i < n; i++) perm[i] = i;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSamplerRankPositions(PetscInt global_batch, PetscInt k, PetscMPIInt W, PetscMPIInt r, PetscInt chunks, PetscCount *pos)
{
  const PetscCount base = (PetscCount)k * global_batch;
  const PetscInt   nloc = global_batch / W;

  PetscFunctionBeginUser;
  if (chunks == 0)
    for (PetscInt j = 0; j < nloc; j++) pos[j] = base + r + (PetscCount)W * j;
  else
    for (PetscInt j = 0; j < nloc; j++) pos[j] = base + (PetscCount)r * nloc + j; /* chunks r C/W ... are contiguous */
  PetscFunctionReturn(PETSC_SUCCESS);
}
