static char help[] = "Gradient checks of every encoder layer, activation, the physical scaler and the whole encoder\n"
                     "(central differences, spec estimator.md 3.5), and AdamW hand values at t = 1, 2.\n";

#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/nn/layers.h"
#include "estimator/nn/encoder.h"
#include "estimator/nn/scaler.h"
#include "estimator/nn/adamw.h"
#include "tests/nn/gradcheck.h"

/* Scalar test loss L = sum_i r_i out_i with fixed random r, so dL/dout = r. */
typedef struct {
  PetscInt       kind; /* 0 dense, 1 conv, 2 pool, 3 activation, 4 scaler, 5 encoder */
  PetscInt       B, nin, nout, cin, cout, T, k;
  SemgActivation act;
  PetscReal     *in, *W, *b, *out, *r;
  SemgScaler     sc;
  SemgEncoder   *enc;
  PetscReal     *P;
} Case;

static void FillUniform(SemgRng *rng, PetscCount n, PetscReal lo, PetscReal hi, PetscReal *v)
{
  for (PetscCount i = 0; i < n; i++) v[i] = SemgRngUniformRange(rng, lo, hi);
}

static PetscErrorCode CaseForward(Case *c, PetscCount *nout)
{
  PetscFunctionBeginUser;
  switch (c->kind) {
  case 0:
    PetscCall(SemgDenseForward(c->B, c->nin, c->nout, c->in, c->W, c->b, c->out));
    *nout = (PetscCount)c->B * c->nout;
    break;
  case 1:
    PetscCall(SemgConv1dForward(c->B, c->cin, c->cout, c->T, c->k, c->in, c->W, c->b, c->out));
    *nout = (PetscCount)c->B * c->cout * c->T;
    break;
  case 2:
    PetscCall(SemgAvgPool2Forward(c->B, c->T, c->in, c->out));
    *nout = (PetscCount)c->B * (c->T / 2);
    break;
  case 3:
    PetscCall(SemgActivationForward(c->act, c->nin, c->in, c->out));
    *nout = c->nin;
    break;
  case 4:
    PetscCall(SemgScalerForward(&c->sc, c->B, c->in, c->out));
    *nout = (PetscCount)c->B * c->sc.K;
    break;
  default:
    PetscCall(SemgEncoderForward(c->enc, c->P, c->B, c->in, c->out));
    *nout = (PetscCount)c->B * c->enc->n_out;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CaseLoss(void *ctx, PetscReal *L)
{
  Case      *c = (Case *)ctx;
  PetscCount n;

  PetscFunctionBeginUser;
  PetscCall(CaseForward(c, &n));
  *L = 0.0;
  for (PetscCount i = 0; i < n; i++) *L += c->r[i] * c->out[i];
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckDense(PetscInt *nbad)
{
  Case            c = {0};
  SemgRng         rng;
  PetscReal      *din, *dW, *db;
  GradCheckResult res;

  PetscFunctionBeginUser;
  c.kind = 0;
  c.B    = 3;
  c.nin  = 5;
  c.nout = 4;
  SemgRngInit(&rng, 1, 0, SEMG_STREAM_USER);
  PetscCall(PetscMalloc4(15, &c.in, 20, &c.W, 4, &c.b, 12, &c.out));
  PetscCall(PetscMalloc1(12, &c.r));
  PetscCall(PetscCalloc3(15, &din, 20, &dW, 4, &db));
  FillUniform(&rng, 15, -1, 1, c.in);
  FillUniform(&rng, 20, -1, 1, c.W);
  FillUniform(&rng, 4, -1, 1, c.b);
  FillUniform(&rng, 12, -1, 1, c.r);
  PetscCall(SemgDenseBackward(c.B, c.nin, c.nout, c.in, c.W, c.r, din, dW, db));
  PetscCall(GradCheck(CaseLoss, &c, 20, c.W, dW, 1e-6, &res));
  PetscCall(GradCheckReport("dense weight", &res, 1e-6, nbad));
  PetscCall(GradCheck(CaseLoss, &c, 4, c.b, db, 1e-6, &res));
  PetscCall(GradCheckReport("dense bias", &res, 1e-6, nbad));
  PetscCall(GradCheck(CaseLoss, &c, 15, c.in, din, 1e-6, &res));
  PetscCall(GradCheckReport("dense input", &res, 1e-6, nbad));
  PetscCall(PetscFree4(c.in, c.W, c.b, c.out));
  PetscCall(PetscFree(c.r));
  PetscCall(PetscFree3(din, dW, db));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckConv(PetscInt k, PetscInt *nbad)
{
  Case            c = {0};
  SemgRng         rng;
  PetscReal      *din, *dW, *db;
  PetscInt        nin, nw, no;
  GradCheckResult res;
  char            what[64];

  PetscFunctionBeginUser;
  c.kind = 1;
  c.B    = 2;
  c.cin  = 3;
  c.cout = 4;
  c.T    = 9;
  c.k    = k;
  nin    = c.B * c.cin * c.T;
  nw     = c.cout * c.cin * k;
  no     = c.B * c.cout * c.T;
  SemgRngInit(&rng, 2, (uint64_t)k, SEMG_STREAM_USER);
  PetscCall(PetscMalloc4(nin, &c.in, nw, &c.W, c.cout, &c.b, no, &c.out));
  PetscCall(PetscMalloc1(no, &c.r));
  PetscCall(PetscCalloc3(nin, &din, nw, &dW, c.cout, &db));
  FillUniform(&rng, nin, -1, 1, c.in);
  FillUniform(&rng, nw, -1, 1, c.W);
  FillUniform(&rng, c.cout, -1, 1, c.b);
  FillUniform(&rng, no, -1, 1, c.r);
  PetscCall(SemgConv1dBackward(c.B, c.cin, c.cout, c.T, c.k, c.in, c.W, c.r, din, dW, db));
  PetscCall(PetscSNPrintf(what, sizeof(what), "conv k=%d weight", (int)k));
  PetscCall(GradCheck(CaseLoss, &c, nw, c.W, dW, 1e-6, &res));
  PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
  PetscCall(PetscSNPrintf(what, sizeof(what), "conv k=%d bias", (int)k));
  PetscCall(GradCheck(CaseLoss, &c, c.cout, c.b, db, 1e-6, &res));
  PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
  PetscCall(PetscSNPrintf(what, sizeof(what), "conv k=%d input", (int)k));
  PetscCall(GradCheck(CaseLoss, &c, nin, c.in, din, 1e-6, &res));
  PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
  PetscCall(PetscFree4(c.in, c.W, c.b, c.out));
  PetscCall(PetscFree(c.r));
  PetscCall(PetscFree3(din, dW, db));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckPool(PetscInt *nbad)
{
  Case            c = {0};
  SemgRng         rng;
  PetscReal      *din;
  GradCheckResult res;

  PetscFunctionBeginUser;
  c.kind = 2;
  c.B    = 4;
  c.T    = 7; /* odd length: the trailing sample gets no gradient */
  SemgRngInit(&rng, 3, 0, SEMG_STREAM_USER);
  PetscCall(PetscMalloc3(28, &c.in, 12, &c.out, 12, &c.r));
  PetscCall(PetscCalloc1(28, &din));
  FillUniform(&rng, 28, -1, 1, c.in);
  FillUniform(&rng, 12, -1, 1, c.r);
  PetscCall(SemgAvgPool2Backward(c.B, c.T, c.r, din));
  PetscCall(GradCheck(CaseLoss, &c, 28, c.in, din, 1e-6, &res));
  PetscCall(GradCheckReport("avgpool2 input", &res, 1e-6, nbad));
  PetscCall(PetscFree3(c.in, c.out, c.r));
  PetscCall(PetscFree(din));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckActivations(PetscInt *nbad)
{
  PetscFunctionBeginUser;
  for (PetscInt a = SEMG_ACT_IDENTITY; a <= SEMG_ACT_SOFTPLUS; a++) {
    Case            c = {0};
    SemgRng         rng;
    PetscReal      *dz;
    GradCheckResult res;
    char            what[64];

    c.kind = 3;
    c.nin  = 40;
    c.act  = (SemgActivation)a;
    SemgRngInit(&rng, 4, (uint64_t)a, SEMG_STREAM_USER);
    PetscCall(PetscMalloc3(40, &c.in, 40, &c.out, 40, &c.r));
    PetscCall(PetscCalloc1(40, &dz));
    FillUniform(&rng, 40, -3, 3, c.in);
    FillUniform(&rng, 40, -1, 1, c.r);
    for (PetscInt i = 0; i < 40; i++) /* keep test points >= 1e-3 from the ReLU kink */
      if (PetscAbsReal(c.in[i]) < 1e-3) c.in[i] = 0.5;
    PetscCall(SemgActivationForward(c.act, 40, c.in, c.out));
    PetscCall(SemgActivationBackward(c.act, 40, c.in, c.out, c.r, dz));
    PetscCall(PetscSNPrintf(what, sizeof(what), "activation %s", SemgActivations[a]));
    PetscCall(GradCheck(CaseLoss, &c, 40, c.in, dz, 1e-6, &res));
    PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
    PetscCall(PetscFree3(c.in, c.out, c.r));
    PetscCall(PetscFree(dz));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckScaler(PetscInt *nbad)
{
  Case            c = {0};
  SemgRng         rng;
  PetscReal      *dh;
  GradCheckResult res;

  PetscFunctionBeginUser;
  c.kind     = 4;
  c.B        = 3;
  c.sc.K     = 3;
  c.sc.lo[0] = -0.0375;
  c.sc.hi[0] = 0.0375;
  c.sc.lo[1] = 2.5;
  c.sc.hi[1] = 5.4;
  c.sc.lo[2] = 0.015;
  c.sc.hi[2] = 0.025;
  SemgRngInit(&rng, 5, 0, SEMG_STREAM_USER);
  PetscCall(PetscMalloc3(9, &c.in, 9, &c.out, 9, &c.r));
  PetscCall(PetscCalloc1(9, &dh));
  FillUniform(&rng, 9, -4, 4, c.in);
  FillUniform(&rng, 9, -1, 1, c.r);
  PetscCall(SemgScalerBackward(&c.sc, c.B, c.in, c.r, dh));
  PetscCall(GradCheck(CaseLoss, &c, 9, c.in, dh, 1e-6, &res));
  PetscCall(GradCheckReport("physical scaler", &res, 1e-6, nbad));
  PetscCall(PetscFree3(c.in, c.out, c.r));
  PetscCall(PetscFree(dh));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckEncoder(SemgEncoderType type, SemgActivation act, PetscInt *nbad)
{
  Case            c = {0};
  SemgRng         rng;
  PetscReal      *G;
  PetscInt        filters[2] = {3, 4}, widths[2] = {6, 5}, C = 4, T = 16, K = 3, nx;
  GradCheckResult res;
  char            what[64];

  PetscFunctionBeginUser;
  c.kind = 5;
  c.B    = 3;
  if (type == SEMG_ENCODER_CNN) PetscCall(SemgEncoderCreate(type, C, T, K, 2, filters, 3, 1, widths, act, c.B, &c.enc));
  else PetscCall(SemgEncoderCreate(type, C, T, K, 0, NULL, 0, 2, widths, act, c.B, &c.enc));
  nx = c.B * C * T;
  PetscCall(PetscMalloc4(nx, &c.in, c.B * K, &c.out, c.B * K, &c.r, c.enc->n_params, &c.P));
  PetscCall(PetscCalloc1(c.enc->n_params, &G));
  SemgRngInit(&rng, 6, (uint64_t)type, SEMG_STREAM_USER);
  FillUniform(&rng, nx, -1, 1, c.in);
  FillUniform(&rng, c.B * K, -1, 1, c.r);
  PetscCall(SemgEncoderInit(c.enc, SEMG_INIT_TORCH, 7, c.P));
  for (PetscInt i = c.enc->tensor[c.enc->ntensors - 1].offset; i < c.enc->n_params; i++) c.P[i] = 0.1; /* nonzero output bias */
  PetscCall(CaseForward(&c, &(PetscCount){0}));
  PetscCall(SemgEncoderBackward(c.enc, c.P, c.r, G));
  PetscCall(PetscSNPrintf(what, sizeof(what), "encoder %s %s (%d par)", SemgEncoderTypes[type], SemgActivations[act], (int)c.enc->n_params));
  PetscCall(GradCheck(CaseLoss, &c, c.enc->n_params, c.P, G, 1e-6, &res));
  PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
  PetscCall(PetscFree4(c.in, c.out, c.r, c.P));
  PetscCall(PetscFree(G));
  PetscCall(SemgEncoderDestroy(&c.enc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Reference values computed independently (Python, exact decimal arithmetic of the formulas of spec 2.6). */
static PetscErrorCode CheckAdamW(PetscInt *nbad)
{
  const PetscReal ref[2][2] = {
    {0.99899000001999999960, 0.99871367308707826163},
    {0.99899600632451532059, 0.99872567480805391875}
  };
  const PetscReal gsteps[2] = {0.5, -0.25};

  PetscFunctionBeginUser;
  for (PetscInt v = 0; v < 2; v++) {
    SemgAdamW opt;
    PetscReal w = 1.0, m = 0.0, q = 0.0;

    PetscCall(SemgAdamWDefaults((SemgAdamWVariant)v, &opt));
    for (PetscInt t = 0; t < 2; t++) {
      PetscReal err;
      PetscCall(SemgAdamWStep(&opt, opt.lr, 1, &w, &gsteps[t], &m, &q, NULL));
      err = PetscAbsReal(w - ref[v][t]) / PetscAbsReal(ref[v][t]);
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "adamw %-5s t=%d w=%.12f rel err < 1e-14: %s\n", SemgAdamWVariants[v], (int)(t + 1), (double)w, err < 1e-14 ? "ok" : "FAIL"));
      if (err >= 1e-14) (*nbad)++;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt nbad = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &gradcheck_verbose, NULL));
  PetscCall(CheckDense(&nbad));
  PetscCall(CheckConv(3, &nbad));
  PetscCall(CheckConv(7, &nbad));
  PetscCall(CheckPool(&nbad));
  PetscCall(CheckActivations(&nbad));
  PetscCall(CheckScaler(&nbad));
  for (PetscInt a = SEMG_ACT_IDENTITY; a <= SEMG_ACT_SOFTPLUS; a++) PetscCall(CheckEncoder(SEMG_ENCODER_MLP, (SemgActivation)a, &nbad));
  PetscCall(CheckEncoder(SEMG_ENCODER_CNN, SEMG_ACT_TANH, &nbad));
  PetscCall(CheckEncoder(SEMG_ENCODER_CNN, SEMG_ACT_LEAKY, &nbad));
  PetscCall(CheckAdamW(&nbad));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s\n", nbad ? "FAILED" : "ALL PASSED"));
  PetscCall(PetscFinalize());
  return nbad ? 1 : 0;
}
