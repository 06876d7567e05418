static char help[] = "Measures the properties the mismatch generators of semg simulate promise, from datasets:\n"
                     "  -mode snr -a noisy.h5 -b clean.h5 [-c signal.h5]  measured SNR (noise a - b, signal c or b) against snr_db\n"
                     "  -mode spectrum -a noisy.h5 -b clean.h5      periodogram of the noise: slope on [-fmin,-fmax],\n"
                     "        power fraction below -fcut, the 3 largest peaks, power fraction near -lines f1,f2,...\n"
                     "  -mode sir -a with.h5 -b without.h5          measured SIR against the sir_db column\n"
                     "  -mode cv -a data.h5                         apparent CV (ML delay) against cv and ied_scale\n"
                     "  -mode realisations -a all.h5 -parts r0.h5,r1.h5,...  sample i of all.h5 is sample i of part i mod R\n"
                     "  -mode columns -a data.h5                    per truth column: finite values, min, max, mean, and counts of\n"
                     "        the codes 0..7 of code columns (NAME_n, NAME_min, NAME_max, NAME_mean, NAME_code_K)\n";

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <fftw3.h>
#include "core/semg_error.h"
#include "core/semg_dataset.h"
#include "estimator/baselines/cv.h"

static PetscErrorCode Column(const SemgDataset *ds, const char *name, PetscInt *j)
{
  PetscFunctionBeginUser;
  PetscCall(SemgDatasetThetaIndex(ds, name, j));
  PetscCheck(*j >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "dataset has no %s column", name);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode SameShape(const SemgDataset *a, const SemgDataset *b)
{
  PetscFunctionBeginUser;
  PetscCheck(a->n_examples == b->n_examples && a->n_channels == b->n_channels && a->n_times == b->n_times, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "datasets differ in shape");
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int CompareReal(const void *x, const void *y)
{
  const PetscReal a = *(const PetscReal *)x, b = *(const PetscReal *)y;
  return (a > b) - (a < b);
}

/* Per sample: 20 log10(median_c rms(signal_c) / rms(a - b)), the SNR of forward-model-ccs.md 9 as measured;
   the signal is sig (b when the noise is to be measured against everything else in the recording). */
static PetscErrorCode ModeSNR(const SemgDataset *a, const SemgDataset *b, const SemgDataset *sig)
{
  const PetscInt nc = a->n_channels, nt = a->n_times;
  PetscInt       js;
  PetscReal      worst = 0, *rms;

  PetscFunctionBeginUser;
  PetscCall(SameShape(a, b));
  PetscCall(SameShape(a, sig));
  PetscCall(Column(a, "snr_db", &js));
  PetscCall(PetscMalloc1(nc, &rms));
  for (PetscCount i = 0; i < a->n_examples; i++) {
    const PetscReal *x = &a->data[(size_t)i * nc * nt], *y = &b->data[(size_t)i * nc * nt], *s = &sig->data[(size_t)i * nc * nt];
    PetscReal        pn = 0, med, snr;
    for (PetscInt c = 0; c < nc; c++) {
      PetscReal ps = 0;
      for (PetscInt k = 0; k < nt; k++) {
        const size_t q = (size_t)c * nt + k;
        ps += s[q] * s[q], pn += (x[q] - y[q]) * (x[q] - y[q]);
      }
      rms[c] = sqrt(ps / nt);
    }
    qsort(rms, (size_t)nc, sizeof(PetscReal), CompareReal);
    med   = nc % 2 ? rms[nc / 2] : 0.5 * (rms[nc / 2 - 1] + rms[nc / 2]);
    snr   = 20.0 * log10(med / sqrt(pn / ((PetscReal)nc * nt)));
    worst = PetscMax(worst, PetscAbsReal(snr - a->theta[(size_t)i * a->n_theta + js]));
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "snr_max_abs_err_db %.6g\n", (double)worst));
  PetscCall(PetscFree(rms));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Hann-windowed periodogram of a - b averaged over every channel of every sample; psd has nt/2 + 1 bins. */
static PetscErrorCode NoisePSD(const SemgDataset *a, const SemgDataset *b, PetscReal *psd)
{
  const PetscInt nc = a->n_channels, nt = a->n_times, nh = nt / 2 + 1;
  double        *in  = fftw_alloc_real((size_t)nt);
  fftw_complex  *out = fftw_alloc_complex((size_t)nh);
  fftw_plan      p   = fftw_plan_dft_r2c_1d((int)nt, in, out, FFTW_ESTIMATE);

  PetscFunctionBeginUser;
  SemgCheckFFTWPlan(p);
  for (PetscInt k = 0; k < nh; k++) psd[k] = 0;
  for (size_t r = 0; r < (size_t)a->n_examples * nc; r++) {
    for (PetscInt k = 0; k < nt; k++) in[k] = (a->data[r * nt + k] - b->data[r * nt + k]) * (0.5 - 0.5 * cos(2.0 * PETSC_PI * k / nt));
    fftw_execute(p);
    for (PetscInt k = 0; k < nh; k++) psd[k] += out[k][0] * out[k][0] + out[k][1] * out[k][1];
  }
  fftw_destroy_plan(p);
  fftw_free(in);
  fftw_free(out);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ModeSpectrum(const SemgDataset *a, const SemgDataset *b)
{
  const PetscInt  nt = a->n_times, nh = nt / 2 + 1;
  const PetscReal df = a->fs / nt;
  PetscReal      *psd, fmin = 5, fmax = 500, fcut = 1, lines[16], total = 0, below = 0, near = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  PetscInt        nl = 16, top[3] = {-1, -1, -1};

  PetscFunctionBeginUser;
  PetscCall(SameShape(a, b));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-fmin", &fmin, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-fmax", &fmax, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-fcut", &fcut, NULL));
  PetscCall(PetscOptionsGetRealArray(NULL, NULL, "-lines", lines, &nl, NULL));
  PetscCall(PetscMalloc1(nh, &psd));
  PetscCall(NoisePSD(a, b, psd));
  for (PetscInt k = 1; k < nh; k++) {
    const PetscReal f = k * df;
    total += psd[k];
    if (f < fcut) below += psd[k];
    for (PetscInt l = 0; l < nl; l++)
      if (PetscAbsReal(f - lines[l]) <= 2.5 * df) near += psd[k];
    if (f >= fmin && f <= fmax) {
      const PetscReal x = log10(f), y = log10(psd[k]);
      sx += x, sy += y, sxx += x * x, sxy += x * y, n += 1;
    }
    if (k + 1 < nh && psd[k] > psd[k - 1] && psd[k] >= psd[k + 1]) { /* local maximum: keep the 3 largest */
      PetscInt m = k;
      for (int t = 0; t < 3; t++)
        if (top[t] < 0 || psd[m] > psd[top[t]]) {
          const PetscInt tmp = top[t];
          top[t] = m, m = tmp;
          if (m < 0) break;
        }
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "slope %.4f\nbelow_fcut_fraction %.6f\nlines_fraction %.6f\npeaks_hz", (double)((n * sxy - sx * sy) / (n * sxx - sx * sx)), (double)(below / total), (double)(near / total)));
  for (int t = 0; t < 3; t++) PetscCall(PetscPrintf(PETSC_COMM_SELF, " %g", top[t] >= 0 ? (double)(top[t] * df) : -1.0));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "\n"));
  PetscCall(PetscFree(psd));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Per sample: 10 log10(sum b^2 / sum (a - b)^2) over every channel and time against the sir_db column. */
static PetscErrorCode ModeSIR(const SemgDataset *a, const SemgDataset *b)
{
  const size_t n = (size_t)a->n_channels * a->n_times;
  PetscInt     js, finite = 0;
  PetscReal    worst = 0, lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  PetscCall(SameShape(a, b));
  PetscCall(Column(a, "sir_db", &js));
  for (PetscCount i = 0; i < a->n_examples; i++) {
    const PetscReal *x = &a->data[i * n], *s = &b->data[i * n], want = a->theta[(size_t)i * a->n_theta + js];
    PetscReal        ps = 0, pi = 0, sir;
    for (size_t k = 0; k < n; k++) ps += s[k] * s[k], pi += (x[k] - s[k]) * (x[k] - s[k]);
    if (!(pi > 0) || !isfinite(want)) continue;
    sir = 10.0 * log10(ps / pi);
    finite++;
    lo = PetscMin(lo, sir), hi = PetscMax(hi, sir);
    worst = PetscMax(worst, PetscAbsReal(sir - want));
  }
  PetscCall(
    PetscPrintf(PETSC_COMM_SELF, "sir_samples %d of %lld\nsir_measured_range_db %.4f %.4f\nsir_max_abs_err_db %.3g\n", (int)finite, (long long)a->n_examples, (double)lo, (double)hi, (double)worst));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Apparent CV = nominal channel spacing x fs / ML delay over every channel; the IED error predicts
   CV_app = CV / ied_scale (electrodes further apart than the estimator assumes look slower): the slope
   of log(CV_app / CV) against log(ied_scale) is -1, and CV_app x ied_scale / CV is one constant. */
static PetscErrorCode ModeCV(const SemgDataset *a)
{
  const PetscInt  nc = a->n_channels, nt = a->n_times;
  const PetscReal d = a->channel_centre[3] - a->channel_centre[0];
  PetscInt        jc, js, lo, hi;
  PetscReal       sx = 0, sy = 0, sxx = 0, sxy = 0, rmin = PETSC_MAX_REAL, rmax = 0, smin = PETSC_MAX_REAL, smax = 0;

  PetscFunctionBeginUser;
  PetscCall(Column(a, "cv", &jc));
  PetscCall(Column(a, "ied_scale", &js));
  PetscCall(SemgDelayLagRange(d, a->fs, 1.0, 10.0, &lo, &hi));
  for (PetscCount i = 0; i < a->n_examples; i++) {
    const PetscReal cv = a->theta[(size_t)i * a->n_theta + jc], s = a->theta[(size_t)i * a->n_theta + js];
    PetscReal       theta, q, x, y;
    PetscCall(SemgDelayMLE(NULL, nc, nt, &a->data[(size_t)i * nc * nt], lo, hi, &theta, &q, NULL));
    x = log(s), y = log(d * a->fs / theta / cv);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
    rmin = PetscMin(rmin, exp(x + y)), rmax = PetscMax(rmax, exp(x + y));
    smin = PetscMin(smin, s), smax = PetscMax(smax, s);
  }
  {
    const PetscReal n = (PetscReal)a->n_examples;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "ied_scale_range %.4f %.4f\ncv_log_slope %.4f\ncv_ratio_spread %.5f\ncv_ratio_mean %.5f\n", (double)smin, (double)smax, (double)((n * sxy - sx * sy) / (n * sxx - sx * sx)), (double)((rmax - rmin) / rmin), (double)exp(sy / n + sx / n)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ModeRealisations(MPI_Comm comm, const SemgDataset *a)
{
  char        *parts[16];
  PetscInt     R = 16, jr, wrong = 0, differ = 0;
  SemgDataset *p[16];
  const size_t n = (size_t)a->n_channels * a->n_times;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-parts", parts, &R, NULL));
  PetscCall(Column(a, "lf_realisation", &jr));
  for (PetscInt r = 0; r < R; r++) {
    PetscCall(SemgDatasetReadAll(comm, parts[r], &p[r]));
    PetscCall(SameShape(a, p[r]));
  }
  for (PetscCount i = 0; i < a->n_examples; i++) {
    const PetscInt r = (PetscInt)(i % R);
    if (memcmp(&a->data[i * n], &p[r]->data[i * n], n * sizeof(PetscReal)) || a->theta[(size_t)i * a->n_theta + jr] != (PetscReal)r) wrong++;
    for (PetscInt q = 1; q < R; q++) differ += memcmp(&p[0]->data[i * n], &p[q]->data[i * n], n * sizeof(PetscReal)) != 0;
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "realisations %d\nsamples_not_from_i_mod_R %d\nsample_pairs_that_differ_between_realisations %d\n", (int)R, (int)wrong, (int)differ));
  for (PetscInt r = 0; r < R; r++) {
    PetscCall(SemgDatasetDestroy(&p[r]));
    PetscCall(PetscFree(parts[r]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The distribution of every truth column (one rank: the test reads the whole dataset). */
static PetscErrorCode ModeColumns(const SemgDataset *a)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "samples %lld\n", (long long)a->n_examples));
  for (PetscInt j = 0; j < a->n_theta; j++) {
    PetscReal lo = INFINITY, hi = -INFINITY, sum = 0;
    PetscInt  n = 0, codes[8] = {0};
    for (PetscCount i = 0; i < a->n_examples; i++) {
      const PetscReal v = a->theta[(size_t)i * a->n_theta + j];
      if (PetscIsNanReal(v)) continue;
      lo = PetscMin(lo, v), hi = PetscMax(hi, v), sum += v, n++;
      if (v >= 0 && v < 8 && v == floor(v)) codes[(int)v]++;
    }
    /* C printf: full precision, no PETSc "1." */
    printf("%s_n %d\n%s_min %.10g\n%s_max %.10g\n%s_mean %.10g\n", a->theta_names[j], (int)n, a->theta_names[j], (double)lo, a->theta_names[j], (double)hi, a->theta_names[j], n ? (double)(sum / n) : NAN);
    if (!strcmp(a->theta_units[j], "code"))
      for (int k = 0; k < 8; k++) printf("%s_code_%d %d\n", a->theta_names[j], k, (int)codes[k]);
  }
  fflush(stdout);
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  char         mode[32] = "", fa[PETSC_MAX_PATH_LEN] = "", fb[PETSC_MAX_PATH_LEN] = "", fc[PETSC_MAX_PATH_LEN] = "";
  SemgDataset *a = NULL, *b = NULL, *c = NULL;
  PetscBool    has_b, has_c;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mode", mode, sizeof(mode), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-a", fa, sizeof(fa), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-b", fb, sizeof(fb), &has_b));
  PetscCall(SemgDatasetReadAll(PETSC_COMM_WORLD, fa, &a));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-c", fc, sizeof(fc), &has_c));
  if (has_b) PetscCall(SemgDatasetReadAll(PETSC_COMM_WORLD, fb, &b));
  if (has_c) PetscCall(SemgDatasetReadAll(PETSC_COMM_WORLD, fc, &c));
  if (!strcmp(mode, "snr")) PetscCall(ModeSNR(a, b, c ? c : b));
  else if (!strcmp(mode, "spectrum")) PetscCall(ModeSpectrum(a, b));
  else if (!strcmp(mode, "sir")) PetscCall(ModeSIR(a, b));
  else if (!strcmp(mode, "cv")) PetscCall(ModeCV(a));
  else if (!strcmp(mode, "realisations")) PetscCall(ModeRealisations(PETSC_COMM_WORLD, a));
  else if (!strcmp(mode, "columns")) PetscCall(ModeColumns(a));
  else SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "-mode '%s' unknown", mode);
  PetscCall(SemgDatasetDestroy(&a));
  if (b) PetscCall(SemgDatasetDestroy(&b));
  if (c) PetscCall(SemgDatasetDestroy(&c));
  PetscCall(PetscFinalize());
  return 0;
}
