static char help[] = "Delay and IZ estimators on pure-delay synthetic signals (estimator/baselines).\n";

#include <complex.h>
#include <fftw3.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/baselines/iz.h"
#include "estimator/baselines/cv.h"
#include "sim/electrodes.h"

/* Smooth biphasic pulse (second Hermite function shape), width sigma, centred at tc (seconds). */
static PetscReal Pulse(PetscReal t, PetscReal tc, PetscReal sigma)
{
  PetscReal u = (t - tc) / sigma;
  return (1.0 - 2.0 * u * u) * PetscExpReal(-u * u);
}

/* x[c*nt + k] = pulse delayed by delay[c] samples, by an exact FFT phase shift (circular). */
static PetscErrorCode DelayedPulses(PetscInt nc, PetscInt nt, PetscReal fs, PetscReal tc, PetscReal sigma, const PetscReal *delay, PetscReal *x)
{
  PetscInt      nf = nt / 2 + 1;
  double       *in;
  fftw_complex *S, *Y;
  fftw_plan     p;
  int           n = (int)nt;

  PetscFunctionBeginUser;
  in = fftw_alloc_real(nt);
  S  = fftw_alloc_complex(nf);
  Y  = fftw_alloc_complex(nf);
  for (PetscInt k = 0; k < nt; k++) in[k] = Pulse(k / fs, tc, sigma);
  p = fftw_plan_dft_r2c_1d(n, in, S, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(p);
  fftw_execute(p);
  fftw_destroy_plan(p);
  for (PetscInt c = 0; c < nc; c++) {
    p = fftw_plan_dft_c2r_1d(n, Y, in, FFTW_ESTIMATE);
    SemgCheckFFTWPlan(p);
    for (PetscInt k = 0; k < nf; k++) Y[k] = S[k] * cexp(-_Complex_I * 2.0 * PETSC_PI * k * delay[c] / nt);
    if (nt % 2 == 0) Y[nf - 1] = creal(Y[nf - 1]);
    fftw_execute(p); /* c2r destroys Y; it is rebuilt for every channel */
    fftw_destroy_plan(p);
    for (PetscInt k = 0; k < nt; k++) x[c * nt + k] = in[k] / nt;
  }
  fftw_free(in);
  fftw_free(S);
  fftw_free(Y);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestCostDerivatives(void)
{
  PetscInt  nc = 5, nt = 128, nf = nt / 2 + 1;
  PetscReal x[5 * 128], X[2 * 5 * 65], delay[5], fs = 5000, th = 5.3, h = 1e-4, Ep, Em, E0, dE, d2E, ep, em, e0, de, d2e, err1, err2, err3, err4;

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < nc; c++) delay[c] = 6.1 * c + 0.2 * c * c; /* not a pure delay: derivatives must still match */
  PetscCall(DelayedPulses(nc, nt, fs, 4e-3, 1e-3, delay, x));
  PetscCall(SemgSpectraCompute(NULL, nc, nt, x, X));
  PetscCall(SemgDelayMLECost(nc, nt, X, th, &E0, &dE, &d2E));
  PetscCall(SemgDelayMLECost(nc, nt, X, th + h, &Ep, NULL, NULL));
  PetscCall(SemgDelayMLECost(nc, nt, X, th - h, &Em, NULL, NULL));
  err1 = PetscAbsReal((Ep - Em) / (2 * h) - dE) / PetscMax(PetscAbsReal(dE), 1e-3 * E0);
  err2 = PetscAbsReal((Ep - 2 * E0 + Em) / (h * h) - d2E) / PetscMax(PetscAbsReal(d2E), 1e-3 * E0);
  PetscCall(SemgDelaySpectralCost(nt, X, X + 2 * nf, th, &e0, &de, &d2e));
  PetscCall(SemgDelaySpectralCost(nt, X, X + 2 * nf, th + h, &ep, NULL, NULL));
  PetscCall(SemgDelaySpectralCost(nt, X, X + 2 * nf, th - h, &em, NULL, NULL));
  err3 = PetscAbsReal((ep - em) / (2 * h) - de) / PetscMax(PetscAbsReal(de), 1e-3 * e0);
  err4 = PetscAbsReal((ep - 2 * e0 + em) / (h * h) - d2e) / PetscMax(PetscAbsReal(d2e), 1e-3 * e0);
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "cost derivatives vs central differences: ML %s %s, spectral %s %s\n", err1 < 1e-6 ? "ok" : "FAIL", err2 < 1e-4 ? "ok" : "FAIL", err3 < 1e-6 ? "ok" : "FAIL", err4 < 1e-4 ? "ok" : "FAIL"));
  PetscCheck(err1 < 1e-6 && err2 < 1e-4 && err3 < 1e-6 && err4 < 1e-4, PETSC_COMM_SELF, PETSC_ERR_PLIB, "derivative errors %g %g %g %g", (double)err1, (double)err2, (double)err3, (double)err4);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Pure delay, no noise: every estimator recovers sub-sample delays. */
static PetscErrorCode TestNoiseless(void)
{
  const PetscReal thetas[] = {0.3, 1.7, 2.56, 6.25};
  PetscInt        nc = 5, nt = 256, lo, hi;
  PetscReal       x[5 * 256], delay[5], fs = 2048, ied = 5e-3;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < 4; j++) {
    PetscReal th = thetas[j], t_ml, t_sp, t_xc, q;
    PetscInt  its;
    for (PetscInt c = 0; c < nc; c++) delay[c] = th * c;
    PetscCall(DelayedPulses(nc, nt, fs, 0.03, 2e-3, delay, x));
    PetscCall(SemgDelayLagRange(ied, fs, 1.0, 40.0, &lo, &hi));
    lo = -3;
    PetscCall(SemgDelayMLE(NULL, nc, nt, x, lo, hi, &t_ml, &q, &its));
    PetscCall(SemgDelaySpectral(NULL, nt, x, x + nt, &t_sp, NULL));
    PetscCall(SemgDelayXcorr(nt, x, x + nt, lo, hi, &t_xc, NULL));
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "noiseless theta %.2f: ML %.6f (quality %.4f), spectral %.6f, xcorr %.2f\n", (double)th, (double)t_ml, (double)q, (double)t_sp, (double)t_xc));
    PetscCheck(PetscAbsReal(t_ml - th) < 1e-6 && PetscAbsReal(t_sp - th) < 1e-6 && PetscAbsReal(t_xc - th) < 0.1 && q > 0.999999, PETSC_COMM_SELF, PETSC_ERR_PLIB, "noiseless delay %g: ML %g spectral %g xcorr %g", (double)th, (double)t_ml, (double)t_sp, (double)t_xc);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* SemgDelaySpectralRange (semg baseline's cv_spectral, issue 18): on a pure delay it converges to the
   reference SemgDelaySpectral's exact delay; with a standing component (the same pulse at zero delay on
   both channels, 2x larger, half as wide) the +-10 start locks onto the zero-lag peak while the start inside the CV
   lag range [4, 12] finds the propagating pulse's delay. */
static PetscErrorCode TestSpectralRange(void)
{
  const PetscInt nt = 256;
  PetscReal      x[2 * 256], s[2 * 256], delay[2] = {0.0, 7.3}, zero[2] = {0.0, 0.0}, t_ref, t_rng, t_pm;

  PetscFunctionBeginUser;
  PetscCall(DelayedPulses(2, nt, 5000.0, 0.02, 1e-3, delay, x));
  PetscCall(SemgDelaySpectral(NULL, nt, x, x + nt, &t_ref, NULL));
  PetscCall(SemgDelaySpectralRange(NULL, nt, x, x + nt, 4, 12, &t_rng, NULL));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "spectral from [4, 12]: %.6f, reference (+-10): %.6f, true 7.3\n", (double)t_rng, (double)t_ref));
  PetscCheck(PetscAbsReal(t_rng - 7.3) < 1e-6 && PetscAbsReal(t_rng - t_ref) < 1e-6, PETSC_COMM_SELF, PETSC_ERR_PLIB, "spectral range start: %g (reference %g)", (double)t_rng, (double)t_ref);
  PetscCall(DelayedPulses(2, nt, 5000.0, 0.03, 0.5e-3, zero, s));
  for (PetscInt k = 0; k < 2 * nt; k++) x[k] += 2.0 * s[k];
  PetscCall(SemgDelaySpectral(NULL, nt, x, x + nt, &t_pm, NULL));
  PetscCall(SemgDelaySpectralRange(NULL, nt, x, x + nt, 4, 12, &t_rng, NULL));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "with a standing component: from [4, 12] %.3f, from +-10 %.3f (true 7.3 and 0)\n", (double)t_rng, (double)t_pm));
  PetscCheck(PetscAbsReal(t_rng - 7.3) < 0.5 && PetscAbsReal(t_pm) < 1.0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "standing component: range start %g (want ~7.3), +-10 start %g (want ~0)", (double)t_rng, (double)t_pm);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* 20 dB SNR, 5 DD-like channels at 5 mm, 2048 Hz, v = 4 m/s (theta = 2.56 samples): CV within 1 %. */
static PetscErrorCode TestNoisy(void)
{
  PetscInt  nc = 5, nt = 256, ntrial = 100, lo, hi;
  PetscReal x[5 * 256], delay[5], fs = 2048, ied = 5e-3, v = 4.0, th = ied * fs / v, mae[3] = {0, 0, 0}, mx[3] = {0, 0, 0};

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < nc; c++) delay[c] = th * c;
  PetscCall(SemgDelayLagRange(ied, fs, 2.0, 7.0, &lo, &hi));
  for (PetscInt s = 0; s < ntrial; s++) {
    PetscReal t[3], e;
    PetscCall(DelayedPulses(nc, nt, fs, 0.03, 2e-3, delay, x));
    PetscCall(SemgAddNoise(nc, nt, 20.0, 7, (uint64_t)s, x)); /* the simulator's own noise */
    PetscCall(SemgDelayMLE(NULL, nc, nt, x, lo, hi, &t[0], NULL, NULL));
    PetscCall(SemgDelaySpectral(NULL, nt, x + nt, x + 2 * nt, &t[1], NULL));
    PetscCall(SemgDelayXcorr(nt, x + nt, x + 2 * nt, lo, hi, &t[2], NULL));
    for (PetscInt m = 0; m < 3; m++) {
      e = PetscAbsReal(ied * fs / t[m] - v) / v;
      mae[m] += e / ntrial;
      mx[m] = PetscMax(mx[m], e);
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "20 dB, %d trials, v = 4 m/s at 2048 Hz: mean |rel CV error| ML %.2f%% (< 1%%: %s), spectral %.2f%%, xcorr %.2f%%\n", (int)ntrial, (double)(100 * mae[0]), mae[0] < 0.01 ? "ok" : "FAIL", (double)(100 * mae[1]), (double)(100 * mae[2])));
  PetscCheck(mae[0] < 0.01 && mx[0] < 0.05, PETSC_COMM_SELF, PETSC_ERR_PLIB, "ML CV error mean %g max %g", (double)mae[0], (double)mx[0]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* V-shaped pure-delay pattern: monopolar p(t - |x_n - x_IZ|/v); SD, DD by differences. */
static PetscErrorCode TestIZ(void)
{
  PetscInt        ne = 16, nt = 256, nsd = ne - 1, ndd = ne - 2;
  PetscReal       mono[16 * 256], sd[15 * 256], dd[14 * 256], csd[15], cdd[14], delay[16], fs = 5000, d = 5e-3, v = 4.0;
  const PetscReal izs[] = {0.0, 1.3e-3, -7.6e-3};

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < 3; j++) {
    PetscReal iz = izs[j], e_min, e_ph, e_px, e_vf, cv_vf, e_vx, cv_vx, z;
    PetscBool edge, found;
    for (PetscInt n = 0; n < ne; n++) delay[n] = PetscAbsReal((n - 7.5) * d - iz) / v * fs;
    PetscCall(DelayedPulses(ne, nt, fs, 8e-3, 2.5e-3, delay, mono));
    for (PetscInt n = 0; n < nsd; n++) {
      csd[n] = (n - 7.0) * d;
      for (PetscInt k = 0; k < nt; k++) sd[n * nt + k] = mono[n * nt + k] - mono[(n + 1) * nt + k];
    }
    for (PetscInt n = 0; n < ndd; n++) {
      cdd[n] = (n - 6.5) * d;
      for (PetscInt k = 0; k < nt; k++) dd[n * nt + k] = sd[n * nt + k] - sd[(n + 1) * nt + k];
    }
    PetscCall(SemgIZMinAmplitude(nsd, nt, sd, csd, &e_min, &edge));
    PetscCall(SemgIZPhaseReversal(nsd, nt, sd, csd, SEMG_IZ_PHASE_AUTO, 0, &e_ph, &found, NULL));
    PetscCall(SemgIZPhaseReversal(nsd, nt, sd, csd, SEMG_IZ_PHASE_AUTO, 13, &e_px, NULL, NULL));
    PetscCall(SemgIZVFit(ndd, nt, dd, cdd, fs, &e_vf, &cv_vf, NULL));
    PetscCall(SemgIZVFitLatency(ndd, nt, dd, cdd, fs, SEMG_LATENCY_XCORR, 100, &e_vx, &cv_vx, NULL));
    z = 1e3;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "IZ %+.1f mm: min-amp %+.2f, phase %+.2f, phase (xcorr peak) %+.2f, V-fit %+.2f mm %.3f m/s, V-fit (xcorr latency) %+.2f mm %.3f m/s\n", (double)(z * iz), (double)(z * e_min), (double)(z * e_ph), (double)(z * e_px), (double)(z * e_vf), (double)cv_vf, (double)(z * e_vx), (double)cv_vx));
    PetscCheck(PetscAbsReal(e_min - iz) < 0.5 * d && PetscAbsReal(e_ph - iz) < 0.5 * d && PetscAbsReal(e_px - iz) < 0.5 * d && PetscAbsReal(e_vf - iz) < 0.05 * d && PetscAbsReal(cv_vf - v) < 0.02 * v && PetscAbsReal(e_vx - iz) < 0.05 * d && PetscAbsReal(cv_vx - v) < 0.02 * v, PETSC_COMM_SELF, PETSC_ERR_PLIB, "IZ estimators off");
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(TestCostDerivatives());
  PetscCall(TestNoiseless());
  PetscCall(TestNoisy());
  PetscCall(TestSpectralRange());
  PetscCall(TestIZ());
  PetscCall(PetscFinalize());
  return 0;
}
