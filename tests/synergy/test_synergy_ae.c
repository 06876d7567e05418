/* Synergy autoencoder: gradients by central differences (spec estimator.md 3.5 rules) for all 16
   encoder/decoder activation pairs, with and without biases; and the oracle: a linear+linear autoencoder
   with non-negative weights (-ae_nonneg both) and no biases matches NMF on clean synthetic data (matched cosine >= 0.95). */
#include <math.h>
#include <petscsys.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "tests/nn/gradcheck.h"
#include "estimator/synergy/metrics.h"
#include "estimator/synergy/nmf.h"
#include "estimator/synergy/synth.h"
#include "estimator/synergy/synergy_ae.h"

typedef struct {
  SemgSynergyAE *ae;
  PetscReal     *P, *x;
  PetscInt       B;
} LossCtx;

static PetscErrorCode Loss(void *vctx, PetscReal *L)
{
  LossCtx *c = (LossCtx *)vctx;
  PetscFunctionBeginUser;
  PetscCall(SemgSynergyAELossGrad(c->ae, c->P, c->B, c->x, L, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Redraw until every ReLU pre-activation, and every penalised weight, is >= 1e-3 from its kink (central
   differences straddle it otherwise). */
static PetscErrorCode DrawAwayFromKinks(SemgSynergyAE *ae, PetscReal *P, PetscInt B, PetscReal *x, SemgRng *rng)
{
  PetscCount np = SemgSynergyAESize(ae);
  PetscInt   M = ae->M, N = ae->N;

  PetscFunctionBeginUser;
  for (int attempt = 0; attempt < 10000; attempt++) {
    PetscBool ok = PETSC_TRUE;
    PetscReal Pw[64];
    for (PetscCount i = 0; i < np; i++) {
      P[i] = SemgRngUniformRange(rng, -0.8, 0.8);
      if (PetscAbsReal(P[i]) < 1e-3) ok = PETSC_FALSE;
    }
    if (!ae->bias) {
      for (PetscInt i = 0; i < N; i++) P[N * M + i] = 0;
      for (PetscInt i = 0; i < M; i++) P[2 * N * M + N + i] = 0;
    }
    PetscCall(SemgSynergyAEWeights(ae, P, Pw)); /* softplus: the network's weights */
    for (PetscInt i = 0; i < B * M; i++) x[i] = SemgRngUniform(rng);
    for (PetscInt b = 0; b < B && ok; b++) {
      PetscReal h[16];
      for (PetscInt n = 0; n < N; n++) {
        PetscReal z = Pw[N * M + n];
        for (PetscInt m = 0; m < M; m++) z += Pw[n * M + m] * x[b * M + m];
        if (ae->enc == SEMG_ACT_RELU && PetscAbsReal(z) < 1e-3) ok = PETSC_FALSE;
        h[n] = ae->enc == SEMG_ACT_RELU ? PetscMax(z, 0) : ae->enc == SEMG_ACT_TANH ? tanh(z) : ae->enc == SEMG_ACT_SIGMOID ? 1 / (1 + exp(-z)) : z;
      }
      for (PetscInt m = 0; m < M && ae->dec == SEMG_ACT_RELU; m++) {
        PetscReal z = Pw[2 * N * M + N + m];
        for (PetscInt n = 0; n < N; n++) z += Pw[N * M + N + m * N + n] * h[n];
        if (PetscAbsReal(z) < 1e-3) ok = PETSC_FALSE;
      }
    }
    if (ok) PetscFunctionReturn(PETSC_SUCCESS);
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_PLIB, "no test point away from the ReLU kinks");
}

static PetscErrorCode GradientChecks(PetscInt *nbad)
{
  const PetscInt M = 5, N = 3, B = 7;
  SemgRng        rng;

  PetscFunctionBeginUser;
  SemgRngInit(&rng, 11, 0, SEMG_STREAM_USER);
  /* projection acts after the optimiser step (the loss is that of option (a)); softplus and penalty change it */
  for (int method = 0; method < 3; method++)
    for (int bias = 1; bias >= 0; bias--)
      for (PetscInt c = 0; c < 16; c++) {
        SemgSynergyAE   ae;
        PetscReal       P[64], G[64], x[B * M], L;
        LossCtx         ctx = {&ae, P, x, B};
        GradCheckResult res;
        char            what[64];
        PetscCall(SemgSynergyAEDefault(M, N, &ae));
        ae.enc            = SemgSynergyActivations[c / 4];
        ae.dec            = SemgSynergyActivations[c % 4];
        ae.bias           = (PetscBool)bias;
        ae.nonneg_method  = (SemgAENonnegMethod)method;
        ae.nonneg_penalty = 0.7;
        PetscCall(DrawAwayFromKinks(&ae, P, B, x, &rng));
        PetscCall(PetscArrayzero(G, 64));
        PetscCall(SemgSynergyAELossGrad(&ae, P, B, x, &L, G));
        PetscCall(GradCheck(Loss, &ctx, SemgSynergyAESize(&ae), P, G, 1e-6, &res));
        PetscCall(PetscSNPrintf(what, sizeof(what), "%s+%s %s %s", SemgSynergyActivationNames[c / 4], SemgSynergyActivationNames[c % 4], bias ? "bias" : "no bias", SemgAENonnegMethods[method]));
        PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
      }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Clean linear synthetic data, N = N_true: best of 5 NMF restarts vs the best of 5 linear+linear
   autoencoders (W_d >= 0, no biases). */
static PetscErrorCode Oracle(PetscInt seed, PetscInt epochs, SemgAENonneg nonneg, SemgAENonnegMethod method, PetscInt *nbad)
{
  SemgSynthParams    sp;
  SemgEnvelopeParams env;
  SemgNMFParams      np;
  SemgSynergyAE      ae;
  PetscInt           T, M, N, its;
  PetscReal         *V, *Wt, *Ht, *W, *H, *Wn, *X, *P, *Pb, *Vh, r2, best = -1, loss, lbest = PETSC_MAX_REAL;
  SemgMatch          m, mt;

  PetscFunctionBeginUser;
  PetscCall(SemgSynthParamsDefault(&sp));
  PetscCall(SemgEnvelopeParamsDefault(&env));
  PetscCall(SemgNMFParamsDefault(&np));
  sp.seed = seed;
  PetscCall(SemgSynthGenerate(&sp, &env, &T, &V, &Wt, &Ht));
  PetscCall(SemgNMFFloor(sp.M, T, V, "synthetic"));
  M = sp.M;
  N = sp.N;
  PetscCall(SemgSynergyAEDefault(M, N, &ae));
  ae.enc           = SEMG_ACT_IDENTITY;
  ae.dec           = SEMG_ACT_IDENTITY;
  ae.bias          = PETSC_FALSE;
  ae.nonneg        = nonneg;
  ae.nonneg_method = method;
  ae.epochs        = epochs;
  PetscCall(PetscMalloc6((size_t)M * N, &W, (size_t)N * T, &H, (size_t)M * N, &Wn, (size_t)T * M, &X, SemgSynergyAESize(&ae), &P, SemgSynergyAESize(&ae), &Pb));
  PetscCall(PetscMalloc1((size_t)M * T, &Vh));
  for (PetscInt r = 0; r < 5; r++) {
    SemgRng rng;
    SemgRngInit(&rng, 1, (uint64_t)r, SEMG_STREAM_USER);
    PetscCall(SemgNMFInit(M, T, N, V, &rng, W, H));
    PetscCall(SemgNMFSolve(&np, M, T, N, V, W, H, &r2, &its));
    if (r2 > best) {
      best = r2;
      PetscCall(PetscArraycpy(Wn, W, (size_t)M * N));
    }
  }
  for (PetscInt t = 0; t < T; t++)
    for (PetscInt k = 0; k < M; k++) X[t * M + k] = V[k * T + t];
  for (PetscInt r = 0; r < 5; r++) {
    PetscCall(SemgSynergyAEInit(&ae, 1, r, P));
    PetscCall(SemgSynergyAETrain(&ae, T, X, 1, r, P, &loss));
    if (loss < lbest) {
      lbest = loss;
      PetscCall(PetscArraycpy(Pb, P, SemgSynergyAESize(&ae)));
    }
  }
  PetscCall(SemgSynergyAEExtract(&ae, Pb, T, X, W, H, Vh));
  PetscCall(SemgMatchSynergies(M, N, W, N, Wn, 0, NULL, NULL, 0.8, &m, NULL));
  PetscCall(SemgMatchSynergies(M, N, W, N, Wt, 0, NULL, NULL, 0.8, &mt, NULL));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%-4s oracle (seed %d, %d epochs): linear+linear AE (-ae_nonneg %s, %s, no biases) vs NMF: matched cosine mean %.4f (min %.4f) >= 0.95; AE R^2 %.5f, vs truth %.4f\n", m.mean >= 0.95 ? "ok" : "FAIL", (int)seed, (int)epochs, SemgAENonnegs[nonneg], SemgAENonnegMethods[method],
                        (double)m.mean, (double)m.min, (double)SemgR2((PetscCount)M * T, V, Vh), (double)mt.mean));
  if (m.mean < 0.95) (*nbad)++;
  PetscCall(PetscFree6(W, H, Wn, X, P, Pb));
  PetscCall(PetscFree(Vh));
  PetscCall(PetscFree(V));
  PetscCall(PetscFree(Wt));
  PetscCall(PetscFree(Ht));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt           nbad = 0, seed = 3, epochs = 100;
  PetscBool          gradients_only = PETSC_FALSE;
  SemgAENonneg       nonneg         = SEMG_AE_NONNEG_BOTH;
  SemgAENonnegMethod method         = SEMG_AE_NONNEG_PROJECTION;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &gradcheck_verbose, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-seed", &seed, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-epochs", &epochs, NULL));
  PetscCall(GradientChecks(&nbad));
  PetscCall(PetscOptionsGetEnum(NULL, NULL, "-nonneg", SemgAENonnegs, (PetscEnum *)&nonneg, NULL));
  PetscCall(PetscOptionsGetEnum(NULL, NULL, "-nonneg_method", SemgAENonnegMethods, (PetscEnum *)&method, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-gradients_only", &gradients_only, NULL));
  if (!gradients_only) PetscCall(Oracle(seed, epochs, nonneg, method, &nbad));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s\n", nbad ? "FAILED" : "all autoencoder checks passed"));
  PetscCall(PetscFinalize());
  return nbad ? 1 : 0;
}
