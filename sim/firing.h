/* Firing trains of a motor-unit pool (spec forward-model-ccs.md 8): trapezoidal common drive,
   Fuglevand recruitment, Petersen & Rostalski rate law, Gaussian ISI variability. */
#ifndef SEMG_FIRING_H
#define SEMG_FIRING_H

#include <petscsys.h>

typedef struct {
  PetscInt  n_mu;         /* pool size N_MU (774) */
  PetscReal cd_full;      /* drive at which the last MU is recruited (0.8) */
  PetscReal c[7];         /* C1..C7 */
  PetscReal trapezoid[4]; /* corners a, b, c, d (s) */
  PetscReal t_start, t_end;
} SemgFiringSpec;

PETSC_EXTERN PetscErrorCode SemgFiringSpecDefault(SemgFiringSpec *s);
PETSC_EXTERN PetscReal      SemgCommonDrive(const SemgFiringSpec *s, PetscReal t);
PETSC_EXTERN PetscReal      SemgRecruitmentThreshold(const SemgFiringSpec *s, PetscInt i);
PETSC_EXTERN PetscReal      SemgFiringRate(const SemgFiringSpec *s, PetscInt i, PetscReal cd);
PETSC_EXTERN PetscReal      SemgISIVariation(const SemgFiringSpec *s, PetscInt i, PetscReal cd);
/* Firing instants of MU i; draws from SemgRng (seed, sample, FIRING) with the MU index folded into the
   sample key, negative ISIs are redrawn. *times is PetscMalloc'ed. */
PETSC_EXTERN PetscErrorCode SemgFiringTrain(const SemgFiringSpec *s, PetscInt i, uint64_t seed, uint64_t sample, PetscInt *n, PetscReal **times);
/* out[e][k] += template[e][j] for every firing at sample floor(t/dt); template ne x ntmpl, out ne x nt. */
PETSC_EXTERN void SemgFiringSuperpose(PetscInt nfire, const PetscReal *times, PetscReal dt, PetscInt ne, PetscInt ntmpl, const PetscReal *tmpl, PetscInt nt, PetscReal *out);

#endif
