/* Physical scaler S (spec estimator.md 2.3): theta_j = lo_j + (hi_j - lo_j) sigmoid(h_j). */
#ifndef SEMG_NN_SCALER_H
#define SEMG_NN_SCALER_H

#include <petscsys.h>

#define SEMG_SCALER_MAX 8

typedef struct {
  PetscInt  K;
  PetscReal lo[SEMG_SCALER_MAX], hi[SEMG_SCALER_MAX];
} SemgScaler;

/* theta[b][j] from h[b][j], B samples. */
PETSC_EXTERN PetscErrorCode SemgScalerForward(const SemgScaler *s, PetscInt B, const PetscReal *h, PetscReal *theta);
/* dh += dtheta * dtheta/dh (recomputed from h). */
PETSC_EXTERN PetscErrorCode SemgScalerBackward(const SemgScaler *s, PetscInt B, const PetscReal *h, const PetscReal *dtheta, PetscReal *dh);
/* Inverse (for tests and warm starts): h = logit((theta - lo)/(hi - lo)). */
PETSC_EXTERN PetscErrorCode SemgScalerInverse(const SemgScaler *s, PetscInt B, const PetscReal *theta, PetscReal *h);

#endif
