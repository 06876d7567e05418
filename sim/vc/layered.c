#include <fftw3.h>
#include "core/semg_error.h"
#include "sim/vc/layered.h"

PetscReal SemgOracleInfinite(PetscReal sx, PetscReal sy, PetscReal sz, PetscReal dx, PetscReal dy, PetscReal dz)
{
  return 1.0 / (4.0 * PETSC_PI * PetscSqrtReal(sx * sy * sz) * PetscSqrtReal(dx * dx / sx + dy * dy / sy + dz * dz / sz));
}

PetscReal SemgOracleHalfspace(PetscReal sl, PetscReal st, const PetscReal src[3], const PetscReal pt[3])
{
  PetscReal dx = pt[0] - src[0], dy = pt[1] - src[1];

  /* The insulated plane z = 0 is a symmetry plane: the image source at -zs doubles the surface value. */
  return SemgOracleInfinite(sl, st, st, dx, dy, pt[2] - src[2]) + SemgOracleInfinite(sl, st, st, dx, dy, pt[2] + src[2]);
}

PetscReal SemgOracleImageSeries(PetscReal s1, PetscReal s2, PetscReal h, PetscReal d, PetscReal rho)
{
  PetscReal kappa = (s1 - s2) / (s1 + s2), c = 1.0, sum = 0.0, term;

  for (PetscInt n = 0; n < 100000; n++) {
    term = c / PetscSqrtReal(rho * rho + PetscSqr(d + (2 * n + 1) * h));
    sum += term;
    if (PetscAbsReal(term) < 1e-17 * PetscAbsReal(sum)) break;
    c *= -kappa;
  }
  return sum / (PETSC_PI * (s1 + s2));
}

PetscReal SemgLayeredTransfer(const SemgTissue *t, PetscReal d, PetscReal kx, PetscReal ky)
{
  PetscReal k = PetscSqrtReal(kx * kx + ky * ky), ka = PetscSqrtReal(t->sigma_long / t->sigma_trans * kx * kx + ky * ky);
  PetscReal hf = t->fat_thickness, hs = t->skin_thickness, rc, t1, t2, inv_c1c2, den;

  if (k == 0) return PETSC_INFINITY;
  /* Divide the bracket by c1 c2 so that nothing overflows at large k h: 1/(c1 c2) via exponentials. */
  t1       = PetscTanhReal(k * hf);
  t2       = PetscTanhReal(k * hs);
  inv_c1c2 = 4.0 * PetscExpReal(-k * (hf + hs)) / ((1.0 + PetscExpReal(-2 * k * hf)) * (1.0 + PetscExpReal(-2 * k * hs)));
  rc       = t->sigma_skin / t->sigma_fat;
  den      = t->sigma_trans * ka * (1.0 + rc * t1 * t2) + t->sigma_fat * k * (t1 + rc * t2);
  return PetscExpReal(-ka * d) * inv_c1c2 / den;
}

/* n-point Gauss-Legendre nodes/weights on [-1, 1] (Newton on P_n). */
static void GaussLegendre(PetscInt n, PetscReal *x, PetscReal *w)
{
  for (PetscInt i = 0; i < n; i++) {
    PetscReal z = PetscCosReal(PETSC_PI * (i + 0.75) / (n + 0.5)), p0, p1, p2, dp = 1;

    for (PetscInt it = 0; it < 100; it++) {
      PetscReal dz;
      p0 = 1.0;
      p1 = z;
      for (PetscInt j = 2; j <= n; j++) {
        p2 = ((2 * j - 1) * z * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (z * p1 - p0) / (z * z - 1.0);
      dz = p1 / dp;
      z -= dz;
      if (PetscAbsReal(dz) < 1e-16) break;
    }
    x[i] = z;
    w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
  }
}

#define SEMG_GL_N 20

PetscErrorCode SemgLayeredSurfacePotential(const SemgTissue *t, PetscReal d, PetscReal x, PetscReal y, PetscReal *phi)
{
  PetscReal gx[SEMG_GL_N], gw[SEMG_GL_N], depth, kmax, kw, sum = 0;
  PetscInt  nk, nth;

  PetscFunctionBeginUser;
  PetscCheck(d > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "source must lie below the muscle-fat interface (d = %g)", (double)d);
  GaussLegendre(SEMG_GL_N, gx, gw);
  /* The integrand decays at least like exp(-k (d + h_f + h_s)) (k_a >= k min(1, sqrt(R_a))). */
  depth = (d + t->fat_thickness + t->skin_thickness) * PetscMin(1.0, PetscSqrtReal(t->sigma_long / t->sigma_trans));
  kmax  = 45.0 / depth;
  /* Panels short against both the decay length and the oscillation period 2 pi / r. */
  kw  = PetscMin(1.0 / depth, PETSC_PI / (PetscAbsReal(x) + PetscAbsReal(y) + 1e-300));
  nk  = (PetscInt)PetscCeilReal(kmax / kw);
  nth = 4 + (PetscInt)PetscCeilReal(kmax * (PetscAbsReal(x) + PetscAbsReal(y)) / PETSC_PI);
  for (PetscInt a = 0; a < nth; a++) {
    for (PetscInt ia = 0; ia < SEMG_GL_N; ia++) {
      PetscReal th = 0.5 * PETSC_PI * (a + 0.5 * (gx[ia] + 1.0)) / nth, wt = 0.5 * PETSC_PI / nth * 0.5 * gw[ia];
      PetscReal ct = PetscCosReal(th), st = PetscSinReal(th), inner = 0;

      for (PetscInt b = 0; b < nk; b++) {
        for (PetscInt ib = 0; ib < SEMG_GL_N; ib++) {
          PetscReal k = kmax * (b + 0.5 * (gx[ib] + 1.0)) / nk, wk = kmax / nk * 0.5 * gw[ib];
          inner += wk * k * SemgLayeredTransfer(t, d, k * ct, k * st) * PetscCosReal(k * x * ct) * PetscCosReal(k * y * st);
        }
      }
      sum += wt * inner;
    }
  }
  *phi = sum / (PETSC_PI * PETSC_PI);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredSurfaceFFT(const SemgTissue *t, PetscReal d, PetscInt n, PetscReal h, PetscBool subtract_halfspace, PetscReal *phi)
{
  PetscInt      nh = n / 2 + 1;
  PetscReal     L = n * h, D = d + t->fat_thickness + t->skin_thickness, ra = t->sigma_long / t->sigma_trans;
  fftw_complex *in;
  double       *inr;
  fftw_plan     plan;

  PetscFunctionBeginUser;
  PetscCheck(n % 2 == 0 && n >= 4, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "FFT grid size must be even, got %d", (int)n);
  in = fftw_alloc_complex((size_t)n * (size_t)nh);
  PetscCheck(in, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW allocation failed");
  plan = fftw_plan_dft_c2r_2d((int)n, (int)n, in, phi, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(plan);
  inr = (double *)in; /* fftw_complex is double _Complex under PETSc: index through a double view */
  for (PetscInt p = 0; p < n; p++) {
    PetscReal kx = 2.0 * PETSC_PI * (p < n / 2 ? p : p - n) / L;
    for (PetscInt q = 0; q < nh; q++) {
      PetscReal ky = 2.0 * PETSC_PI * q / L, H = 0;
      size_t    id = (size_t)p * (size_t)nh + (size_t)q;

      if (p || q) {
        H = SemgLayeredTransfer(t, d, kx, ky);
        if (subtract_halfspace) {
          PetscReal ka = PetscSqrtReal(ra * kx * kx + ky * ky);
          H -= PetscExpReal(-ka * D) / (t->sigma_trans * ka);
        }
      }
      inr[2 * id]     = H / (L * L);
      inr[2 * id + 1] = 0.0;
    }
  }
  fftw_execute(plan);
  fftw_destroy_plan(plan);
  fftw_free(in);
  if (subtract_halfspace) {
    PetscReal src[3] = {0, 0, -D};
    for (PetscInt m = 0; m < n; m++) {
      for (PetscInt q = 0; q < n; q++) {
        PetscReal pt[3] = {(m < n / 2 ? m : m - n) * h, (q < n / 2 ? q : q - n) * h, 0};
        phi[m * n + q] += SemgOracleHalfspace(t->sigma_long, t->sigma_trans, src, pt);
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
