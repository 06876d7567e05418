#include <math.h>
#include <petscsys.h>
#include <petscblaslapack.h>
#include "core/semg_error.h"
#include "estimator/nn/layers.h"

const char *const SemgActivations[] = {"identity", "relu", "leaky", "tanh", "sigmoid", "softplus", "SemgActivation", "SEMG_ACT_", NULL};

PetscErrorCode SemgDenseForward(PetscInt B, PetscInt nin, PetscInt nout, const PetscReal *in, const PetscReal *W, const PetscReal *bias, PetscReal *out)
{
  PetscBLASInt m, n, k;
  PetscReal    one = 1.0, zero = 0.0;

  PetscFunctionBeginUser;
  if (B == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscBLASIntCast(nout, &m));
  PetscCall(PetscBLASIntCast(B, &n));
  PetscCall(PetscBLASIntCast(nin, &k));
  /* Column-major view: out^T (nout x B) = W (nout x nin, stored as its transpose) * in^T (nin x B). */
  BLASgemm_("T", "N", &m, &n, &k, &one, W, &k, in, &k, &zero, out, &m);
  for (PetscInt b = 0; b < B; b++)
    for (PetscInt o = 0; o < nout; o++) out[(size_t)b * nout + o] += bias[o];
  PetscCall(PetscLogFlops(2.0 * B * nin * nout));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDenseBackward(PetscInt B, PetscInt nin, PetscInt nout, const PetscReal *in, const PetscReal *W, const PetscReal *dout, PetscReal *din, PetscReal *dW, PetscReal *dbias)
{
  PetscBLASInt bi, bo, bb;
  PetscReal    one = 1.0;

  PetscFunctionBeginUser;
  if (B == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscBLASIntCast(nin, &bi));
  PetscCall(PetscBLASIntCast(nout, &bo));
  PetscCall(PetscBLASIntCast(B, &bb));
  /* dW^T (nin x nout) += in^T (nin x B) * dout (B x nout) */
  BLASgemm_("N", "T", &bi, &bo, &bb, &one, in, &bi, dout, &bo, &one, dW, &bi);
  /* din^T (nin x B) += W^T (nin x nout) * dout^T (nout x B) */
  if (din) BLASgemm_("N", "N", &bi, &bb, &bo, &one, W, &bi, dout, &bo, &one, din, &bi);
  for (PetscInt b = 0; b < B; b++)
    for (PetscInt o = 0; o < nout; o++) dbias[o] += dout[(size_t)b * nout + o];
  PetscCall(PetscLogFlops((din ? 4.0 : 2.0) * B * nin * nout));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Valid output range for tap j: t + j - p in [0, T). */
static inline void ConvRange(PetscInt T, PetscInt j, PetscInt p, PetscInt *t0, PetscInt *t1)
{
  *t0 = p - j > 0 ? p - j : 0;
  *t1 = T + p - j < T ? T + p - j : T;
}

/* im2col of one sample: col[ci*k + j][t] = x[ci][t + j - p], zero outside [0, T). */
static void Im2Col(PetscInt cin, PetscInt T, PetscInt k, const PetscReal *x, PetscReal *col)
{
  PetscInt p = k / 2;

  for (PetscInt ci = 0; ci < cin; ci++)
    for (PetscInt j = 0; j < k; j++) {
      PetscReal       *c  = col + ((size_t)ci * k + j) * T;
      const PetscReal *xs = x + (size_t)ci * T + j - p;
      PetscInt         t0, t1;
      ConvRange(T, j, p, &t0, &t1);
      for (PetscInt t = 0; t < t0; t++) c[t] = 0.0;
      for (PetscInt t = t0; t < t1; t++) c[t] = xs[t];
      for (PetscInt t = t1; t < T; t++) c[t] = 0.0;
    }
}

PetscErrorCode SemgConv1dForward(PetscInt B, PetscInt cin, PetscInt cout, PetscInt T, PetscInt k, const PetscReal *in, const PetscReal *W, const PetscReal *bias, PetscReal *out)
{
  PetscReal   *col, one = 1.0;
  PetscBLASInt bt, bo, br;

  PetscFunctionBeginUser;
  PetscCheck(k % 2 == 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "conv kernel must be odd, got %" PetscInt_FMT, k);
  PetscCall(PetscBLASIntCast(T, &bt));
  PetscCall(PetscBLASIntCast(cout, &bo));
  PetscCall(PetscBLASIntCast(cin * k, &br));
  PetscCall(PetscMalloc1((size_t)cin * k * T, &col));
  for (PetscInt b = 0; b < B; b++) {
    PetscReal *y = out + (size_t)b * cout * T;
    for (PetscInt co = 0; co < cout; co++)
      for (PetscInt t = 0; t < T; t++) y[(size_t)co * T + t] = bias[co];
    Im2Col(cin, T, k, in + (size_t)b * cin * T, col);
    /* out (cout x T) += W (cout x cin k) col (cin k x T); column-major: out^T = col^T W^T */
    BLASgemm_("N", "N", &bt, &bo, &br, &one, col, &bt, W, &br, &one, y, &bt);
  }
  PetscCall(PetscFree(col));
  PetscCall(PetscLogFlops(2.0 * B * cout * cin * k * T));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConv1dBackward(PetscInt B, PetscInt cin, PetscInt cout, PetscInt T, PetscInt k, const PetscReal *in, const PetscReal *W, const PetscReal *dout, PetscReal *din, PetscReal *dW, PetscReal *dbias)
{
  PetscInt     p = k / 2;
  PetscReal   *col, *dcol, one = 1.0, zero = 0.0;
  PetscBLASInt bt, bo, br;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(T, &bt));
  PetscCall(PetscBLASIntCast(cout, &bo));
  PetscCall(PetscBLASIntCast(cin * k, &br));
  PetscCall(PetscMalloc2((size_t)cin * k * T, &col, (size_t)cin * k * T, &dcol));
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal *dy = dout + (size_t)b * cout * T;
    for (PetscInt co = 0; co < cout; co++) {
      PetscReal s = 0.0;
      for (PetscInt t = 0; t < T; t++) s += dy[(size_t)co * T + t];
      dbias[co] += s;
    }
    Im2Col(cin, T, k, in + (size_t)b * cin * T, col);
    /* dW (cout x cin k) += dout (cout x T) col^T; column-major: dW^T += col dout^T */
    BLASgemm_("T", "N", &br, &bo, &bt, &one, col, &bt, dy, &bt, &one, dW, &br);
    if (!din) continue;
    /* dcol (cin k x T) = W^T dout; column-major: dcol^T = dout^T W */
    BLASgemm_("N", "T", &bt, &br, &bo, &one, dy, &bt, W, &br, &zero, dcol, &bt);
    for (PetscInt ci = 0; ci < cin; ci++)
      for (PetscInt j = 0; j < k; j++) {
        const PetscReal *c  = dcol + ((size_t)ci * k + j) * T;
        PetscReal       *dx = din + (size_t)b * cin * T + (size_t)ci * T + j - p;
        PetscInt         t0, t1;
        ConvRange(T, j, p, &t0, &t1);
        for (PetscInt t = t0; t < t1; t++) dx[t] += c[t];
      }
  }
  PetscCall(PetscFree2(col, dcol));
  PetscCall(PetscLogFlops((din ? 4.0 : 2.0) * B * cout * cin * k * T));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgAvgPool2Forward(PetscInt rows, PetscInt T, const PetscReal *in, PetscReal *out)
{
  PetscInt To = T / 2;

  PetscFunctionBeginUser;
  for (PetscInt r = 0; r < rows; r++)
    for (PetscInt t = 0; t < To; t++) out[(size_t)r * To + t] = 0.5 * (in[(size_t)r * T + 2 * t] + in[(size_t)r * T + 2 * t + 1]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgAvgPool2Backward(PetscInt rows, PetscInt T, const PetscReal *dout, PetscReal *din)
{
  PetscInt To = T / 2;

  PetscFunctionBeginUser;
  for (PetscInt r = 0; r < rows; r++)
    for (PetscInt t = 0; t < To; t++) {
      PetscReal g = 0.5 * dout[(size_t)r * To + t];
      din[(size_t)r * T + 2 * t] += g;
      din[(size_t)r * T + 2 * t + 1] += g;
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgActivationForward(SemgActivation act, PetscCount n, const PetscReal *z, PetscReal *y)
{
  PetscFunctionBeginUser;
  switch (act) {
  case SEMG_ACT_IDENTITY:
    for (PetscCount i = 0; i < n; i++) y[i] = z[i];
    break;
  case SEMG_ACT_RELU:
    for (PetscCount i = 0; i < n; i++) y[i] = z[i] > 0.0 ? z[i] : 0.0;
    break;
  case SEMG_ACT_LEAKY:
    for (PetscCount i = 0; i < n; i++) y[i] = z[i] > 0.0 ? z[i] : 0.01 * z[i];
    break;
  case SEMG_ACT_TANH:
    for (PetscCount i = 0; i < n; i++) y[i] = tanh(z[i]);
    break;
  case SEMG_ACT_SIGMOID:
    for (PetscCount i = 0; i < n; i++) y[i] = 1.0 / (1.0 + exp(-z[i]));
    break;
  case SEMG_ACT_SOFTPLUS:
    for (PetscCount i = 0; i < n; i++) y[i] = (z[i] > 0.0 ? z[i] : 0.0) + log1p(exp(-fabs(z[i])));
    break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgActivationBackward(SemgActivation act, PetscCount n, const PetscReal *z, const PetscReal *y, const PetscReal *dy, PetscReal *dz)
{
  PetscFunctionBeginUser;
  switch (act) {
  case SEMG_ACT_IDENTITY:
    for (PetscCount i = 0; i < n; i++) dz[i] += dy[i];
    break;
  case SEMG_ACT_RELU:
    for (PetscCount i = 0; i < n; i++) dz[i] += z[i] > 0.0 ? dy[i] : 0.0;
    break;
  case SEMG_ACT_LEAKY:
    for (PetscCount i = 0; i < n; i++) dz[i] += z[i] > 0.0 ? dy[i] : 0.01 * dy[i];
    break;
  case SEMG_ACT_TANH:
    for (PetscCount i = 0; i < n; i++) dz[i] += (1.0 - y[i] * y[i]) * dy[i];
    break;
  case SEMG_ACT_SIGMOID:
    for (PetscCount i = 0; i < n; i++) dz[i] += y[i] * (1.0 - y[i]) * dy[i];
    break;
  case SEMG_ACT_SOFTPLUS:
    for (PetscCount i = 0; i < n; i++) dz[i] += dy[i] / (1.0 + exp(-z[i]));
    break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
