#include <petscviewer.h>
#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/nn/encoder.h"

const char *const SemgEncoderTypes[] = {"mlp", "cnn", "SemgEncoderType", "SEMG_ENCODER_", NULL};
const char *const SemgInitTypes[]    = {"torch", "glorot", "SemgInitType", "SEMG_INIT_", NULL};

static PetscErrorCode EncoderAddTensor(SemgEncoder *enc, const char *name, PetscCount size, PetscInt fan_in, PetscInt fan_out, PetscBool is_bias, PetscCount *off)
{
  SemgTensor *t;

  PetscFunctionBeginUser;
  PetscCheck(enc->ntensors < 2 * SEMG_ENCODER_MAX_LAYERS, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "too many tensors");
  t = &enc->tensor[enc->ntensors++];
  PetscCall(PetscStrncpy(t->name, name, sizeof(t->name)));
  t->offset  = enc->n_params;
  t->size    = size;
  t->fan_in  = fan_in;
  t->fan_out = fan_out;
  t->is_bias = is_bias;
  *off       = enc->n_params;
  enc->n_params += size;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode EncoderAddLayer(SemgEncoder *enc, SemgLayerKind kind, PetscInt cin, PetscInt cout, PetscInt T, PetscInt k, SemgActivation act)
{
  SemgLayer *L;
  char       name[32];
  PetscInt   l = enc->nlayers;

  PetscFunctionBeginUser;
  PetscCheck(l < SEMG_ENCODER_MAX_LAYERS, PETSC_COMM_SELF, SEMG_ERR_USER, "encoder has more than %d layers", SEMG_ENCODER_MAX_LAYERS);
  L       = &enc->layer[l];
  L->kind = kind;
  L->act  = act;
  L->cin  = cin;
  L->cout = cout;
  L->T    = T;
  L->k    = k;
  switch (kind) {
  case SEMG_LAYER_DENSE:
    L->in_size  = cin;
    L->out_size = cout;
    PetscCall(PetscSNPrintf(name, sizeof(name), "dense%d.weight", (int)l));
    PetscCall(EncoderAddTensor(enc, name, (PetscCount)cin * cout, cin, cout, PETSC_FALSE, &L->w_off));
    PetscCall(PetscSNPrintf(name, sizeof(name), "dense%d.bias", (int)l));
    PetscCall(EncoderAddTensor(enc, name, cout, cin, cout, PETSC_TRUE, &L->b_off));
    break;
  case SEMG_LAYER_CONV:
    L->in_size  = cin * T;
    L->out_size = cout * T;
    PetscCall(PetscSNPrintf(name, sizeof(name), "conv%d.weight", (int)l));
    PetscCall(EncoderAddTensor(enc, name, (PetscCount)cout * cin * k, cin * k, cout * k, PETSC_FALSE, &L->w_off));
    PetscCall(PetscSNPrintf(name, sizeof(name), "conv%d.bias", (int)l));
    PetscCall(EncoderAddTensor(enc, name, cout, cin * k, cout * k, PETSC_TRUE, &L->b_off));
    break;
  case SEMG_LAYER_POOL:
    PetscCheck(T >= 2, PETSC_COMM_SELF, SEMG_ERR_USER, "encoder: too many pooling blocks for %" PetscInt_FMT " time samples", enc->in_times);
    L->in_size  = cin * T;
    L->out_size = cin * (T / 2);
    L->w_off = L->b_off = -1;
    break;
  }
  enc->nlayers++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEncoderCreate(SemgEncoderType type, PetscInt in_channels, PetscInt in_times, PetscInt n_out, PetscInt nconv, const PetscInt conv_filters[], PetscInt kernel, PetscInt ndense, const PetscInt dense_widths[], SemgActivation act, PetscInt bmax, SemgEncoder **encp)
{
  SemgEncoder *enc;
  PetscInt     c = in_channels, T = in_times, n;

  PetscFunctionBeginUser;
  PetscCheck(in_channels > 0 && in_times > 0 && n_out > 0 && bmax > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "encoder: empty shape");
  PetscCall(PetscNew(&enc));
  enc->type        = type;
  enc->in_channels = in_channels;
  enc->in_times    = in_times;
  enc->n_out       = n_out;
  enc->bmax        = bmax;
  if (type == SEMG_ENCODER_CNN) {
    PetscCheck(kernel % 2 == 1 && kernel > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "encoder: -enc_kernel must be odd, got %" PetscInt_FMT, kernel);
    for (PetscInt i = 0; i < nconv; i++) {
      PetscCall(EncoderAddLayer(enc, SEMG_LAYER_CONV, c, conv_filters[i], T, kernel, act));
      c = conv_filters[i];
      PetscCall(EncoderAddLayer(enc, SEMG_LAYER_POOL, c, c, T, 0, SEMG_ACT_IDENTITY));
      T = T / 2;
    }
  }
  n = c * T; /* flatten */
  for (PetscInt i = 0; i < ndense; i++) {
    PetscCall(EncoderAddLayer(enc, SEMG_LAYER_DENSE, n, dense_widths[i], 0, 0, act));
    n = dense_widths[i];
  }
  PetscCall(EncoderAddLayer(enc, SEMG_LAYER_DENSE, n, n_out, 0, 0, SEMG_ACT_IDENTITY));
  enc->tensor[enc->ntensors - 1].is_output = PETSC_TRUE;
  enc->tensor[enc->ntensors - 2].is_output = PETSC_TRUE;
  for (PetscInt l = 0; l < enc->nlayers; l++) {
    size_t sz = (size_t)bmax * enc->layer[l].out_size;
    PetscCall(PetscMalloc1(sz, &enc->y[l]));
    PetscCall(PetscMalloc1(sz, &enc->dy[l]));
    if (enc->layer[l].kind != SEMG_LAYER_POOL) {
      PetscCall(PetscMalloc1(sz, &enc->z[l]));
      PetscCall(PetscMalloc1(sz, &enc->dz[l]));
    }
  }
  *encp = enc;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEncoderDestroy(SemgEncoder **encp)
{
  SemgEncoder *enc = *encp;

  PetscFunctionBeginUser;
  if (!enc) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt l = 0; l < enc->nlayers; l++) {
    PetscCall(PetscFree(enc->y[l]));
    PetscCall(PetscFree(enc->dy[l]));
    PetscCall(PetscFree(enc->z[l]));
    PetscCall(PetscFree(enc->dz[l]));
  }
  PetscCall(PetscFree(*encp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEncoderView(const SemgEncoder *enc, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "encoder %s: input %" PetscInt_FMT " x %" PetscInt_FMT ", %" PetscInt_FMT " outputs, %" PetscCount_FMT " parameters\n",
                                   SemgEncoderTypes[enc->type], enc->in_channels, enc->in_times, enc->n_out, enc->n_params));
  for (PetscInt l = 0; l < enc->nlayers; l++) {
    const SemgLayer *L    = &enc->layer[l];
    const char      *kind = L->kind == SEMG_LAYER_DENSE ? "dense" : (L->kind == SEMG_LAYER_CONV ? "conv" : "avgpool2");
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %-8s %6" PetscInt_FMT " -> %6" PetscInt_FMT " %s\n", kind, L->in_size, L->out_size, L->kind == SEMG_LAYER_POOL ? "" : SemgActivations[L->act]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEncoderInit(const SemgEncoder *enc, SemgInitType init, uint64_t seed, PetscReal *P)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < enc->ntensors; i++) {
    const SemgTensor *t = &enc->tensor[i];
    SemgRng           rng;
    PetscReal         a;

    SemgRngInit(&rng, seed, (uint64_t)i, SEMG_STREAM_INIT);
    /* PyTorch: U(+-1/sqrt(fan_in)) for weight and bias; Keras: Glorot uniform weight, zero bias. */
    if (init == SEMG_INIT_TORCH) a = 1.0 / PetscSqrtReal((PetscReal)t->fan_in);
    else a = t->is_bias ? 0.0 : PetscSqrtReal(6.0 / (PetscReal)(t->fan_in + t->fan_out));
    if (t->is_bias && t->is_output) a = 0.0; /* latents start mid-range */
    for (PetscCount j = 0; j < t->size; j++) P[t->offset + j] = SemgRngUniformRange(&rng, -a, a);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEncoderForward(SemgEncoder *enc, const PetscReal *P, PetscInt B, const PetscReal *x, PetscReal *h)
{
  const PetscReal *in = x;

  PetscFunctionBeginUser;
  PetscCheck(B <= enc->bmax, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "batch %" PetscInt_FMT " exceeds encoder capacity %" PetscInt_FMT, B, enc->bmax);
  enc->x = x;
  enc->B = B;
  for (PetscInt l = 0; l < enc->nlayers; l++) {
    const SemgLayer *L = &enc->layer[l];
    switch (L->kind) {
    case SEMG_LAYER_DENSE:
      PetscCall(SemgDenseForward(B, L->cin, L->cout, in, P + L->w_off, P + L->b_off, enc->z[l]));
      break;
    case SEMG_LAYER_CONV:
      PetscCall(SemgConv1dForward(B, L->cin, L->cout, L->T, L->k, in, P + L->w_off, P + L->b_off, enc->z[l]));
      break;
    case SEMG_LAYER_POOL:
      PetscCall(SemgAvgPool2Forward(B * L->cin, L->T, in, enc->y[l]));
      break;
    }
    if (L->kind != SEMG_LAYER_POOL) PetscCall(SemgActivationForward(L->act, (PetscCount)B * L->out_size, enc->z[l], enc->y[l]));
    in = enc->y[l];
  }
  PetscCall(PetscArraycpy(h, in, (size_t)B * enc->n_out));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEncoderBackward(SemgEncoder *enc, const PetscReal *P, const PetscReal *dh, PetscReal *G)
{
  PetscInt B = enc->B;

  PetscFunctionBeginUser;
  PetscCall(PetscArraycpy(enc->dy[enc->nlayers - 1], dh, (size_t)B * enc->n_out));
  for (PetscInt l = enc->nlayers - 1; l >= 0; l--) {
    const SemgLayer *L   = &enc->layer[l];
    const PetscReal *in  = l > 0 ? enc->y[l - 1] : enc->x;
    PetscReal       *din = l > 0 ? enc->dy[l - 1] : NULL;

    if (din) PetscCall(PetscArrayzero(din, (size_t)B * L->in_size));
    if (L->kind == SEMG_LAYER_POOL) {
      PetscCall(SemgAvgPool2Backward(B * L->cin, L->T, enc->dy[l], din));
      continue;
    }
    PetscCall(PetscArrayzero(enc->dz[l], (size_t)B * L->out_size));
    PetscCall(SemgActivationBackward(L->act, (PetscCount)B * L->out_size, enc->z[l], enc->y[l], enc->dy[l], enc->dz[l]));
    if (L->kind == SEMG_LAYER_DENSE) PetscCall(SemgDenseBackward(B, L->cin, L->cout, in, P + L->w_off, enc->dz[l], din, G + L->w_off, G + L->b_off));
    else PetscCall(SemgConv1dBackward(B, L->cin, L->cout, L->T, L->k, in, P + L->w_off, enc->dz[l], din, G + L->w_off, G + L->b_off));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
