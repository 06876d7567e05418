static char help[] = "Epochs and peak-triggered templates on a simulated interference signal (6 MUs firing, CCS model).\n";

#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/ccs.h"
#include "sim/fibres.h"
#include "sim/firing.h"
#include "estimator/recordings/epoch.h"

#define NE  16
#define NC  15
#define NTM 200 /* MUAP length: 40 ms at 5 kHz */
#define NMU 6

/* SD MUAP (NC x NTM) of a generated MU. */
static PetscErrorCode MUAP(PetscInt nfib, PetscReal iz, PetscReal depth, PetscReal cv, uint64_t seed, const PetscReal *exyz, PetscReal *sd)
{
  SemgMotorUnitSpec mu;
  SemgFibre        *f;
  SemgCCSParams     par;
  PetscReal        *phi;

  PetscFunctionBeginUser;
  PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(SemgMotorUnitSpecDefault(&mu));
  mu.n_fibres = nfib, mu.iz[0] = iz, mu.iz[2] = -depth, mu.radius = 0.003, mu.iz_spread = 0.005, mu.cv_mean = cv, mu.cv_sd = 0.1;
  PetscCall(PetscMalloc2(nfib, &f, NE * NTM, &phi));
  PetscCall(SemgMotorUnitGenerate(&mu, seed, 0, f));
  PetscCall(PetscArrayzero(phi, NE * NTM));
  PetscCall(SemgCCSPotentialAdd(&par, nfib, f, NE, exyz, NTM, 0.0, 1.0 / 5000, phi));
  for (PetscInt c = 0; c < NC; c++)
    for (PetscInt k = 0; k < NTM; k++) sd[c * NTM + k] = phi[c * NTM + k] - phi[(c + 1) * NTM + k];
  PetscCall(PetscFree2(f, phi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  const PetscInt          pool[NMU] = {400, 100, 200, 300, 500, 600};
  const PetscReal         izs[NMU] = {3.2e-3, -8e-3, -2e-3, 5e-3, 9e-3, 0.0}, cvs[NMU] = {4.2, 3.2, 3.6, 4.0, 4.4, 4.8};
  const PetscInt          nfib[NMU] = {150, 60, 60, 60, 60, 60};
  const PetscReal         dep[NMU] = {0.010, 0.018, 0.018, 0.018, 0.018, 0.018}, fs = 5000;
  PetscReal               exyz[3 * NE], *muap, *rec, *cont, *ep, *tmpl, rms = 0;
  PetscInt                n = 5200, len, ntm, nfA = 0, ntrig, *trig;
  PetscCount              nep;
  PetscReal              *tA = NULL;
  SemgFiringSpec          fspec;
  SemgPeakTemplateOptions o;
  SemgRng                 rng;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  for (PetscInt e = 0; e < NE; e++) exyz[3 * e] = (e - 7.5) * 5e-3, exyz[3 * e + 1] = 0, exyz[3 * e + 2] = 0;
  PetscCall(PetscMalloc3(NMU * NC * NTM, &muap, NC * n, &rec, NC * n, &cont));
  PetscCall(PetscArrayzero(rec, NC * n));
  PetscCall(SemgFiringSpecDefault(&fspec));
  fspec.t_start = 2.0, fspec.t_end = 3.0; /* plateau of the trapezoid: every MU recruited */
  for (PetscInt m = 0; m < NMU; m++) {
    PetscInt   nf;
    PetscReal *t;
    PetscCall(MUAP(nfib[m], izs[m], dep[m], cvs[m], 100 + m, exyz, muap + m * NC * NTM));
    PetscCall(SemgFiringTrain(&fspec, pool[m], 7, 0, &nf, &t));
    for (PetscInt j = 0; j < nf; j++) t[j] -= fspec.t_start;
    SemgFiringSuperpose(nf, t, 1.0 / fs, NC, NTM, muap + m * NC * NTM, n, rec);
    if (m == 0) nfA = nf, tA = t;
    else PetscCall(PetscFree(t));
  }
  for (PetscInt i = 0; i < NC * n; i++) rms += rec[i] * rec[i] / (NC * n);
  SemgRngInit(&rng, 7, 0, SEMG_STREAM_NOISE);
  for (PetscInt k = 0; k < n; k++) /* time-major continuous recording with 20 dB white noise */
    for (PetscInt c = 0; c < NC; c++) cont[k * NC + c] = rec[c * n + k] + 0.1 * PetscSqrtReal(rms) * SemgRngNormal(&rng);
  PetscCall(SemgEpochCount(n, fs, 0.25, &nep, &len));
  PetscCall(SemgPeakTemplateOptionsDefault(&o));
  ntm = SemgPeakTemplateLength(&o, fs);
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "recording %d samples x %d SD channels, %d MUs; MU A fires %d times; %lld epochs of %d samples, template %d samples\n", (int)n, NC, NMU, (int)nfA, (long long)nep, (int)len, (int)ntm));
  PetscCheck(nep == 4 && len == 1250, PETSC_COMM_SELF, PETSC_ERR_PLIB, "epoch count");
  PetscCall(PetscMalloc3(NC * len, &ep, NC * ntm, &tmpl, len, &trig));
  {
    for (PetscCount k = 0; k < nep; k++) {
      PetscReal best = -1, izt;
      PetscInt  nA = 0, hit = 0;
      PetscCall(SemgEpochExtract(NC, n, cont, len, k, ep));
      PetscCall(SemgPeakTemplate(NC, len, ep, fs, &o, tmpl, &ntrig, trig));
      /* similarity with MU A's MUAP: best normalised correlation over alignments */
      for (PetscInt L = -ntm; L < NTM; L++) {
        PetscReal ab = 0, aa = 0, bb = 0;
        for (PetscInt c = 0; c < NC; c++)
          for (PetscInt j = 0; j < ntm; j++) {
            PetscInt  q = j + L;
            PetscReal a = tmpl[c * ntm + j], b = (q >= 0 && q < NTM) ? muap[c * NTM + q] : 0.0;
            ab += a * b, aa += a * a, bb += b * b;
          }
        if (aa > 0 && bb > 0) best = PetscMax(best, ab / PetscSqrtReal(aa * bb));
      }
      /* triggers that fall within 1 ms after a firing of MU A (the MUAP peak follows the firing by ~0.4 ms) */
      for (PetscInt j = 0; j < nfA; j++) {
        PetscReal tt = tA[j] * fs - (PetscReal)k * len;
        if (tt < 0 || tt >= len) continue;
        nA++;
        for (PetscInt i = 0; i < ntrig; i++)
          if (trig[i] - tt >= -1 && trig[i] - tt <= 6) hit++;
      }
      /* RMS profile across channels (where the IZ and the amplitude decay show) */
      {
        PetscReal ra[NC], rb[NC], ab = 0, aa = 0, bb = 0;
        for (PetscInt c = 0; c < NC; c++) {
          ra[c] = rb[c] = 0;
          for (PetscInt j = 0; j < ntm; j++) ra[c] += tmpl[c * ntm + j] * tmpl[c * ntm + j];
          for (PetscInt j = 0; j < NTM; j++) rb[c] += muap[c * NTM + j] * muap[c * NTM + j];
          ra[c] = PetscSqrtReal(ra[c]), rb[c] = PetscSqrtReal(rb[c]);
          ab += ra[c] * rb[c], aa += ra[c] * ra[c], bb += rb[c] * rb[c];
        }
        izt = ab / PetscSqrtReal(aa * bb);
      }
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "epoch %lld: %d triggers, %d of them on MU A's %d firings; correlation with MU A's MUAP %.3f (> 0.9 %s), of the channel RMS profiles %.4f (> 0.99 %s)\n", (long long)k, (int)ntrig, (int)hit, (int)nA, (double)best, best > 0.9 ? "ok" : "FAIL", (double)izt, izt > 0.99 ? "ok" : "FAIL"));
      PetscCheck(best > 0.9 && izt > 0.99 && hit >= ntrig - 1 && ntrig >= 3, PETSC_COMM_SELF, PETSC_ERR_PLIB, "epoch %lld: corr %g, RMS-profile corr %g, %d/%d triggers", (long long)k, (double)best, (double)izt, (int)hit, (int)ntrig);
    }
  }
  PetscCall(PetscFree(tA));
  PetscCall(PetscFree3(ep, tmpl, trig));
  PetscCall(PetscFree3(muap, rec, cont));
  PetscCall(PetscFinalize());
  return 0;
}
