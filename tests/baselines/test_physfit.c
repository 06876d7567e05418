static char help
  [] = "Physics fit (estimator/baselines/physfit): its decoder (SemgDecoder) vs the CCS model, gradient vs finite differences, matched recovery.\n";

#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/baselines/physfit.h"
#include "sim/fibres.h"
#include "sim/electrodes.h"
#include "estimator/nn/decoder.h"

#define NE 16
#define NT 128

/* 16 electrodes, 5 mm IED, z = 0; SD channel table. 50-fibre template (decoder spec) at 20 mm depth;
   tmpl receives the same fibre table the decoder builds (IZ centre at x = 0). model: CCS variant (NULL: reference). */
static PetscErrorCode Setup(PetscBool fit_depth, const SemgCCSParams *model, SemgPhysFit **pf, SemgMotorUnitSpec *mu, SemgFibre **tmpl, PetscReal *exyz)
{
  PetscInt        ch_el[3 * (NE - 1)];
  PetscReal       ch_w[3 * (NE - 1)];
  SemgDecoderSpec spec;
  SemgCCSParams   par;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderSpecDefault(&spec));
  spec.mu.cv_sd      = 0.2; /* per-fibre CV offsets exercise v_f = v + (v_f0 - v_ref) */
  spec.template_seed = 1234;
  spec.depth         = 0.02;
  *mu                = spec.mu;
  mu->iz[0] = mu->iz[1] = 0.0, mu->iz[2] = -spec.depth;
  PetscCall(PetscMalloc1(mu->n_fibres, tmpl));
  PetscCall(SemgMotorUnitGenerate(mu, spec.template_seed, 0, *tmpl));
  for (PetscInt e = 0; e < NE; e++) {
    exyz[3 * e]     = (e - 7.5) * 5e-3;
    exyz[3 * e + 1] = 0;
    exyz[3 * e + 2] = 0;
  }
  for (PetscInt c = 0; c < NE - 1; c++) {
    ch_el[3 * c] = c, ch_el[3 * c + 1] = c + 1, ch_el[3 * c + 2] = -1;
    ch_w[3 * c] = 1.0, ch_w[3 * c + 1] = -1.0, ch_w[3 * c + 2] = 0.0;
  }
  if (model) par = *model;
  else PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(SemgPhysFitCreate(pf));
  PetscCall(SemgPhysFitSetTemplate(*pf, &spec, &par));
  PetscCall(SemgPhysFitSetGeometry(*pf, NE, exyz, NE - 1, ch_el, ch_w, NT, 5000.0));
  PetscCall(SemgPhysFitSetFromOptions(PETSC_COMM_SELF, *pf));
  (*pf)->fit_depth = fit_depth;
  PetscCall(SemgPhysFitSetUp(*pf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The decoder equals the CCS model (SemgCCSPotentialAdd, same model parameters) of the moved template, then SD. */
static PetscErrorCode TestDecoder(SemgPhysFit *pf, const SemgMotorUnitSpec *mu, const SemgFibre *tmpl, const PetscReal *exyz, const char *name)
{
  PetscReal     th[3] = {2.3e-3, 3.7, 0.02}, *y, *phi, err = 0, ymax = 0; /* depth = the template's */
  SemgFibre    *f;
  SemgCCSParams par = pf->par;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3((NE - 1) * NT, &y, NE * NT, &phi, mu->n_fibres, &f));
  PetscCall(SemgDecoderApply(pf->dec, th, y, NULL));
  for (PetscInt i = 0; i < mu->n_fibres; i++) {
    f[i] = tmpl[i];
    f[i].ox += th[0] - mu->iz[0];
    f[i].cv = th[1] + tmpl[i].cv - mu->cv_mean;
  }
  PetscCall(PetscArrayzero(phi, NE * NT));
  PetscCall(SemgCCSPotentialAdd(&par, mu->n_fibres, f, NE, exyz, NT, 0.0, 1.0 / 5000.0, phi));
  for (PetscInt c = 0; c < NE - 1; c++)
    for (PetscInt k = 0; k < NT; k++) {
      PetscReal sd = phi[c * NT + k] - phi[(c + 1) * NT + k];
      err          = PetscMax(err, PetscAbsReal(sd - y[c * NT + k]));
      ymax         = PetscMax(ymax, PetscAbsReal(sd));
    }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "decoder (%s) vs SemgCCSPotentialAdd + SD: %s\n", name, err <= 1e-12 * ymax ? "ok (<= 1e-12 relative)" : "FAIL"));
  PetscCheck(err <= 1e-12 * ymax, PETSC_COMM_SELF, PETSC_ERR_PLIB, "decoder differs by %g (max %g)", (double)err, (double)ymax);
  PetscCall(PetscFree3(y, phi, f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MakeSample(SemgPhysFit *pf, const PetscReal *th, PetscReal gain, PetscReal snr_db, uint64_t sample, PetscReal *x)
{
  PetscInt nc = NE - 1;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(pf->dec, th, x, NULL));
  for (PetscInt i = 0; i < nc * NT; i++) x[i] *= gain;
  PetscCall(SemgAddNoise(nc, NT, snr_db, 99, sample, x)); /* the simulator's own noise; none at >= SEMG_SNR_NO_NOISE_DB */
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Objective gradient against central differences (in theta units). */
static PetscErrorCode TestGradient(SemgPhysFit *pf)
{
  PetscReal x[(NE - 1) * NT], th_true[3] = {-3.1e-3, 4.2, 0.021}, th[3] = {-2.2e-3, 3.9, 0.0195}, f, g[3], fp, fm, h[3] = {1e-7, 1e-6, 1e-7}, worst = 0;

  PetscFunctionBeginUser;
  PetscCall(MakeSample(pf, th_true, 1.0, 1e9, 0, x));
  PetscCall(SemgPhysFitObjective(pf, x, th, &f, g, NULL));
  for (PetscInt j = 0; j < pf->K; j++) {
    PetscReal tp[3] = {th[0], th[1], th[2]}, tm[3] = {th[0], th[1], th[2]}, fd, rel;
    tp[j] += h[j];
    tm[j] -= h[j];
    PetscCall(SemgPhysFitObjective(pf, x, tp, &fp, NULL, NULL));
    PetscCall(SemgPhysFitObjective(pf, x, tm, &fm, NULL, NULL));
    fd    = (fp - fm) / (2 * h[j]);
    rel   = PetscAbsReal(fd - g[j]) / PetscMax(PetscAbsReal(g[j]), 1e-12);
    worst = PetscMax(worst, rel);
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "objective gradient (%d unknowns) vs central differences: %s\n", (int)pf->K, worst < 1e-5 ? "ok (< 1e-5 relative)" : "FAIL"));
  PetscCheck(worst < 1e-5, PETSC_COMM_SELF, PETSC_ERR_PLIB, "gradient relative error %g", (double)worst);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Matched samples: exact recovery without noise, noise-floor accuracy at 30 dB. */
static PetscErrorCode TestRecovery(SemgPhysFit *pf, PetscInt nsamp)
{
  PetscReal x[(NE - 1) * NT], iz_mae = 0, cv_mae = 0, iz0 = 0, cv0 = 0;
  SemgRng   rng;

  PetscFunctionBeginUser;
  SemgRngInit(&rng, 5, 0, SEMG_STREAM_PARAMS);
  for (PetscInt s = 0; s < nsamp; s++) {
    PetscReal th[3] = {SemgRngUniformRange(&rng, -10e-3, 10e-3), SemgRngUniformRange(&rng, 3.0, 5.0), 0.02}, est[3], gain, nrmse;
    PetscInt  its;
    PetscCall(MakeSample(pf, th, 3.0, 1e9, (uint64_t)s, x));
    PetscCall(SemgPhysFitSolve(pf, x, est, &gain, &nrmse, &its));
    iz0 = PetscMax(iz0, PetscAbsReal(est[0] - th[0]));
    cv0 = PetscMax(cv0, PetscAbsReal(est[1] - th[1]));
    PetscCall(MakeSample(pf, th, 3.0, 30.0, (uint64_t)s, x));
    PetscCall(SemgPhysFitSolve(pf, x, est, &gain, &nrmse, &its));
    iz_mae += PetscAbsReal(est[0] - th[0]) / nsamp;
    cv_mae += PetscAbsReal(est[1] - th[1]) / nsamp;
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "noiseless (%d samples): max |IZ err| %s, max |CV err| %s\n", (int)nsamp, iz0 < 1e-6 ? "< 1e-3 mm" : "FAIL", cv0 < 1e-4 ? "< 1e-4 m/s" : "FAIL"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "30 dB (%d samples): IZ MAE %.3f mm (< 0.2: %s), CV MAE %.4f m/s\n", (int)nsamp, (double)(1e3 * iz_mae), iz_mae < 2e-4 ? "ok" : "FAIL", (double)cv_mae));
  PetscCheck(iz0 < 1e-6 && cv0 < 1e-4 && iz_mae < 2e-4, PETSC_COMM_SELF, PETSC_ERR_PLIB, "physics fit did not recover the truth (%g %g %g)", (double)iz0, (double)cv0, (double)iz_mae);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Status of a solve (SemgPhysFitGetStatus): a CV beyond the box ends at its bound; a hybrid run from a
   start 6 mm off, cut after 1 iteration, has not converged, and with 50 iterations it has. */
static PetscErrorCode TestStatus(SemgPhysFit *pf)
{
  PetscReal           x[(NE - 1) * NT], beyond[3] = {2e-3, 6.0, 0.02}, th[3] = {-1e-3, 4.0, 0.02}, off[3] = {5e-3, 3.5, 0.02}, est[3], gain, nrmse;
  PetscInt            its, keep = pf->init_max_it;
  SemgPhysFitFallback keep_fb = pf->fallback;
  SemgResultStatus    st[4];

  PetscFunctionBeginUser;
  pf->fallback = SEMG_PHYSFIT_FALLBACK_NONE; /* the short run's own status */
  PetscCall(MakeSample(pf, beyond, 1.0, 30.0, 7, x));
  PetscCall(SemgPhysFitSolve(pf, x, est, &gain, &nrmse, &its));
  PetscCall(SemgPhysFitGetStatus(pf, &st[0]));
  PetscCall(MakeSample(pf, th, 1.0, 30.0, 8, x));
  PetscCall(SemgPhysFitSolve(pf, x, est, &gain, &nrmse, &its));
  PetscCall(SemgPhysFitGetStatus(pf, &st[1]));
  pf->init_max_it = 1;
  PetscCall(SemgPhysFitSolveFrom(pf, x, off, est, &gain, &nrmse, &its));
  PetscCall(SemgPhysFitGetStatus(pf, &st[2]));
  pf->init_max_it = 50;
  PetscCall(SemgPhysFitSolveFrom(pf, x, off, est, &gain, &nrmse, &its));
  PetscCall(SemgPhysFitGetStatus(pf, &st[3]));
  pf->init_max_it = keep;
  pf->fallback    = keep_fb;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "status: CV 6 m/s beyond the box %d (want %d), matched %d (want %d), hybrid 1 iteration %d (want %d), 50 iterations %d (want %d)\n", st[0], SEMG_STATUS_BOUND, st[1], SEMG_STATUS_OK, st[2], SEMG_STATUS_NONCONV, st[3], SEMG_STATUS_OK));
  PetscCheck(st[0] == SEMG_STATUS_BOUND && st[1] == SEMG_STATUS_OK && st[2] == SEMG_STATUS_NONCONV && st[3] == SEMG_STATUS_OK, PETSC_COMM_SELF, PETSC_ERR_PLIB, "physics fit status wrong");
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Hybrid fallback (defaults of SemgPhysFitSetFromOptions, 5 iterations): on matched samples at 20 dB a
   start 8 mm off in IZ must fall back and end near the truth, a start 0.2 mm / 0.05 m/s off must not
   fall back; each fallback kind ends with status OK from the far start. */
static PetscErrorCode TestFallback(SemgPhysFit *pf)
{
  PetscReal           x[(NE - 1) * NT], est[3], nrmse, err_far[3], err_none;
  PetscInt            its, n_good = 0, n_far = 0;
  SemgPhysFitFallback keep = pf->fallback;
  SemgResultStatus    st;
  PetscBool           fb, ok = PETSC_TRUE;

  PetscFunctionBeginUser;
  for (PetscInt s = 0; s < 4; s++) {
    PetscReal th[3] = {(-3.0 + 2.0 * s) * 1e-3, 3.4 + 0.4 * s, 0.02}, good[3] = {th[0] + 2e-4, th[1] - 0.05, 0.02}, far[3] = {th[0] + (s % 2 ? -8e-3 : 8e-3), th[1], 0.02};
    PetscCall(MakeSample(pf, th, 2.0, 20.0, 100 + (uint64_t)s, x));
    PetscCall(SemgPhysFitSolveFrom(pf, x, good, est, NULL, &nrmse, &its));
    PetscCall(SemgPhysFitGetFellBack(pf, &fb));
    n_good += fb;
    for (int k = 0; k < 3; k++) {
      pf->fallback = (SemgPhysFitFallback)k;
      PetscCall(SemgPhysFitSolveFrom(pf, x, far, est, NULL, &nrmse, &its));
      PetscCall(SemgPhysFitGetFellBack(pf, &fb));
      PetscCall(SemgPhysFitGetStatus(pf, &st));
      if (k == 0) err_none = PetscAbsReal(est[0] - th[0]);
      else {
        n_far += fb;
        err_far[k] = PetscAbsReal(est[0] - th[0]);
        if (!fb || st != SEMG_STATUS_OK || err_far[k] > 5e-4) ok = PETSC_FALSE;
      }
    }
    pf->fallback = keep;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "fallback, sample %d: |IZ err| from 8 mm off: none %.3f mm, continue %.3f, multistart %.3f\n", (int)s, (double)(1e3 * err_none), (double)(1e3 * err_far[1]), (double)(1e3 * err_far[2])));
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "fallback: good starts fell back %d of 4 (want 0), 8 mm off %d of 8 (want 8), all within 0.5 mm with status OK: %s\n", (int)n_good, (int)n_far, ok ? "ok" : "FAIL"));
  PetscCheck(n_good == 0 && n_far == 8 && ok, PETSC_COMM_SELF, PETSC_ERR_PLIB, "hybrid fallback wrong");
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  SemgPhysFit      *pf;
  SemgMotorUnitSpec mu;
  SemgFibre        *tmpl;
  PetscReal         exyz[3 * NE];
  PetscInt          n = 6;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-n", &n, NULL));
  PetscCall(Setup(PETSC_FALSE, NULL, &pf, &mu, &tmpl, exyz));
  PetscCall(TestDecoder(pf, &mu, tmpl, exyz, "reference CCS"));
  PetscCall(TestGradient(pf));
  PetscCall(TestRecovery(pf, n));
  PetscCall(TestStatus(pf));
  PetscCall(TestFallback(pf));
  PetscCall(SemgPhysFitDestroy(&pf));
  PetscCall(PetscFree(tmpl));
  PetscCall(Setup(PETSC_TRUE, NULL, &pf, &mu, &tmpl, exyz));
  PetscCall(TestGradient(pf));
  PetscCall(SemgPhysFitDestroy(&pf));
  PetscCall(PetscFree(tmpl));
  /* the other CCS variants of -ccs_*: charge conservation (no fast path) and the anisotropic medium */
  for (int v = 0; v < 2; v++) {
    SemgCCSParams par;
    PetscCall(SemgCCSParamsDefault(&par));
    if (v == 0) par.charge_conserving = PETSC_TRUE;
    else par.anisotropic = PETSC_TRUE, par.sigma_long = 0.5, par.sigma_trans = 0.1;
    PetscCall(Setup(PETSC_TRUE, &par, &pf, &mu, &tmpl, exyz));
    PetscCall(TestDecoder(pf, &mu, tmpl, exyz, v == 0 ? "charge-conserving" : "anisotropic"));
    PetscCall(TestGradient(pf));
    PetscCall(SemgPhysFitDestroy(&pf));
    PetscCall(PetscFree(tmpl));
  }
  PetscCall(PetscFinalize());
  return 0;
}
