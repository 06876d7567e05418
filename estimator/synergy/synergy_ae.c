#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/nn/adamw.h"
#include "estimator/synergy/synergy_ae.h"

const char *const SemgAENonnegs[]       = {"none", "decoder", "both", "SemgAENonneg", "SEMG_AE_NONNEG_", NULL};
const char *const SemgAENonnegMethods[] = {"projection", "softplus", "penalty", "SemgAENonnegMethod", "SEMG_AE_NONNEG_", NULL};

const SemgActivation SemgSynergyActivations[4]     = {SEMG_ACT_IDENTITY, SEMG_ACT_RELU, SEMG_ACT_SIGMOID, SEMG_ACT_TANH};
const char *const    SemgSynergyActivationNames[4] = {"linear", "relu", "sigmoid", "tanh"};

PetscErrorCode SemgSynergyAEDefault(PetscInt M, PetscInt N, SemgSynergyAE *ae)
{
  PetscFunctionBeginUser;
  ae->enc            = SEMG_ACT_RELU;
  ae->dec            = SEMG_ACT_RELU;
  ae->M              = M;
  ae->N              = N;
  ae->bias           = PETSC_TRUE;
  ae->nonneg         = SEMG_AE_NONNEG_BOTH; /* as the Keras reference: NonNeg on both kernels */
  ae->nonneg_method  = SEMG_AE_NONNEG_PROJECTION;
  ae->nonneg_penalty = 1.0;
  ae->epochs         = 100;
  ae->batch          = 32;
  ae->lr             = 1e-3;
  ae->weight_decay   = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyAEOptions(PetscOptionItems *PetscOptionsObject, SemgSynergyAE *ae)
{
  PetscFunctionBeginUser;
  PetscOptionsHeadBegin(PetscOptionsObject, "Synergy autoencoder (spec synergies.md 4)");
  PetscCall(PetscOptionsBool("-ae_bias", "train the biases b_e, b_d (false: both fixed at 0)", "", ae->bias, &ae->bias, NULL));
  PetscCall(PetscOptionsEnum("-ae_nonneg", "which weights are kept >= 0", "", SemgAENonnegs, (PetscEnum)ae->nonneg, (PetscEnum *)&ae->nonneg, NULL));
  PetscCall(PetscOptionsEnum("-ae_nonneg_method", "how: clamp after every step, W = softplus(U), or a penalty on negative weights", "", SemgAENonnegMethods,
                             (PetscEnum)ae->nonneg_method, (PetscEnum *)&ae->nonneg_method, NULL));
  PetscCall(PetscOptionsReal("-ae_nonneg_penalty", "lambda_neg of the penalty method: lambda_neg sum max(0, -W)^2 added to the loss", "", ae->nonneg_penalty, &ae->nonneg_penalty, NULL));
  PetscCall(PetscOptionsInt("-ae_epochs", "training epochs", "", ae->epochs, &ae->epochs, NULL));
  PetscCall(PetscOptionsInt("-ae_batch", "mini-batch size (time samples)", "", ae->batch, &ae->batch, NULL));
  PetscCall(PetscOptionsReal("-ae_lr", "AdamW learning rate", "", ae->lr, &ae->lr, NULL));
  PetscCall(PetscOptionsReal("-ae_weight_decay", "AdamW decoupled weight decay", "", ae->weight_decay, &ae->weight_decay, NULL));
  PetscOptionsHeadEnd();
  PetscCheck(ae->epochs >= 1, PETSC_COMM_SELF, SEMG_ERR_USER, "-ae_epochs must be >= 1 (got %d)", (int)ae->epochs);
  PetscCheck(ae->batch >= 1, PETSC_COMM_SELF, SEMG_ERR_USER, "-ae_batch must be >= 1 (got %d)", (int)ae->batch);
  PetscCheck(ae->lr > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-ae_lr must be > 0 (got %g)", (double)ae->lr);
  PetscCheck(ae->weight_decay >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-ae_weight_decay must be >= 0");
  PetscCheck(ae->nonneg_penalty >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-ae_nonneg_penalty must be >= 0 (got %g)", (double)ae->nonneg_penalty);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscCount SemgSynergyAESize(const SemgSynergyAE *ae)
{
  return 2 * (PetscCount)ae->M * ae->N + ae->N + ae->M;
}

/* Offsets of the four tensors in P. */
typedef struct {
  PetscCount We, be, Wd, bd;
} AELayout;

static AELayout Layout(const SemgSynergyAE *ae)
{
  AELayout l;
  l.We = 0;
  l.be = l.We + (PetscCount)ae->N * ae->M;
  l.Wd = l.be + ae->N;
  l.bd = l.Wd + (PetscCount)ae->M * ae->N;
  return l;
}

/* Whether parameter i lies in a kernel kept non-negative. */
static PetscBool Constrained(const SemgSynergyAE *ae, AELayout l, PetscCount i)
{
  if (i >= l.We && i < l.be) return (PetscBool)(ae->nonneg == SEMG_AE_NONNEG_BOTH);
  if (i >= l.Wd && i < l.bd) return (PetscBool)(ae->nonneg != SEMG_AE_NONNEG_NONE);
  return PETSC_FALSE;
}

static PetscBool Softplus(const SemgSynergyAE *ae)
{
  return (PetscBool)(ae->nonneg != SEMG_AE_NONNEG_NONE && ae->nonneg_method == SEMG_AE_NONNEG_SOFTPLUS);
}

PetscErrorCode SemgSynergyAEWeights(const SemgSynergyAE *ae, const PetscReal *P, PetscReal *Peff)
{
  AELayout l = Layout(ae);

  PetscFunctionBeginUser;
  PetscCall(PetscArraycpy(Peff, P, SemgSynergyAESize(ae)));
  if (!Softplus(ae)) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscCount i = 0; i < SemgSynergyAESize(ae); i++)
    if (Constrained(ae, l, i)) PetscCall(SemgActivationForward(SEMG_ACT_SOFTPLUS, 1, P + i, Peff + i));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyAEInit(const SemgSynergyAE *ae, PetscInt64 seed, PetscInt64 stream_sample, PetscReal *P)
{
  AELayout  l = Layout(ae);
  SemgRng   rng;
  PetscReal a = PetscSqrtReal(6.0 / (ae->M + ae->N)); /* Glorot: both layers have fan_in + fan_out = M + N */

  PetscFunctionBeginUser;
  SemgRngInit(&rng, (uint64_t)seed, (uint64_t)stream_sample, SEMG_STREAM_INIT);
  for (PetscCount i = 0; i < SemgSynergyAESize(ae); i++) P[i] = 0;
  for (PetscCount i = 0; i < (PetscCount)ae->N * ae->M; i++) P[l.We + i] = SemgRngUniformRange(&rng, -a, a);
  for (PetscCount i = 0; i < (PetscCount)ae->M * ae->N; i++) P[l.Wd + i] = SemgRngUniformRange(&rng, -a, a);
  for (PetscCount i = 0; i < SemgSynergyAESize(ae); i++) {
    if (!Constrained(ae, l, i)) continue;
    P[i] = PetscAbsReal(P[i]);
    /* softplus: U = softplus^-1(w) gives the same initial weights (w >= 1e-6 keeps U finite) */
    if (Softplus(ae)) P[i] = PetscLogReal(expm1(PetscMax(P[i], 1e-6)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Forward of B samples into the caller's buffers z1, h (B x N), z2, xh (B x M). */
static PetscErrorCode Forward(const SemgSynergyAE *ae, const PetscReal *P, PetscInt B, const PetscReal *x, PetscReal *z1, PetscReal *h, PetscReal *z2, PetscReal *xh)
{
  AELayout l = Layout(ae);

  PetscFunctionBeginUser;
  PetscCall(SemgDenseForward(B, ae->M, ae->N, x, P + l.We, P + l.be, z1));
  PetscCall(SemgActivationForward(ae->enc, (PetscCount)B * ae->N, z1, h));
  PetscCall(SemgDenseForward(B, ae->N, ae->M, h, P + l.Wd, P + l.bd, z2));
  PetscCall(SemgActivationForward(ae->dec, (PetscCount)B * ae->M, z2, xh));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* lambda_neg sum max(0, -W)^2 over the constrained kernels (penalty method), and its gradient scaled by
   `scale` added to G (may be NULL). */
static PetscReal Penalty(const SemgSynergyAE *ae, const PetscReal *P, PetscReal scale, PetscReal *G)
{
  AELayout  l = Layout(ae);
  PetscReal s = 0;

  if (ae->nonneg == SEMG_AE_NONNEG_NONE || ae->nonneg_method != SEMG_AE_NONNEG_PENALTY) return 0;
  for (PetscCount i = 0; i < SemgSynergyAESize(ae); i++) {
    if (!Constrained(ae, l, i) || P[i] >= 0) continue;
    s += P[i] * P[i];
    if (G) G[i] += scale * 2.0 * ae->nonneg_penalty * P[i];
  }
  return ae->nonneg_penalty * s;
}

PetscErrorCode SemgSynergyAELossGrad(const SemgSynergyAE *ae, const PetscReal *P, PetscInt B, const PetscReal *x, PetscReal *loss_sum, PetscReal *G)
{
  AELayout   l = Layout(ae);
  PetscInt   M = ae->M, N = ae->N;
  PetscCount np = SemgSynergyAESize(ae);
  PetscReal *z1, *h, *z2, *xh, *dxh, *dz2, *dh, *dz1, *Pw, *Gw, L = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4((size_t)B * N, &z1, (size_t)B * N, &h, (size_t)B * M, &z2, (size_t)B * M, &xh));
  PetscCall(PetscMalloc2(np, &Pw, np, &Gw));
  PetscCall(SemgSynergyAEWeights(ae, P, Pw));
  PetscCall(Forward(ae, Pw, B, x, z1, h, z2, xh));
  for (size_t i = 0; i < (size_t)B * M; i++) L += (xh[i] - x[i]) * (xh[i] - x[i]);
  /* the penalty is part of every sample's loss, so that the batch mean is MSE + penalty */
  *loss_sum = L / M + B * Penalty(ae, P, B, G);
  if (G) {
    PetscCall(PetscCalloc4((size_t)B * M, &dxh, (size_t)B * M, &dz2, (size_t)B * N, &dh, (size_t)B * N, &dz1));
    PetscCall(PetscArrayzero(Gw, np));
    for (size_t i = 0; i < (size_t)B * M; i++) dxh[i] = 2.0 * (xh[i] - x[i]) / M;
    PetscCall(SemgActivationBackward(ae->dec, (PetscCount)B * M, z2, xh, dxh, dz2));
    PetscCall(SemgDenseBackward(B, N, M, h, Pw + l.Wd, dz2, dh, Gw + l.Wd, Gw + l.bd));
    PetscCall(SemgActivationBackward(ae->enc, (PetscCount)B * N, z1, h, dh, dz1));
    PetscCall(SemgDenseBackward(B, M, N, x, Pw + l.We, dz1, NULL, Gw + l.We, Gw + l.be));
    /* softplus: dL/dU = dL/dW softplus'(U) */
    for (PetscCount i = 0; i < np; i++) {
      PetscReal g = Gw[i];
      if (Softplus(ae) && Constrained(ae, l, i)) {
        g = 0; /* the backward pass accumulates */
        PetscCall(SemgActivationBackward(SEMG_ACT_SOFTPLUS, 1, P + i, Pw + i, Gw + i, &g));
      }
      G[i] += g;
    }
    PetscCall(PetscFree4(dxh, dz2, dh, dz1));
  }
  PetscCall(PetscFree2(Pw, Gw));
  PetscCall(PetscFree4(z1, h, z2, xh));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Constraints after a step: biases off stay 0; with the projection method constrained weights are clamped at
   0 (Keras NonNeg). */
static void Project(const SemgSynergyAE *ae, PetscReal *P)
{
  AELayout l = Layout(ae);

  if (!ae->bias) {
    for (PetscInt i = 0; i < ae->N; i++) P[l.be + i] = 0;
    for (PetscInt i = 0; i < ae->M; i++) P[l.bd + i] = 0;
  }
  if (ae->nonneg_method != SEMG_AE_NONNEG_PROJECTION) return;
  for (PetscCount i = 0; i < SemgSynergyAESize(ae); i++)
    if (Constrained(ae, l, i)) P[i] = PetscMax(P[i], 0.0);
}

PetscErrorCode SemgSynergyAETrain(const SemgSynergyAE *ae, PetscInt T, const PetscReal *X, PetscInt64 seed, PetscInt64 restart, PetscReal *P, PetscReal *loss)
{
  PetscCount  np = SemgSynergyAESize(ae);
  PetscInt    M = ae->M, bs = PetscMin(ae->batch, T);
  PetscReal  *G, *m, *q, *xb, Lb;
  PetscCount *perm;
  SemgAdamW   opt;

  PetscFunctionBeginUser;
  PetscCall(SemgAdamWDefaults(SEMG_ADAMW_TORCH, &opt));
  opt.weight_decay = ae->weight_decay;
  PetscCall(PetscCalloc3(np, &G, np, &m, np, &q));
  PetscCall(PetscMalloc2((size_t)bs * M, &xb, T, &perm));
  Project(ae, P);
  for (PetscInt e = 0; e < ae->epochs; e++) {
    SemgRng rng;
    /* one shuffle per (restart, epoch): the same on any rank that runs this restart */
    SemgRngInit(&rng, (uint64_t)seed, (uint64_t)(restart * 1000003 + e), SEMG_STREAM_SAMPLER);
    SemgRngPermutation(&rng, T, perm);
    for (PetscInt s = 0; s < T; s += bs) {
      PetscInt B = PetscMin(bs, T - s);
      for (PetscInt b = 0; b < B; b++) PetscCall(PetscArraycpy(xb + (size_t)b * M, X + (size_t)perm[s + b] * M, M));
      PetscCall(PetscArrayzero(G, np));
      PetscCall(SemgSynergyAELossGrad(ae, P, B, xb, &Lb, G));
      for (PetscCount i = 0; i < np; i++) G[i] /= B; /* mean over the batch */
      PetscCall(SemgAdamWStep(&opt, ae->lr, np, P, G, m, q, NULL));
      Project(ae, P);
    }
  }
  PetscCall(SemgSynergyAELossGrad(ae, P, T, X, &Lb, NULL));
  *loss = Lb / T;
  PetscCall(PetscFree3(G, m, q));
  PetscCall(PetscFree2(xb, perm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyAEExtract(const SemgSynergyAE *ae, const PetscReal *P, PetscInt T, const PetscReal *X, PetscReal *W, PetscReal *H, PetscReal *Vhat)
{
  AELayout   l = Layout(ae);
  PetscInt   M = ae->M, N = ae->N;
  PetscReal *z1, *h, *z2, *xh, *Pw;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4((size_t)T * N, &z1, (size_t)T * N, &h, (size_t)T * M, &z2, (size_t)T * M, &xh));
  PetscCall(PetscMalloc1(SemgSynergyAESize(ae), &Pw));
  PetscCall(SemgSynergyAEWeights(ae, P, Pw));
  P = Pw; /* the network's weights from here on */
  PetscCall(Forward(ae, P, T, X, z1, h, z2, xh));
  for (PetscInt a = 0; a < N; a++) {
    PetscReal s = 0;
    /* W_d is stored [out = muscle][in = synergy] */
    for (PetscInt mm = 0; mm < M; mm++) s += P[l.Wd + (size_t)mm * N + a] * P[l.Wd + (size_t)mm * N + a];
    s = PetscSqrtReal(s);
    for (PetscInt mm = 0; mm < M; mm++) W[(size_t)mm * N + a] = s > 0 ? P[l.Wd + (size_t)mm * N + a] / s : 0.0;
    for (PetscInt t = 0; t < T; t++) H[(size_t)a * T + t] = h[(size_t)t * N + a] * s;
  }
  for (PetscInt t = 0; t < T; t++)
    for (PetscInt mm = 0; mm < M; mm++) Vhat[(size_t)mm * T + t] = xh[(size_t)t * M + mm];
  PetscCall(PetscFree4(z1, h, z2, xh));
  PetscCall(PetscFree(Pw));
  PetscFunctionReturn(PETSC_SUCCESS);
}
