static char help
  [] = "Uncertainty of the decoder fits (estimator/nn/laplace.h): the gain-projected residual Jacobian vs central differences, the covariance vs a "
       "brute-force finite-difference Gauss-Newton (white and sandwich), coverage of the hybrid fit on matched samples.\n";

#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/electrodes.h"
#include "estimator/baselines/physfit.h"
#include "estimator/nn/laplace.h"

#define NE 12
#define NT 96
#define NC (NE - 1)
#define M  (NC * NT)

/* 12 electrodes at 5 mm, SD channels, 50-fibre template at 20 mm, NT samples at 5 kHz. */
static PetscErrorCode Setup(PetscBool fit_depth, SemgPhysFit **pf)
{
  PetscInt        ch_el[3 * NC];
  PetscReal       ch_w[3 * NC], exyz[3 * NE];
  SemgDecoderSpec spec;
  SemgCCSParams   par;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderSpecDefault(&spec));
  spec.template_seed = 4321;
  for (PetscInt e = 0; e < NE; e++) exyz[3 * e] = (e - 5.5) * 5e-3, exyz[3 * e + 1] = 0, exyz[3 * e + 2] = 0;
  for (PetscInt c = 0; c < NC; c++) {
    ch_el[3 * c] = c, ch_el[3 * c + 1] = c + 1, ch_el[3 * c + 2] = -1;
    ch_w[3 * c] = 1.0, ch_w[3 * c + 1] = -1.0, ch_w[3 * c + 2] = 0.0;
  }
  PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(SemgPhysFitCreate(pf));
  PetscCall(SemgPhysFitSetTemplate(*pf, &spec, &par));
  PetscCall(SemgPhysFitSetGeometry(*pf, NE, exyz, NC, ch_el, ch_w, NT, 5000.0));
  PetscCall(SemgPhysFitSetFromOptions(PETSC_COMM_SELF, *pf));
  (*pf)->fit_depth = fit_depth;
  PetscCall(SemgPhysFitSetUp(*pf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode Sample(SemgPhysFit *pf, const PetscReal *th, PetscReal gain, PetscReal snr_db, uint64_t s, PetscReal *x)
{
  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(pf->dec, th, x, NULL));
  for (PetscInt i = 0; i < M; i++) x[i] *= gain;
  PetscCall(SemgAddNoise(NC, NT, snr_db, 77, s, x));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* profiled residual r(theta) = x - g*(theta) y(theta) */
static PetscErrorCode Residual(SemgPhysFit *pf, const PetscReal *th, const PetscReal *x, PetscReal *r)
{
  PetscReal xy = 0, yy = 0, *y = pf->dec->y;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(pf->dec, th, y, NULL));
  for (PetscInt i = 0; i < M; i++) xy += x[i] * y[i], yy += y[i] * y[i];
  for (PetscInt i = 0; i < M; i++) r[i] = x[i] - xy / yy * y[i];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Where the residual vanishes (x = g0 y(theta0)), dr/dtheta = -B exactly: B against central differences. */
static PetscErrorCode TestJacobian(SemgPhysFit *pf, PetscInt *nbad)
{
  PetscReal th[3] = {1.7e-3, 3.8, 0.021}, h[3] = {1e-6, 1e-5, 1e-6}, x[M], B[3 * M], r[M], rp[M], rm[M], gain, err = 0, mag = 0;
  PetscBool ok;

  PetscFunctionBeginUser;
  PetscCall(Sample(pf, th, 2.5, 1e9, 0, x));
  PetscCall(SemgLaplaceJacobian(pf->dec, th, x, B, r, &gain, &ok));
  PetscCheck(ok && PetscAbsReal(gain - 2.5) < 1e-9, PETSC_COMM_SELF, PETSC_ERR_PLIB, "gain %g, expected 2.5", (double)gain);
  for (PetscInt j = 0; j < pf->K; j++) {
    PetscReal tp[3] = {th[0], th[1], th[2]}, tm[3] = {th[0], th[1], th[2]};
    tp[j] += h[j], tm[j] -= h[j];
    PetscCall(Residual(pf, tp, x, rp));
    PetscCall(Residual(pf, tm, x, rm));
    for (PetscInt i = 0; i < M; i++) {
      const PetscReal fd = (rp[i] - rm[i]) / (2 * h[j]);
      err += PetscSqr(fd + B[j * M + i]), mag += PetscSqr(B[j * M + i]);
    }
  }
  err = PetscSqrtReal(err / mag);
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "gain-projected residual Jacobian (%d latents) vs central differences: %s\n", (int)pf->K, err < 1e-6 ? "ok (< 1e-6 relative)" : "FAIL"));
  if (!(err < 1e-6)) {
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "   relative error %.3e\n", (double)err));
    (*nbad)++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Brute force: A = d(g y(theta))/d(theta, g) by central differences, C the banded residual covariance written
   out element by element, cov = theta block of (A^T A)^-1 A^T C A (A^T A)^-1 (C = s2 I when L = Q = 0). */
static PetscErrorCode BruteForce(SemgPhysFit *pf, const SemgLaplaceOptions *o, const PetscReal *th, const PetscReal *x, PetscReal *cov)
{
  const PetscInt K = pf->K, P = K + 1;
  PetscReal      A[4 * M], y[M], yp[M], ym[M], h[3] = {1e-6, 1e-5, 1e-6}, xy = 0, yy = 0, g, r[M], rr = 0, s2, N[16], Ni[16], Mt[16], T[16];

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(pf->dec, th, y, NULL));
  for (PetscInt i = 0; i < M; i++) xy += x[i] * y[i], yy += y[i] * y[i];
  g = xy / yy;
  for (PetscInt i = 0; i < M; i++) r[i] = x[i] - g * y[i], rr += r[i] * r[i];
  s2 = rr / (M - P);
  for (PetscInt j = 0; j < K; j++) {
    PetscReal tp[3] = {th[0], th[1], th[2]}, tm[3] = {th[0], th[1], th[2]};
    tp[j] += h[j], tm[j] -= h[j];
    PetscCall(SemgDecoderApply(pf->dec, tp, yp, NULL));
    PetscCall(SemgDecoderApply(pf->dec, tm, ym, NULL));
    for (PetscInt i = 0; i < M; i++) A[j * M + i] = g * (yp[i] - ym[i]) / (2 * h[j]);
  }
  for (PetscInt i = 0; i < M; i++) A[K * M + i] = y[i];
  for (PetscInt a = 0; a < P; a++)
    for (PetscInt b = 0; b < P; b++) {
      N[a * P + b] = 0, Mt[a * P + b] = 0;
      for (PetscInt i = 0; i < M; i++) N[a * P + b] += A[a * M + i] * A[b * M + i];
    }
  /* meat A^T C A, C element by element */
  for (PetscInt i = 0; i < M; i++)
    for (PetscInt l = 0; l < M; l++) {
      const PetscInt q = l / NT - i / NT, k = l % NT - i % NT;
      PetscReal      gam = 0, w;
      if (PetscAbsInt(q) > o->ch_lags || PetscAbsInt(k) > o->lags) continue;
      for (PetscInt c = 0; c < NC; c++)
        for (PetscInt t = 0; t < NT; t++)
          if (c + q >= 0 && c + q < NC && t + k >= 0 && t + k < NT) gam += r[c * NT + t] * r[(c + q) * NT + t + k];
      w = (1.0 - (PetscReal)PetscAbsInt(q) / (o->ch_lags + 1)) * (1.0 - (PetscReal)PetscAbsInt(k) / (o->lags + 1)) * gam / rr * s2;
      for (PetscInt a = 0; a < P; a++)
        for (PetscInt b = 0; b < P; b++) Mt[a * P + b] += A[a * M + i] * w * A[b * M + l];
    }
  { /* Ni = N^-1 by Gauss-Jordan */
    PetscReal aug[4][8];
    for (PetscInt a = 0; a < P; a++)
      for (PetscInt b = 0; b < P; b++) aug[a][b] = N[a * P + b], aug[a][P + b] = a == b;
    for (PetscInt c = 0; c < P; c++) {
      PetscReal d = aug[c][c];
      for (PetscInt b = 0; b < 2 * P; b++) aug[c][b] /= d;
      for (PetscInt a = 0; a < P; a++)
        if (a != c) {
          PetscReal f = aug[a][c];
          for (PetscInt b = 0; b < 2 * P; b++) aug[a][b] -= f * aug[c][b];
        }
    }
    for (PetscInt a = 0; a < P; a++)
      for (PetscInt b = 0; b < P; b++) Ni[a * P + b] = aug[a][P + b];
  }
  for (PetscInt a = 0; a < P; a++)
    for (PetscInt b = 0; b < P; b++) {
      T[a * P + b] = 0;
      for (PetscInt l = 0; l < P; l++) T[a * P + b] += Ni[a * P + l] * Mt[l * P + b];
    }
  for (PetscInt a = 0; a < K; a++)
    for (PetscInt b = 0; b < K; b++) {
      cov[a * K + b] = 0;
      for (PetscInt l = 0; l < P; l++) cov[a * K + b] += T[a * P + l] * Ni[l * P + b];
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestCovariance(SemgPhysFit *pf, PetscInt lags, PetscInt ch_lags, PetscInt *nbad)
{
  SemgLaplaceOptions o;
  PetscReal          th_true[3] = {-2.4e-3, 4.3, 0.019}, th[3] = {-2.3e-3, 4.28, 0.0192}, x[M], cov[9], ref[9], err = 0, mag = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgLaplaceOptionsDefault(&o));
  o.lags = lags, o.ch_lags = ch_lags;
  PetscCall(Sample(pf, th_true, 1.3, 15.0, 1, x));
  PetscCall(SemgLaplaceCovariance(pf->dec, &o, th, x, cov, NULL, NULL));
  PetscCall(BruteForce(pf, &o, th, x, ref));
  for (PetscInt i = 0; i < pf->K * pf->K; i++) err = PetscMax(err, PetscAbsReal(cov[i] - ref[i])), mag = PetscMax(mag, PetscAbsReal(ref[i]));
  PetscCall(
    PetscPrintf(PETSC_COMM_SELF, "covariance (%d latents, lags %d, channel lags %d) vs brute-force finite-difference Gauss-Newton: %s\n", (int)pf->K, (int)lags, (int)ch_lags, err < 1e-6 * mag ? "ok (< 1e-6 relative)" : "FAIL"));
  if (!(err < 1e-6 * mag)) {
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "   max error %.3e of %.3e\n", (double)err, (double)mag));
    (*nbad)++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Matched samples (decoder + white noise): the hybrid fit started near the truth and its 95 % intervals. */
static PetscErrorCode TestCoverage(SemgPhysFit *pf, PetscInt n, PetscInt *nbad)
{
  SemgRng   rng;
  PetscReal x[M];
  PetscInt  in[2] = {0, 0};

  PetscFunctionBeginUser;
  SemgRngInit(&rng, 11, 0, SEMG_STREAM_PARAMS);
  for (PetscInt s = 0; s < n; s++) {
    PetscReal th[3] = {SemgRngUniformRange(&rng, -8e-3, 8e-3), SemgRngUniformRange(&rng, 3.0, 5.0), 0.02}, th0[3], est[3], cov[9], gain, nrmse;
    PetscInt  its;
    PetscCall(Sample(pf, th, 1.0, 10.0, (uint64_t)s + 100, x));
    th0[0] = th[0] + 0.5e-3, th0[1] = th[1] - 0.1, th0[2] = th[2];
    PetscCall(SemgPhysFitSolveFrom(pf, x, th0, est, &gain, &nrmse, &its));
    PetscCall(SemgPhysFitCovariance(pf, x, est, cov, NULL));
    for (PetscInt j = 0; j < 2; j++) in[j] += PetscAbsReal(est[j] - th[j]) <= 1.959964 * PetscSqrtReal(cov[j * pf->K + j]);
  }
  for (PetscInt j = 0; j < 2; j++) {
    const PetscReal c = 100.0 * in[j] / n;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "matched coverage of the 95%% %s interval (%d samples, 10 dB white noise): %s\n", j ? "CV" : "IZ", (int)n, c >= 92 && c <= 98 ? "ok (92-98 %)" : "FAIL"));
    if (!(c >= 92 && c <= 98)) {
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "   coverage %.1f %%\n", (double)c));
      (*nbad)++;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  SemgPhysFit *pf;
  PetscInt     nbad = 0, n = 400;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-n", &n, NULL));
  for (int d = 0; d < 2; d++) {
    PetscCall(Setup((PetscBool)d, &pf));
    PetscCall(TestJacobian(pf, &nbad));
    PetscCall(TestCovariance(pf, 0, 0, &nbad));
    PetscCall(TestCovariance(pf, 3, 1, &nbad));
    if (!d && n > 0) PetscCall(TestCoverage(pf, n, &nbad));
    PetscCall(SemgPhysFitDestroy(&pf));
  }
  PetscCheck(!nbad, PETSC_COMM_SELF, PETSC_ERR_PLIB, "%d uncertainty checks failed", (int)nbad);
  PetscCall(PetscFinalize());
  return 0;
}
