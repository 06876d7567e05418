#include <complex.h>
#include <math.h>
#include "core/semg_error.h"
#include "estimator/synergy/butterworth.h"

/* One analog section with poles p, conj(p) (or one real pole when real_pole), mapped to z by
   s = K (1 - z^-1)/(1 + z^-1), K = 2 fs. Low-pass: numerator W^2 (W for first order); high-pass (s -> W^2/s
   keeps the pole set of a Butterworth filter): numerator s^2 (s). Gain fixed afterwards. */
static void BilinearSection(SemgButterKind kind, PetscReal K, double complex p, PetscBool real_pole, PetscReal *sec)
{
  PetscReal a0, a1, a2, b0, b1, b2;

  if (real_pole) { /* s - p, p < 0 real */
    PetscReal pr = creal(p);
    a0           = K - pr;
    a1           = -K - pr;
    a2           = 0;
    b0           = kind == SEMG_BUTTER_LOWPASS ? 1 : K;
    b1           = kind == SEMG_BUTTER_LOWPASS ? 1 : -K;
    b2           = 0;
  } else { /* s^2 - 2 Re p s + |p|^2 */
    PetscReal c1 = -2 * creal(p), c0 = creal(p) * creal(p) + cimag(p) * cimag(p);
    a0 = K * K + c1 * K + c0;
    a1 = 2 * c0 - 2 * K * K;
    a2 = K * K - c1 * K + c0;
    b0 = kind == SEMG_BUTTER_LOWPASS ? 1 : K * K;
    b1 = kind == SEMG_BUTTER_LOWPASS ? 2 : -2 * K * K;
    b2 = kind == SEMG_BUTTER_LOWPASS ? 1 : K * K;
  }
  sec[0] = b0 / a0;
  sec[1] = b1 / a0;
  sec[2] = b2 / a0;
  sec[3] = a1 / a0;
  sec[4] = a2 / a0;
}

/* Scale the numerator to unit gain at z = 1 (low-pass) or z = -1 (high-pass). */
static void NormaliseGain(SemgButterKind kind, PetscReal *sec)
{
  PetscReal zs  = kind == SEMG_BUTTER_LOWPASS ? 1.0 : -1.0;
  PetscReal num = sec[0] + sec[1] * zs + sec[2], den = 1.0 + sec[3] * zs + sec[4];
  PetscReal g = den / num;

  sec[0] *= g;
  sec[1] *= g;
  sec[2] *= g;
}

PetscErrorCode SemgButterDesign(SemgButterKind kind, PetscInt order, PetscReal fc, PetscReal fs, const char *what, SemgButter *f)
{
  PetscReal K = 2 * fs, W;

  PetscFunctionBeginUser;
  PetscCheck(order >= 1 && order <= SEMG_BUTTER_MAX_ORDER, PETSC_COMM_SELF, SEMG_ERR_USER, "%s: filter order %d must be in 1..%d", what, (int)order, SEMG_BUTTER_MAX_ORDER);
  PetscCheck(fs > 0 && fc > 0 && fc < 0.5 * fs, PETSC_COMM_SELF, SEMG_ERR_USER, "%s: cut-off %g Hz must lie strictly between 0 and half the sampling rate %g Hz", what, (double)fc, (double)(0.5 * fs));
  W        = K * tan(PETSC_PI * fc / fs); /* pre-warped analog cut-off */
  f->order = order;
  f->nsec  = 0;
  /* Poles W exp(j pi (2k + n - 1)/(2n)), k = 1..n: pair k with n + 1 - k; the middle one is real for odd n. */
  for (PetscInt k = 1; k <= order / 2; k++) {
    double complex p = W * cexp(I * PETSC_PI * (2.0 * k + order - 1) / (2.0 * order));
    BilinearSection(kind, K, p, PETSC_FALSE, f->sos[f->nsec]);
    NormaliseGain(kind, f->sos[f->nsec]);
    f->nsec++;
  }
  if (order % 2) {
    BilinearSection(kind, K, -W, PETSC_TRUE, f->sos[f->nsec]);
    NormaliseGain(kind, f->sos[f->nsec]);
    f->nsec++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgButterTransferFunction(const SemgButter *f, PetscReal *b, PetscReal *a)
{
  PetscInt deg = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i <= f->order; i++) b[i] = a[i] = 0;
  b[0] = a[0] = 1;
  for (PetscInt s = 0; s < f->nsec; s++) {
    const PetscReal *q                                 = f->sos[s];
    PetscReal        nb[2 * SEMG_BUTTER_MAX_ORDER + 3] = {0}, na[2 * SEMG_BUTTER_MAX_ORDER + 3] = {0};
    PetscReal        qb[3] = {q[0], q[1], q[2]}, qa[3] = {1, q[3], q[4]};
    PetscInt         sd = (q[2] == 0 && q[4] == 0) ? 1 : 2;
    for (PetscInt i = 0; i <= deg; i++)
      for (PetscInt j = 0; j <= sd; j++) {
        nb[i + j] += b[i] * qb[j];
        na[i + j] += a[i] * qa[j];
      }
    deg += sd;
    for (PetscInt i = 0; i <= deg; i++) {
      b[i] = nb[i];
      a[i] = na[i];
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt SemgButterPadLength(const SemgButter *f)
{
  return 3 * (2 * f->order + 1);
}

/* Steady-state state of every section (transposed direct form II) for a constant input of 1: the
   input of section s is the DC gain product of the sections before it (scipy's sosfilt_zi). */
static void SteadyState(const SemgButter *f, PetscReal zi[][2])
{
  PetscReal scale = 1.0;

  for (PetscInt s = 0; s < f->nsec; s++) {
    const PetscReal *q = f->sos[s];
    PetscReal        g = (q[0] + q[1] + q[2]) / (1.0 + q[3] + q[4]); /* this section's DC gain */
    zi[s][1]           = scale * (q[2] - q[4] * g);
    zi[s][0]           = scale * (q[1] - q[3] * g) + zi[s][1];
    scale *= g;
  }
}

/* One causal pass, initial state zi * x[0]. */
static void FilterPass(const SemgButter *f, const PetscReal zi[][2], PetscInt n, PetscReal *x)
{
  PetscReal x0 = x[0];

  for (PetscInt s = 0; s < f->nsec; s++) {
    const PetscReal *q  = f->sos[s];
    PetscReal        z1 = zi[s][0] * x0, z2 = zi[s][1] * x0;
    for (PetscInt t = 0; t < n; t++) {
      PetscReal in = x[t], y = q[0] * in + z1;
      z1   = q[1] * in - q[3] * y + z2;
      z2   = q[2] * in - q[4] * y;
      x[t] = y;
    }
  }
}

static void Reverse(PetscInt n, PetscReal *x)
{
  for (PetscInt i = 0, j = n - 1; i < j; i++, j--) {
    PetscReal t = x[i];
    x[i]        = x[j];
    x[j]        = t;
  }
}

PetscErrorCode SemgButterFiltFilt(const SemgButter *f, PetscInt n, PetscReal *x, PetscReal *work)
{
  PetscInt  pad = SemgButterPadLength(f), ne = n + 2 * pad;
  PetscReal zi[(SEMG_BUTTER_MAX_ORDER + 1) / 2][2];

  PetscFunctionBeginUser;
  PetscCheck(n > pad, PETSC_COMM_SELF, SEMG_ERR_USER, "signal of %d samples is too short for zero-phase filtering (needs more than %d)", (int)n, (int)pad);
  /* odd extension: 2 x[0] - x[pad - i], ..., x, ..., 2 x[n-1] - x[n-2-i] */
  for (PetscInt i = 0; i < pad; i++) work[i] = 2 * x[0] - x[pad - i];
  for (PetscInt i = 0; i < n; i++) work[pad + i] = x[i];
  for (PetscInt i = 0; i < pad; i++) work[pad + n + i] = 2 * x[n - 1] - x[n - 2 - i];
  SteadyState(f, zi);
  FilterPass(f, zi, ne, work);
  Reverse(ne, work);
  FilterPass(f, zi, ne, work);
  Reverse(ne, work);
  for (PetscInt i = 0; i < n; i++) x[i] = work[pad + i];
  PetscCall(PetscLogFlops(20.0 * f->nsec * ne));
  PetscFunctionReturn(PETSC_SUCCESS);
}
