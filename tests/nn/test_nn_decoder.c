static char help[] = "Decoder of the informed autoencoder: agreement with sim/ccs.c (potential and tangents),\n"
                     "gradient checks of every decoder tangent, of the closed-form-gain loss and of the full\n"
                     "pipeline (encoder, scaler, decoder) on a tiny net (spec estimator.md 3.5).\n";

#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/nn/model.h"
#include "tests/nn/gradcheck.h"

#define NE 6
#define NC 4
#define NT 32

typedef struct {
  SemgDecoder *dec;
  SemgModel   *model;
  PetscReal    theta[3], *x, *r, *P, *truth;
  PetscInt     B, mode; /* 0: sum r*y, 1: loss of one sample, 2: pipeline loss */
} Ctx;

static PetscErrorCode CtxLoss(void *ctx, PetscReal *L)
{
  Ctx *c = (Ctx *)ctx;

  PetscFunctionBeginUser;
  if (c->mode == 0) {
    PetscCall(SemgDecoderApply(c->dec, c->theta, c->dec->y, NULL));
    *L = 0.0;
    for (PetscInt i = 0; i < NC * NT; i++) *L += c->r[i] * c->dec->y[i];
  } else if (c->mode == 1) {
    PetscCall(SemgDecoderLoss(c->dec, c->theta, c->x, L, NULL, NULL));
  } else {
    PetscCall(SemgModelLossGrad(c->model, c->P, c->B, c->x, c->truth, L, NULL));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Tiny geometry: 6 electrodes at 5 mm IED, 20 mm above the MU axis, DD montage (4 channels). */
static PetscErrorCode MakeDecoder(PetscBool latent_depth, PetscInt nf, SemgDecoder **dec)
{
  SemgDecoderSpec     spec;
  SemgDecoderGeometry geo;
  PetscReal           exyz[3 * NE], w[3 * NC];
  PetscInt            che[3 * NC];

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < NE; e++) exyz[3 * e] = -0.0125 + 0.005 * e, exyz[3 * e + 1] = 0.0, exyz[3 * e + 2] = 0.0;
  for (PetscInt c = 0; c < NC; c++) {
    che[3 * c] = c, che[3 * c + 1] = c + 1, che[3 * c + 2] = c + 2;
    w[3 * c] = 1.0, w[3 * c + 1] = -2.0, w[3 * c + 2] = 1.0;
  }
  PetscCall(SemgDecoderSpecDefault(&spec));
  spec.mu.n_fibres    = nf;
  spec.latent_depth   = latent_depth;
  spec.depth_range[0] = 0.015;
  spec.depth_range[1] = 0.025;
  geo.ne              = NE;
  geo.nc              = NC;
  geo.nt              = NT;
  geo.fs              = 5000.0;
  geo.exyz            = exyz;
  geo.ch_e            = che;
  geo.ch_w            = w;
  PetscCall(SemgDecoderCreate(&spec, &geo, dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The decoder's own kernel against SemgCCSPotentialTangents of sim/ccs.c on the shifted template. */
static PetscErrorCode CheckAgainstCCS(SemgDecoder *dec, const PetscReal *theta, PetscInt *nbad)
{
  PetscReal *phi, *dsx, *dsy, *dsz, *dv, *ds[3], exyz[3 * NE], err_phi = 0, err_t = 0, mx = 0, mxt = 0;
  size_t     n = (size_t)NE * NT;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(dec, theta, dec->y, dec->J)); /* leaves dec->fib shifted and phi/dphi filled */
  PetscCall(PetscMalloc5(n, &phi, n, &dsx, n, &dsy, n, &dsz, n, &dv));
  ds[0] = dsx, ds[1] = dsy, ds[2] = dsz;
  for (PetscInt e = 0; e < NE; e++) exyz[3 * e] = dec->ex[e], exyz[3 * e + 1] = dec->ey[e], exyz[3 * e + 2] = dec->ez[e];
  PetscCall(SemgCCSPotentialTangents(&dec->par, dec->nf, dec->fib, NE, exyz, NT, 0.0, dec->dt, phi, ds, dv, NULL));
  for (size_t i = 0; i < n; i++) {
    mx      = PetscMax(mx, PetscAbsReal(phi[i]));
    mxt     = PetscMax(mxt, PetscMax(PetscAbsReal(dsx[i]), PetscAbsReal(dv[i])));
    err_phi = PetscMax(err_phi, PetscAbsReal(phi[i] - dec->phi[i]));
    err_t   = PetscMax(err_t, PetscMax(PetscAbsReal(dsx[i] - dec->dphi[i]), PetscAbsReal(dv[i] - dec->dphi[n + i])));
    if (dec->K > 2) err_t = PetscMax(err_t, PetscAbsReal(dsz[i] - dec->dphi[2 * n + i]));
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "decoder vs sim/ccs.c: phi rel err < 1e-12: %s, tangents rel err < 1e-12: %s\n", err_phi < 1e-12 * mx ? "ok" : "FAIL", err_t < 1e-12 * mxt ? "ok" : "FAIL"));
  if (gradcheck_verbose)
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "   phi %.3e tangents %.3e (relative to max)\n", (double)(err_phi / mx), (double)(err_t / mxt)));
  if (!(err_phi < 1e-12 * mx && err_t < 1e-12 * mxt)) (*nbad)++;
  PetscCall(PetscFree5(phi, dsx, dsy, dsz, dv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckDecoder(PetscBool latent_depth, PetscInt *nbad)
{
  Ctx             c = {0};
  SemgRng         rng;
  PetscReal       g[3], h = 1e-6, theta2[3] = {-0.004, 4.6, 0.021}, gain;
  GradCheckResult res;
  const char     *names[3] = {"iz", "cv", "depth"};

  PetscFunctionBeginUser;
  PetscCall(MakeDecoder(latent_depth, 10, &c.dec));
  c.theta[0] = 0.0013, c.theta[1] = 3.7, c.theta[2] = 0.018;
  PetscCall(CheckAgainstCCS(c.dec, c.theta, nbad));
  PetscCall(PetscMalloc2(NC * NT, &c.r, NC * NT, &c.x));
  SemgRngInit(&rng, 11, 0, SEMG_STREAM_USER);
  for (PetscInt i = 0; i < NC * NT; i++) c.r[i] = SemgRngUniformRange(&rng, -1, 1);
  /* tangents: d(sum r y)/d theta_j = <r, J_j>; FD step 1e-6 (hi - lo) per latent */
  c.mode = 0;
  PetscCall(SemgDecoderApply(c.dec, c.theta, c.dec->y, c.dec->J));
  for (PetscInt j = 0; j < c.dec->K; j++) {
    char what[64];
    g[j] = 0.0;
    for (PetscInt i = 0; i < NC * NT; i++) g[j] += c.r[i] * c.dec->J[(size_t)j * NC * NT + i];
    PetscCall(GradCheck(CtxLoss, &c, 1, &c.theta[j], &g[j], h * (c.dec->scaler.hi[j] - c.dec->scaler.lo[j]), &res));
    PetscCall(PetscSNPrintf(what, sizeof(what), "decoder tangent d/d%s", names[j]));
    PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
  }
  /* closed-form-gain loss: target = 2.5 * D(theta2) + noise */
  PetscCall(SemgDecoderApply(c.dec, theta2, c.x, NULL));
  for (PetscInt i = 0; i < NC * NT; i++) c.x[i] = 2.5 * c.x[i] + 1e-4 * SemgRngNormal(&rng);
  c.mode = 1;
  {
    PetscReal L, dth[3];
    PetscCall(SemgDecoderLoss(c.dec, c.theta, c.x, &L, dth, &gain));
    for (PetscInt j = 0; j < c.dec->K; j++) {
      char what[64];
      PetscCall(GradCheck(CtxLoss, &c, 1, &c.theta[j], &dth[j], h * (c.dec->scaler.hi[j] - c.dec->scaler.lo[j]), &res));
      PetscCall(PetscSNPrintf(what, sizeof(what), "gain loss d/d%s%s", names[j], latent_depth ? " (K=3)" : ""));
      PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
    }
  }
  PetscCall(PetscFree2(c.r, c.x));
  PetscCall(SemgDecoderDestroy(&c.dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* x -> CNN (<= 200 parameters) -> scaler -> decoder -> loss, two samples, with lambda_h and lambda_sup. */
static PetscErrorCode CheckPipeline(PetscReal lambda_sup, PetscReal lambda_h, PetscInt *nbad)
{
  Ctx          c = {0};
  SemgEncoder *enc;
  SemgRng      rng;
  PetscReal   *G, L,
    th[2][3] = {
      {0.002,  3.4, 0.017},
      {-0.003, 4.5, 0.022}
  };
  PetscInt        filters[1] = {2};
  GradCheckResult res;
  char            what[64];

  PetscFunctionBeginUser;
  c.B = 2;
  PetscCall(MakeDecoder(PETSC_TRUE, 10, &c.dec));
  PetscCall(SemgEncoderCreate(SEMG_ENCODER_CNN, NC, NT, 3, 1, filters, 3, 0, NULL, SEMG_ACT_TANH, c.B, &enc));
  PetscCall(SemgModelCreate(enc, c.dec, &c.model));
  c.model->lambda_sup = lambda_sup;
  c.model->lambda_h   = lambda_h;
  PetscCall(PetscMalloc3(c.B * NC * NT, &c.x, enc->n_params, &c.P, c.B * 3, &c.truth));
  PetscCall(PetscCalloc1(enc->n_params, &G));
  SemgRngInit(&rng, 12, 0, SEMG_STREAM_USER);
  for (PetscInt b = 0; b < c.B; b++) {
    PetscCall(SemgDecoderApply(c.dec, th[b], c.x + b * NC * NT, NULL));
    for (PetscInt i = 0; i < NC * NT; i++) c.x[b * NC * NT + i] += 1e-3 * SemgRngNormal(&rng);
    for (PetscInt j = 0; j < 3; j++) c.truth[b * 3 + j] = th[b][j];
  }
  PetscCall(SemgNormaliseSamples(c.B, NC * NT, c.x, NULL));
  PetscCall(SemgEncoderInit(enc, SEMG_INIT_TORCH, 3, c.P));
  for (PetscInt i = enc->tensor[enc->ntensors - 1].offset; i < enc->n_params; i++) c.P[i] = 0.3 * (i % 2 ? 1 : -1);
  c.mode = 2;
  PetscCall(SemgModelLossGrad(c.model, c.P, c.B, c.x, c.truth, &L, G));
  PetscCall(GradCheck(CtxLoss, &c, enc->n_params, c.P, G, 1e-6, &res));
  PetscCall(PetscSNPrintf(what, sizeof(what), "pipeline %d par sup=%g h=%g", (int)enc->n_params, (double)lambda_sup, (double)lambda_h));
  PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
  PetscCall(PetscFree3(c.x, c.P, c.truth));
  PetscCall(PetscFree(G));
  PetscCall(SemgModelDestroy(&c.model));
  PetscCall(SemgEncoderDestroy(&enc));
  PetscCall(SemgDecoderDestroy(&c.dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt nbad = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &gradcheck_verbose, NULL));
  PetscCall(CheckDecoder(PETSC_FALSE, &nbad));
  PetscCall(CheckDecoder(PETSC_TRUE, &nbad));
  PetscCall(CheckPipeline(0.0, 0.0, &nbad));
  PetscCall(CheckPipeline(0.5, 1e-3, &nbad));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s\n", nbad ? "FAILED" : "ALL PASSED"));
  PetscCall(PetscFinalize());
  return nbad ? 1 : 0;
}
