/* Synergy autoencoder (spec synergies.md 4): per time sample x_t in R^M,
   h_t = f_e(W_e x_t + b_e) in R^N, xhat_t = f_d(W_d h_t + b_d), loss (1/(B M)) sum |x - xhat|^2 over a batch,
   trained with the estimator's AdamW on the estimator's dense layers and activations. Synergies are the
   columns of W_d scaled to unit norm; activations are h_t times the removed norms. */
#ifndef SEMG_SYNERGY_AE_H
#define SEMG_SYNERGY_AE_H

#include <petscsys.h>
#include "estimator/nn/layers.h"

/* Which weights are kept non-negative (none is option (a) of the spec) ... */
typedef enum { SEMG_AE_NONNEG_NONE = 0, SEMG_AE_NONNEG_DECODER = 1, SEMG_AE_NONNEG_BOTH = 2 } SemgAENonneg;
PETSC_EXTERN const char *const SemgAENonnegs[];
/* ... and how (spec options (b), (c), (d)): clamped at 0 after every optimiser step; reparameterised as
   W = softplus(U) with U the trained parameter; or a penalty lambda_neg sum max(0, -W)^2 added to the loss. */
typedef enum { SEMG_AE_NONNEG_PROJECTION = 0, SEMG_AE_NONNEG_SOFTPLUS = 1, SEMG_AE_NONNEG_PENALTY = 2 } SemgAENonnegMethod;
PETSC_EXTERN const char *const SemgAENonnegMethods[];

typedef struct {
  SemgActivation     enc, dec;
  PetscInt           M, N;
  PetscBool          bias; /* b_e and b_d trained (else fixed at 0) */
  SemgAENonneg       nonneg;
  SemgAENonnegMethod nonneg_method;
  PetscReal          nonneg_penalty; /* lambda_neg of the penalty method */
  PetscInt           epochs, batch;
  PetscReal          lr, weight_decay;
} SemgSynergyAE;

/* The four activations of the study, in table order: linear, ReLU, sigmoid, tanh. */
PETSC_EXTERN const SemgActivation SemgSynergyActivations[4];
PETSC_EXTERN const char *const    SemgSynergyActivationNames[4];

PETSC_EXTERN PetscErrorCode SemgSynergyAEDefault(PetscInt M, PetscInt N, SemgSynergyAE *ae);
PETSC_EXTERN PetscErrorCode SemgSynergyAEOptions(PetscOptionItems *PetscOptionsObject, SemgSynergyAE *ae);

/* Parameter layout: W_e (N x M), b_e (N), W_d (M x N), b_d (M); with the softplus method a constrained
   kernel holds U and the weights are softplus(U). */
PETSC_EXTERN PetscCount SemgSynergyAESize(const SemgSynergyAE *ae);
/* Glorot-uniform weights, zero biases (Keras defaults); absolute values when the weights are constrained. */
PETSC_EXTERN PetscErrorCode SemgSynergyAEInit(const SemgSynergyAE *ae, PetscInt64 seed, PetscInt64 stream_sample, PetscReal *P);
/* The weights the network uses: P itself, or softplus of the constrained kernels (softplus method). */
PETSC_EXTERN PetscErrorCode SemgSynergyAEWeights(const SemgSynergyAE *ae, const PetscReal *P, PetscReal *Peff);
/* x[b][M]: loss_sum = sum_b [(1/M)|x_b - xhat_b|^2 + penalty] (penalty: lambda_neg sum max(0, -W)^2 over
   the constrained kernels with the penalty method, else 0); G (may be NULL) += its gradient. */
PETSC_EXTERN PetscErrorCode SemgSynergyAELossGrad(const SemgSynergyAE *ae, const PetscReal *P, PetscInt B, const PetscReal *x, PetscReal *loss_sum, PetscReal *G);
/* Train from P (already initialised) on X[T][M], batches shuffled by (seed, restart, epoch); final loss on all of X. */
PETSC_EXTERN PetscErrorCode SemgSynergyAETrain(const SemgSynergyAE *ae, PetscInt T, const PetscReal *X, PetscInt64 seed, PetscInt64 restart, PetscReal *P, PetscReal *loss);
/* W (M x N, unit columns), H (N x T) and the reconstruction Vhat (M x T) of X[T][M]. */
PETSC_EXTERN PetscErrorCode SemgSynergyAEExtract(const SemgSynergyAE *ae, const PetscReal *P, PetscInt T, const PetscReal *X, PetscReal *W, PetscReal *H, PetscReal *Vhat);

#endif
