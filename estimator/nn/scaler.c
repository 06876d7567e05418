#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/scaler.h"

static inline PetscReal Sigmoid(PetscReal h)
{
  return 1.0 / (1.0 + exp(-h));
}

PetscErrorCode SemgScalerForward(const SemgScaler *s, PetscInt B, const PetscReal *h, PetscReal *theta)
{
  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < B; b++)
    for (PetscInt j = 0; j < s->K; j++) theta[b * s->K + j] = s->lo[j] + (s->hi[j] - s->lo[j]) * Sigmoid(h[b * s->K + j]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgScalerBackward(const SemgScaler *s, PetscInt B, const PetscReal *h, const PetscReal *dtheta, PetscReal *dh)
{
  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < B; b++)
    for (PetscInt j = 0; j < s->K; j++) {
      PetscReal sg = Sigmoid(h[b * s->K + j]);
      dh[b * s->K + j] += dtheta[b * s->K + j] * (s->hi[j] - s->lo[j]) * sg * (1.0 - sg);
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgScalerInverse(const SemgScaler *s, PetscInt B, const PetscReal *theta, PetscReal *h)
{
  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < B; b++)
    for (PetscInt j = 0; j < s->K; j++) {
      PetscReal u     = (theta[b * s->K + j] - s->lo[j]) / (s->hi[j] - s->lo[j]);
      u               = PetscMin(PetscMax(u, 1e-12), 1.0 - 1e-12);
      h[b * s->K + j] = log(u / (1.0 - u));
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}
