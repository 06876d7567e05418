/* The informed autoencoder x -> h = E_W(x) -> theta = S(h) -> x_hat = g* D(theta) and its loss
   (spec estimator.md 2.5) with the backward pass through decoder, scaler and encoder. */
#ifndef SEMG_NN_MODEL_H
#define SEMG_NN_MODEL_H

#include <petscsys.h>
#include "estimator/nn/encoder.h"
#include "estimator/nn/decoder.h"

typedef struct {
  SemgEncoder  *enc; /* not owned */
  SemgDecoder  *dec; /* not owned */
  PetscInt      K, bmax, nx;
  PetscReal     lambda_sup, lambda_h;
  PetscReal     w_sup[SEMG_SCALER_MAX];
  PetscReal    *h, *theta, *dtheta, *dh;
  PetscLogStage stage_encoder, stage_decoder, stage_backward; /* -1: not logged separately */
} SemgModel;

PETSC_EXTERN PetscErrorCode SemgModelCreate(SemgEncoder *enc, SemgDecoder *dec, SemgModel **model);
PETSC_EXTERN PetscErrorCode SemgModelDestroy(SemgModel **model);
/* B <= bmax samples x[b][nc][nt] (already normalised), optional truth[b][K] in latent order (NaN =
   unknown, used only when lambda_sup > 0). loss_sum = sum_b l_b; when G != NULL, G += sum_b d l_b/dP
   (a SUM: the trainer divides by the global sample count after the reduction). */
PETSC_EXTERN PetscErrorCode SemgModelLossGrad(SemgModel *model, const PetscReal *P, PetscInt B, const PetscReal *x, const PetscReal *truth, PetscReal *loss_sum, PetscReal *G);
/* Estimates theta[b][K] and the reconstruction NRMSE ||x - g* y||/||x|| per sample (nrmse may be NULL). */
PETSC_EXTERN PetscErrorCode SemgModelPredict(SemgModel *model, const PetscReal *P, PetscInt B, const PetscReal *x, PetscReal *theta, PetscReal *nrmse);
/* Each sample divided by its max |x| (spec 2.1); scale[b] (may be NULL) receives the divisor. */
PETSC_EXTERN PetscErrorCode SemgNormaliseSamples(PetscCount B, PetscInt n, PetscReal *x, PetscReal *scale);

#endif
