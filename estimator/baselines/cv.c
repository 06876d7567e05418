/* Classical CV estimators (spec estimator.md 4.2 a-c). Frequencies w_k = 2 pi k / N, k = 1 .. N/2. */
#include <complex.h>
#include <math.h>
#include "core/semg_error.h"
#include "estimator/baselines/cv.h"

typedef double _Complex Cplx;

static inline Cplx Bin(const PetscReal *X, PetscInt nf, PetscInt c, PetscInt k)
{
  return X[2 * (c * nf + k)] + X[2 * (c * nf + k) + 1] * _Complex_I;
}

PetscErrorCode SemgDelaySpectralCost(PetscInt nt, const PetscReal *X1, const PetscReal *X2, PetscReal theta, PetscReal *e, PetscReal *de, PetscReal *d2e)
{
  PetscReal s0 = 0, s1 = 0, s2 = 0;

  PetscFunctionBeginUser;
  for (PetscInt k = 1; k <= nt / 2; k++) {
    PetscReal w  = 2.0 * PETSC_PI * k / nt;
    Cplx      x1 = Bin(X1, 0, 0, k), x2 = Bin(X2, 0, 0, k);
    Cplx      z = x1 * conj(x2) * cexp(-_Complex_I * w * theta);
    s0 += creal(x1) * creal(x1) + cimag(x1) * cimag(x1) + creal(x2) * creal(x2) + cimag(x2) * cimag(x2) - 2.0 * creal(z);
    s1 += -2.0 * w * cimag(z);
    s2 += 2.0 * w * w * creal(z);
  }
  if (e) *e = s0;
  if (de) *de = s1;
  if (d2e) *d2e = s2;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One safeguarded Newton step: u = -e'/e'' if e'' > 0 and |u| <= 0.5, else -0.5 sign(e'). */
static PetscReal NewtonStep(PetscReal de, PetscReal d2e)
{
  PetscReal u = d2e > 0.0 ? -de / d2e : PETSC_INFINITY;

  if (!(PetscAbsReal(u) <= SEMG_DELAY_MAX_STEP)) u = de > 0.0 ? -SEMG_DELAY_MAX_STEP : SEMG_DELAY_MAX_STEP;
  return u;
}

PetscErrorCode SemgDelaySpectral(SemgSpectra sp, PetscInt nt, const PetscReal *a, const PetscReal *b, PetscReal *theta, PetscInt *its)
{
  const PetscInt L = PetscMin(10, nt - 1);

  PetscFunctionBeginUser;
  PetscCall(SemgDelaySpectralRange(sp, nt, a, b, -L, L, theta, its));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDelaySpectralRange(SemgSpectra sp, PetscInt nt, const PetscReal *a, const PetscReal *b, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta, PetscInt *its)
{
  PetscReal *X, th, de, d2e, u;
  PetscInt   nf = nt / 2 + 1, it;
  PetscBool  edge;
  PetscReal *x2;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(4 * nf, &X, 2 * nt, &x2));
  for (PetscInt k = 0; k < nt; k++) {
    x2[k]      = a[k];
    x2[nt + k] = b[k];
  }
  PetscCall(SemgSpectraCompute(sp, 2, nt, x2, X));
  PetscCall(SemgDelayXcorr(nt, a, b, lag_lo, lag_hi, &th, &edge));
  th = PetscFloorReal(th + 0.5); /* the spec starts from the integer peak */
  for (it = 0; it < SEMG_DELAY_MAX_IT; it++) {
    PetscCall(SemgDelaySpectralCost(nt, X, X + 2 * nf, th, NULL, &de, &d2e));
    u = NewtonStep(de, d2e);
    th += u;
    if (PetscAbsReal(u) < SEMG_DELAY_TOL) {
      it++;
      break;
    }
  }
  *theta = th;
  if (its) *its = it;
  PetscCall(PetscFree2(X, x2));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* E = sum_r e_r, e_r = sum_k |X_r - (1/M) sum_{i != r} X_i e^{j w p_i theta}|^2, p_i = i - r, M = nc - 1.
   The B_iu (i < u) terms do not depend on r except through the exclusion i, u != r, so summed over r
   they appear (nc - 2) times. */
PetscErrorCode SemgDelayMLECost(PetscInt nc, PetscInt nt, const PetscReal *X, PetscReal theta, PetscReal *E, PetscReal *dE, PetscReal *d2E)
{
  PetscInt  nf = nt / 2 + 1, M = nc - 1;
  PetscReal e0 = 0, e1 = 0, e2 = 0;

  PetscFunctionBeginUser;
  PetscCheck(nc >= 2 && nc <= 64, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "ML delay estimator: %d channels (2..64)", (int)nc);
  for (PetscInt k = 1; k <= nt / 2; k++) {
    PetscReal w = 2.0 * PETSC_PI * k / nt;
    Cplx      Xa[64];

    for (PetscInt i = 0; i < nc; i++) Xa[i] = Bin(X, nf, i, k) * cexp(_Complex_I * w * i * theta); /* X_i aligned to channel 0 */
    for (PetscInt r = 0; r < nc; r++) {
      Cplx xr = Xa[r], s = 0;
      for (PetscInt i = 0; i < nc; i++) {
        PetscReal p = (PetscReal)(i - r);
        Cplx      A;
        if (i == r) continue;
        s += Xa[i];
        A = conj(xr) * Xa[i]; /* = conj(X_r) X_i e^{j w p_i theta} */
        e1 += (2.0 / M) * w * p * cimag(A);
        e2 += (2.0 / M) * w * w * p * p * creal(A);
      }
      s = xr - s / M;
      e0 += creal(s) * creal(s) + cimag(s) * cimag(s);
    }
    if (nc > 2)
      for (PetscInt i = 0; i < nc; i++)
        for (PetscInt u = i + 1; u < nc; u++) {
          PetscReal p = (PetscReal)(i - u);
          Cplx      B = Xa[i] * conj(Xa[u]); /* = X_i conj(X_u) e^{j w (p_i - p_u) theta} */
          e1 -= (nc - 2) * (2.0 / (M * M)) * w * p * cimag(B);
          e2 -= (nc - 2) * (2.0 / (M * M)) * w * w * p * p * creal(B);
        }
  }
  if (E) *E = e0;
  if (dE) *dE = e1;
  if (d2E) *d2E = e2;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Mean over neighbouring channel pairs of the correlation coefficient after advancing channel c+1 by
   theta (frequency domain, k = 1 .. N/2, i.e. without the mean). */
static PetscReal AlignedCorrelation(PetscInt nc, PetscInt nt, const PetscReal *X, PetscReal theta)
{
  PetscInt  nf = nt / 2 + 1;
  PetscReal q  = 0.0;

  for (PetscInt c = 0; c + 1 < nc; c++) {
    PetscReal sab = 0, saa = 0, sbb = 0;
    for (PetscInt k = 1; k <= nt / 2; k++) {
      PetscReal w  = 2.0 * PETSC_PI * k / nt;
      Cplx      xa = Bin(X, nf, c, k), xb = Bin(X, nf, c + 1, k) * cexp(_Complex_I * w * theta);
      sab += creal(xa * conj(xb));
      saa += creal(xa * conj(xa));
      sbb += creal(xb * conj(xb));
    }
    q += (saa > 0 && sbb > 0) ? sab / PetscSqrtReal(saa * sbb) : 0.0;
  }
  return q / (nc - 1);
}

PetscErrorCode SemgDelayMLE(SemgSpectra sp, PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta, PetscReal *quality, PetscInt *its)
{
  PetscReal *X, th, dE, d2E, u;
  PetscInt   nf = nt / 2 + 1, ca = nc <= 3 ? 0 : 1, it;

  PetscFunctionBeginUser;
  PetscCheck(nc >= 2, PETSC_COMM_SELF, SEMG_ERR_USER, "ML delay estimator needs at least 2 channels, got %d", (int)nc);
  PetscCall(PetscMalloc1(2 * nc * nf, &X));
  PetscCall(SemgSpectraCompute(sp, nc, nt, x, X));
  PetscCall(SemgDelayXcorr(nt, x + ca * nt, x + (ca + 1) * nt, lag_lo, lag_hi, &th, NULL));
  for (it = 0; it < SEMG_DELAY_MAX_IT; it++) {
    PetscCall(SemgDelayMLECost(nc, nt, X, th, NULL, &dE, &d2E));
    u = NewtonStep(dE, d2E);
    th += u;
    if (PetscAbsReal(u) < SEMG_DELAY_TOL) {
      it++;
      break;
    }
  }
  *theta = th;
  if (quality) *quality = AlignedCorrelation(nc, nt, X, th);
  if (its) *its = it;
  PetscCall(PetscFree(X));
  PetscFunctionReturn(PETSC_SUCCESS);
}
