/* Sub-sample alignment and robust averaging of discharges (see align.h). */
#include "core/semg_error.h"
#include "estimator/templates/align.h"

#define TAPS 16 /* half-length of the interpolator: its pass band reaches ~0.4 fs, above the MUAP's content */

/* Blackman-windowed sinc at u (|u| < TAPS). */
static PetscReal Kernel(PetscReal u)
{
  const PetscReal w = 0.42 + 0.5 * PetscCosReal(PETSC_PI * u / TAPS) + 0.08 * PetscCosReal(2 * PETSC_PI * u / TAPS);
  return (PetscAbsReal(u) < 1e-12 ? 1.0 : PetscSinReal(PETSC_PI * u) / (PETSC_PI * u)) * w;
}

void SemgWindowAt(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt k, PetscReal tau, PetscInt pre, PetscInt len, PetscReal *w)
{
  const PetscInt  ti = (PetscInt)PetscFloorReal(tau), k0 = k + ti - pre;
  const PetscReal f = tau - ti;
  PetscReal       h[2 * TAPS];

  if (f == 0) { /* whole samples: no interpolation, so tau = 0 gives exactly the plain window */
    for (PetscInt c = 0; c < nc; c++)
      for (PetscInt j = 0; j < len; j++) w[(size_t)c * len + j] = x[(size_t)c * nt + PetscMin(PetscMax(k0 + j, 0), nt - 1)];
    return;
  }
  for (PetscInt m = 0; m < 2 * TAPS; m++) h[m] = Kernel(f - (m - TAPS + 1)); /* weight of sample k0 + j + m - TAPS + 1 */
  for (PetscInt c = 0; c < nc; c++) {
    const PetscReal *xc = x + (size_t)c * nt;
    for (PetscInt j = 0; j < len; j++) {
      PetscReal s = 0;
      for (PetscInt m = 0; m < 2 * TAPS; m++) s += h[m] * xc[PetscMin(PetscMax(k0 + j + m - TAPS + 1, 0), nt - 1)];
      w[(size_t)c * len + j] = s;
    }
  }
}

/* <window of discharge at k + t, R> over nd x L. */
static PetscReal Corr(PetscInt nd, PetscInt nt, const PetscReal *d, PetscInt k, PetscReal t, PetscInt a, PetscInt L, const PetscReal *R, PetscReal *w)
{
  PetscReal s = 0;
  SemgWindowAt(nd, nt, d, k, t, a, L, w);
  for (PetscInt j = 0; j < nd * L; j++) s += w[j] * R[j];
  return s;
}

PetscErrorCode SemgAlignSubsample(PetscInt nd, PetscInt nt, const PetscReal *d, PetscInt n, const PetscInt *trig, PetscInt a, PetscInt b, PetscInt n_iter, PetscReal max_shift, PetscReal *tau)
{
  const PetscInt L = a + b, NL = nd * L;
  PetscReal     *T, *R, *w;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(tau, n));
  if (n < 3) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc3(NL, &T, NL, &R, NL, &w));
  for (PetscInt it = 0; it < n_iter; it++) {
    PetscReal mean = 0;
    PetscCall(PetscArrayzero(T, NL));
    for (PetscInt i = 0; i < n; i++) {
      SemgWindowAt(nd, nt, d, trig[i], tau[i], a, L, w);
      for (PetscInt j = 0; j < NL; j++) T[j] += w[j];
    }
    for (PetscInt i = 0; i < n; i++) {
      /* against the mean of the others: with ~10 discharges, a discharge's own share would pull it to 0 */
      const PetscReal h = 0.5;
      PetscReal       cm, c0, cp, den, step;
      SemgWindowAt(nd, nt, d, trig[i], tau[i], a, L, w);
      for (PetscInt j = 0; j < NL; j++) R[j] = T[j] - w[j];
      c0   = Corr(nd, nt, d, trig[i], tau[i], a, L, R, w);
      cm   = Corr(nd, nt, d, trig[i], tau[i] - h, a, L, R, w);
      cp   = Corr(nd, nt, d, trig[i], tau[i] + h, a, L, R, w);
      den  = cm - 2 * c0 + cp;
      step = den < 0 ? 0.5 * h * (cm - cp) / den : (cp > cm ? h : -h); /* vertex of the parabola, else uphill */
      tau[i] += PetscMax(-h, PetscMin(h, step));
      tau[i] = PetscMax(-max_shift, PetscMin(max_shift, tau[i]));
    }
    for (PetscInt i = 0; i < n; i++) mean += tau[i] / n;
    for (PetscInt i = 0; i < n; i++) tau[i] -= mean;
  }
  PetscCall(PetscFree3(T, R, w));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOverlapMask(PetscInt nd, PetscInt nt, const PetscReal *d, PetscInt n, const PetscInt *trig, const PetscReal *tau, PetscInt a, PetscInt b, PetscReal ratio, PetscBool *keep, PetscInt *n_keep)
{
  const PetscInt L = a + b, NL = nd * L;
  PetscReal     *W, *T, *res, *srt, med;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) keep[i] = PETSC_TRUE;
  *n_keep = n;
  if (ratio <= 0 || n < 3) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc4((size_t)n * NL, &W, NL, &T, n, &res, n, &srt));
  PetscCall(PetscArrayzero(T, NL));
  for (PetscInt i = 0; i < n; i++) {
    SemgWindowAt(nd, nt, d, trig[i], tau ? tau[i] : 0, a, L, W + (size_t)i * NL);
    for (PetscInt j = 0; j < NL; j++) T[j] += W[(size_t)i * NL + j];
  }
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal *w = W + (size_t)i * NL;
    res[i]             = 0;
    for (PetscInt j = 0; j < NL; j++) res[i] += PetscSqr(w[j] - (T[j] - w[j]) / (n - 1));
    srt[i] = res[i];
  }
  PetscCall(PetscSortReal(n, srt));
  med = srt[n / 2];
  for (PetscInt i = 0; i < n; i++)
    if (res[i] > ratio * med) keep[i] = PETSC_FALSE, (*n_keep)--;
  PetscCall(PetscFree4(W, T, res, srt));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgAverageDischarges(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt n, const PetscInt *trig, const PetscReal *tau, PetscInt pre, PetscInt len, PetscReal trim, PetscReal *tmpl)
{
  const PetscInt NL = nc * len, drop = (PetscInt)PetscFloorReal(trim * n);
  PetscReal     *W, *v;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2((size_t)n * NL, &W, n, &v));
  for (PetscInt i = 0; i < n; i++) SemgWindowAt(nc, nt, x, trig[i], tau ? tau[i] : 0, pre, len, W + (size_t)i * NL);
  for (PetscInt j = 0; j < NL; j++) {
    PetscReal s = 0;
    for (PetscInt i = 0; i < n; i++) v[i] = W[(size_t)i * NL + j];
    if (drop > 0) PetscCall(PetscSortReal(n, v));
    for (PetscInt i = drop; i < n - drop; i++) s += v[i];
    tmpl[j] = s / (n - 2 * drop);
  }
  PetscCall(PetscFree2(W, v));
  PetscFunctionReturn(PETSC_SUCCESS);
}
