/* Kernels of issue 18 against references that can fail: clustering, adaptive threshold, peaks, train
   regularity, channel screening, the dominant-unit template of a synthetic epoch, the motor-unit pool,
   the automatic window and the chained latencies. */
#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/pool.h"
#include "estimator/templates/cluster.h"
#include "estimator/templates/detect.h"
#include "estimator/templates/screen.h"
#include "estimator/templates/templates.h"
#include "estimator/templates/match.h"
#include "estimator/templates/align.h"
#include "estimator/baselines/window.h"
#include "estimator/baselines/latency.h"

static int failures = 0;
#define EXPECT(cond, ...) \
  do { \
    if (!(cond)) { \
      failures++; \
      printf("FAIL "); \
    } else printf("ok   "); \
    printf(__VA_ARGS__); \
    printf("\n"); \
  } while (0)

static PetscErrorCode TestCluster(void)
{
  const PetscReal v[9] = {0.0, 0.1, 0.05, 5.0, 5.2, 5.1, 10.0, 10.1, 30.0};
  PetscReal       d[81];
  PetscInt        label[9], ng;

  PetscFunctionBeginUser;
  for (int i = 0; i < 9; i++)
    for (int j = 0; j < 9; j++) d[i * 9 + j] = PetscAbsReal(v[i] - v[j]);
  PetscCall(SemgClusterAverageLinkage(9, d, 1.0, label, &ng));
  EXPECT(ng == 4 && label[0] == label[1] && label[1] == label[2] && label[3] == label[5] && label[6] == label[7] && label[8] != label[7] && label[0] != label[3], "average linkage at cut 1: 4 groups {0,0.1,0.05} {5,5.2,5.1} {10,10.1} {30} (got %d)", (int)ng);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestDetect(void)
{
  PetscReal v[40], e[50], amp[50], thr;
  PetscInt  idx[50], n;

  PetscFunctionBeginUser;
  for (int i = 0; i < 30; i++) v[i] = 1.0 + 0.01 * i; /* background */
  for (int i = 30; i < 40; i++) v[i] = 100.0 + i;     /* discharges */
  thr = SemgOtsuThreshold(40, v);
  EXPECT(thr >= 100 && thr <= 130, "Otsu threshold splits background (1..1.3) from discharges (130..139): %g", (double)thr);
  for (int k = 0; k < 50; k++) e[k] = 0;
  e[10] = 5, e[12] = 3, e[30] = 4, e[31] = 2;
  PetscCall(SemgEnergyPeaks(50, e, 0, 50, 5, &n, idx, amp));
  EXPECT(n == 2 && idx[0] == 10 && idx[1] == 30, "peaks largest first, 5 samples apart: %d found, at %d and %d (want 10, 30)", (int)n, (int)(n > 0 ? idx[0] : -1), (int)(n > 1 ? idx[1] : -1));
  {
    const PetscInt reg[8] = {0, 100, 205, 300, 398, 600, 702, 800}, mix[8] = {0, 40, 100, 130, 250, 270, 400, 480};
    EXPECT(SemgTrainISICoV(8, reg) < 0.1, "regular train (one gap) CoV %.3f < 0.1", (double)SemgTrainISICoV(8, reg));
    EXPECT(SemgTrainISICoV(8, mix) > 0.3, "mixed train CoV %.3f > 0.3", (double)SemgTrainISICoV(8, mix));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestScreen(void)
{
  const PetscInt    nc = 6, nt = 2000;
  PetscInt          column[6] = {0, 0, 0, 0, 0, 0};
  PetscReal        *x;
  SemgChannelStatus st[6];
  SemgScreenOptions o;
  SemgRng           rng;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nc * nt, &x));
  SemgRngInit(&rng, 1, 0, SEMG_STREAM_USER);
  for (PetscInt k = 0; k < nt; k++) {
    const PetscReal common = sin(0.05 * k) + 0.5 * sin(0.13 * k);
    for (PetscInt c = 0; c < nc; c++) x[c * nt + k] = common * (1 + 0.1 * c) + 0.05 * SemgRngNormal(&rng);
    x[1 * nt + k] = 0.3;                          /* flat */
    x[3 * nt + k] = PetscMin(x[3 * nt + k], 0.4); /* clipped at 0.4 */
    x[5 * nt + k] = SemgRngNormal(&rng);          /* disconnected: noise only */
  }
  PetscCall(SemgScreenOptionsDefault(&o));
  PetscCall(SemgScreenChannels(&o, nc, nt, x, column, st));
  EXPECT(st[0] == SEMG_CHANNEL_OK && st[1] == SEMG_CHANNEL_FLAT && st[2] == SEMG_CHANNEL_OK && st[3] == SEMG_CHANNEL_SATURATED && st[4] == SEMG_CHANNEL_OK && st[5] == SEMG_CHANNEL_NOISE, "screening: ok flat ok saturated ok noise (got %s %s %s %s %s %s)", SemgChannelStatusNames[st[0]], SemgChannelStatusNames[st[1]], SemgChannelStatusNames[st[2]], SemgChannelStatusNames[st[3]], SemgChannelStatusNames[st[4]], SemgChannelStatusNames[st[5]]);
  PetscCall(SemgScreenRepair(nc, nt, x, column, st));
  EXPECT(x[1 * nt + 7] == 0.5 * (x[0 * nt + 7] + x[2 * nt + 7]) && x[5 * nt + 7] == x[4 * nt + 7],
         "repair: inner channel = mean of its neighbours, end channel = its neighbour");
  PetscCall(PetscFree(x));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Two synthetic units on 8 channels propagating at different speeds, firing regularly (10 and 17 Hz),
   the first twice as large, plus white noise: the template must be the first unit's waveform. */
static PetscErrorCode TestTemplateEpoch(void)
{
  const PetscReal     fs = 2048;
  const PetscInt      nc = 8, nt = 2048;
  SemgTemplateOptions o;
  SemgTemplateQuality q;
  PetscReal          *x, *tmpl, ab = 0, aa = 0, bb = 0;
  PetscInt           *trig, len, npre;
  SemgRng             rng;

  PetscFunctionBeginUser;
  PetscCall(SemgTemplateOptionsDefault(&o));
  len = SemgTemplateLength(&o, fs), npre = SemgTemplatePreSamples(&o, fs);
  PetscCall(PetscMalloc3(nc * nt, &x, nc * len, &tmpl, nt, &trig));
  SemgRngInit(&rng, 2, 0, SEMG_STREAM_USER);
  for (PetscInt i = 0; i < nc * nt; i++) x[i] = 0.05 * SemgRngNormal(&rng);
  for (int u = 0; u < 2; u++) {
    const PetscReal period = u ? fs / 17 : fs / 10, a = u ? 0.5 : 1.0, lag = u ? 1.0 : 3.0, phase = u ? 37 : 11;
    for (PetscReal t0 = phase; t0 + 60 < nt; t0 += period * (1 + 0.1 * sin(t0)))
      for (PetscInt c = 0; c < nc; c++)
        for (PetscInt j = -20; j <= 20; j++) {
          const PetscReal s = j - c * lag;
          x[c * nt + (PetscInt)t0 + j + 20] += a * (u ? -1 : 1) * s * exp(-s * s / 8.0);
        }
  }
  PetscCall(SemgTemplateEpoch(&o, fs, nt, nc, x, nc, x, tmpl, trig, &q));
  EXPECT(q.usable && q.n_triggers >= 8 && q.n_triggers <= 11, "synthetic epoch: usable template from %d discharges (the first unit fires 10 times)",
         (int)q.n_triggers);
  /* reference: the first unit's waveform placed at the template's alignment (best over lags) */
  {
    PetscReal best = 0;
    for (PetscInt sh = -30; sh <= 30; sh++) {
      ab = aa = bb = 0;
      for (PetscInt c = 0; c < nc; c++)
        for (PetscInt k = 0; k < len; k++) {
          const PetscReal s = (k - npre + sh) - c * 3.0, r = s * exp(-s * s / 8.0), t = tmpl[c * len + k];
          ab += r * t, aa += r * r, bb += t * t;
        }
      if (aa > 0 && bb > 0) best = PetscMax(best, ab / sqrt(aa * bb));
    }
    EXPECT(q.usable && best > 0.9, "template correlates with the dominant unit's waveform at %.3f > 0.9", (double)best);
  }
  PetscCall(PetscFree3(x, tmpl, trig));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Multichannel template matching: the FFT score against a direct sum, and the refinement of a seed train
   (4 of unit A's 10 discharges and one discharge of unit B) to A's whole train and nothing else. */
static PetscErrorCode TestMatcher(void)
{
  const PetscInt    nd = 8, nt = 2048, a = 16, b = 17, L = a + b;
  PetscInt          fa[10], fb[40], nfa = 0, nfb = 0, trig[64], n = 0, off, hits = 0, stray = 0;
  PetscReal        *x, *T, *s, worst = 0;
  SemgMatcher       M;
  SemgRefineOptions ro = {.n_iter = 3, .floor = 0.4, .dead = 30, .lo = 40, .hi = nt - 40, .max_trig = 64, .min_isi_ratio = 0.6, .smooth = 2};
  SemgRefineQuality q;
  SemgRng           rng;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(nd * nt, &x, nd * L, &T, nt, &s));
  SemgRngInit(&rng, 3, 0, SEMG_STREAM_USER);
  for (PetscInt i = 0; i < nd * nt; i++) x[i] = 0.05 * SemgRngNormal(&rng);
  for (int u = 0; u < 2; u++) {
    const PetscReal period = u ? 2048.0 / 17 : 2048.0 / 10, amp = u ? 0.8 : 1.0, lag = u ? 1.0 : 3.0;
    for (PetscReal t0 = u ? 77 : 41; t0 + 80 < nt; t0 += period * (1 + 0.1 * sin(t0))) {
      if (u) fb[nfb++] = (PetscInt)t0;
      else fa[nfa++] = (PetscInt)t0;
      for (PetscInt c = 0; c < nd; c++)
        for (PetscInt j = -20; j <= 20; j++) {
          const PetscReal z = j - c * lag;
          x[c * nt + (PetscInt)t0 + j + 20] += amp * (u ? -1 : 1) * z * exp(-z * z / 8.0);
        }
    }
  }
  PetscCall(SemgMatcherCreate(nd, nt, x, a, b, &M));
  /* score against the direct normalised match 2<T,d>/(|T|^2+|d|^2) at a few samples */
  for (PetscInt j = 0; j < nd * L; j++) T[j] = sin(0.3 * j) * exp(-0.01 * j);
  PetscCall(SemgMatcherScore(M, T, 40, nt - 40, s));
  for (PetscInt k = 100; k < nt - 100; k += 137) {
    PetscReal ab = 0, aa = 0, bb = 0;
    for (PetscInt c = 0; c < nd; c++)
      for (PetscInt j = 0; j < L; j++)
        ab += T[c * L + j] * x[c * nt + k - a + j], aa += T[c * L + j] * T[c * L + j], bb += x[c * nt + k - a + j] * x[c * nt + k - a + j];
    worst = PetscMax(worst, PetscAbsReal(s[k] - 2 * ab / (aa + bb)));
  }
  EXPECT(worst < 1e-10, "FFT matched filter equals the direct normalised match (largest difference %.2e)", (double)worst);
  /* seed: A's discharges 2, 4, 6, 8 at their peaks (+20 + 1.5 x 3 channels: near the array's energy centre) and one of B's */
  for (PetscInt i = 2; i < 10 && i < nfa; i += 2) trig[n++] = fa[i] + 30;
  trig[n++] = fb[5] + 24;
  PetscCall(PetscSortInt(n, trig));
  PetscCall(SemgMatcherRefine(M, &ro, &n, trig, T, &q));
  off = n ? trig[0] - fa[0] : 0;
  for (PetscInt i = 0; i < n; i++) {
    PetscBool on_a = PETSC_FALSE;
    for (PetscInt f = 0; f < nfa; f++)
      if (PetscAbs(trig[i] - fa[f] - off) <= 1) on_a = PETSC_TRUE;
    hits += on_a, stray += !on_a;
  }
  EXPECT(nfa == 10 && n == 10 && hits == 10 && stray == 0 && q.snr > 10, "refinement: seed of 4 + 1 stray -> %d discharges, %d on unit A's %d firings at one offset, %d stray (snr %.1f)", (int)n, (int)hits, (int)nfa, (int)stray,
         (double)q.snr);
  { /* a discharge the matching missed (one left out of the train) is found again in the gap it leaves */
    const PetscInt miss = n > 5 ? trig[4] : -1;
    for (PetscInt i = 4; i + 1 < n; i++) trig[i] = trig[i + 1];
    n--;
    PetscCall(SemgMatcherFillGaps(M, T, 40, nt - 40, 0.3, 64, &n, trig));
    EXPECT(n == 10 && trig[4] == miss, "gap filling: the left-out discharge at %d found again (train of %d, 5th at %d)", (int)miss, (int)n, (int)trig[4]);
  }
  PetscCall(SemgMatcherDestroy(&M));
  PetscCall(PetscFree3(x, T, s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestPool(void)
{
  SemgPoolSpec s;
  SemgPoolUnit first, last;
  PetscInt     n10 = 0, n50 = 0, nf;
  PetscReal   *t, mean = 0, sd = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgPoolSpecDefault(&s));
  PetscCall(SemgPoolUnitMake(&s, 1, 0, &first));
  PetscCall(SemgPoolUnitMake(&s, 1, s.n_units - 1, &last));
  EXPECT(PetscAbsReal(last.threshold - s.recruit_max) < 1e-12 && PetscAbsReal(last.threshold / first.threshold - pow(s.recruit_range, 1.0 - 1.0 / s.n_units)) < 1e-9, "thresholds: last %g = recruit_max, range %g",
         (double)last.threshold, (double)(last.threshold / first.threshold));
  for (PetscInt i = 0; i < s.n_units; i++) {
    SemgPoolUnit u;
    PetscCall(SemgPoolUnitMake(&s, 1, i, &u));
    n10 += SemgPoolRate(&s, &u, 0.1) > 0, n50 += SemgPoolRate(&s, &u, 0.5) > 0;
  }
  EXPECT(n10 >= 20 && n10 < n50 && n50 <= s.n_units, "recruitment: %d units at 10 %% < %d at 50 %% of %d", (int)n10, (int)n50, (int)s.n_units);
  PetscCall(SemgPoolFiringTrain(&s, &first, 0.3, 20.0, 1, 0, &nf, &t));
  for (PetscInt i = 1; i < nf; i++) mean += (t[i] - t[i - 1]) / (nf - 1);
  for (PetscInt i = 1; i < nf; i++) sd += PetscSqr(t[i] - t[i - 1] - mean) / (nf - 2);
  EXPECT(PetscAbsReal(1.0 / mean - SemgPoolRate(&s, &first, 0.3)) < 1.0 && PetscAbsReal(sqrt(sd) / mean - s.isi_cov) < 0.04, "firing: rate %.2f Hz (want %.2f), ISI CoV %.3f (want %.2f)", (double)(1.0 / mean), (double)SemgPoolRate(&s, &first, 0.3), (double)(sqrt(sd) / mean),
         (double)s.isi_cov);
  PetscCall(PetscFree(t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A standing burst (same time course on every channel) followed by a wave that moves 5 samples per
   channel: the window must start after the burst and keep the wave; chained latencies are exact. */
static PetscErrorCode TestWindowAndLatency(void)
{
  const PetscInt nc = 8, nt = 200, col[2] = {0, 8};
  PetscReal      x[8 * 200], tau[8], w[8];

  PetscInt k0, k1;

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < nc; c++)
    for (PetscInt k = 0; k < nt; k++) {
      const PetscReal s = k - 60 - 5.0 * c, b = k - 10;
      x[c * nt + k] = 10.0 * b * exp(-b * b / 8.0) + s * exp(-s * s / 18.0);
    }
  PetscCall(SemgAutoWindow(nc, nt, x, 1, col, 3.0, 12.0, 8, &k0, &k1));
  /* the burst's main hill (7..13) is cut; its weak tail may stay (the delay of a stretch is measured
     against the whole neighbouring channel, docs/baselines.md) */
  EXPECT(k0 >= 13 && k0 <= 55 && k1 >= 110, "auto window [%d, %d) skips the standing burst at 10 and keeps the wave (60..115)", (int)k0, (int)k1);
  {
    PetscReal y[8 * 100];
    for (PetscInt c = 0; c < nc; c++)
      for (PetscInt k = 0; k < 100; k++) {
        const PetscReal s = k - 30 - 5.0 * c;
        y[c * 100 + k]    = s * exp(-s * s / 18.0);
      }
    PetscCall(SemgLatencyChain(nc, 100, y, 1000.0, 12, tau, w));
    EXPECT(PetscAbsReal(tau[7] - 0.035) < 2e-4 && PetscAbsReal(tau[1] - 0.005) < 1e-4, "chained latencies: channel 8 at %.5f s (want 0.035)", (double)tau[7]);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Sub-sample alignment: a band-limited signal read at a fractional delay, and the template of a unit whose
   discharges fall anywhere between two samples (as on a real recording): averaged at whole samples the
   sharp waveform is smeared by the +-0.5-sample jitter, aligned it is not. */
static PetscReal SharpWave(PetscReal s)
{
  return s * exp(-s * s / 2.0);
}
static PetscErrorCode JitteredTemplate(PetscInt align_iter, PetscReal *corr, PetscInt *ntrig, PetscReal *rms_true, PetscReal *rms_err)
{
  const PetscReal     fs = 2048;
  const PetscInt      nc = 8, nt = 2048;
  SemgTemplateOptions o;
  SemgTemplateQuality q;
  PetscReal          *x, *tmpl, ft[64], r[64], tau[64], mr = 0;
  PetscInt           *trig, len, npre, nf = 0;
  SemgRng             rng;

  PetscFunctionBeginUser;
  PetscCall(SemgTemplateOptionsDefault(&o));
  o.align_iter = align_iter;
  len = SemgTemplateLength(&o, fs), npre = SemgTemplatePreSamples(&o, fs);
  PetscCall(PetscMalloc3(nc * nt, &x, nc * len, &tmpl, nt, &trig));
  SemgRngInit(&rng, 4, 0, SEMG_STREAM_USER);
  for (PetscInt i = 0; i < nc * nt; i++) x[i] = 0.02 * SemgRngNormal(&rng);
  for (int u = 0; u < 2; u++) {
    const PetscReal period = u ? fs / 17 : fs / 12, a = u ? 0.5 : 1.0, lag = u ? 1.0 : 1.5;
    for (PetscReal t0 = u ? 37.3 : 11.0; t0 + 60 < nt; t0 += period * (1 + 0.1 * sin(t0)) + SemgRngUniform(&rng)) { /* fractional firing times */
      if (!u && nf < 64) ft[nf++] = t0;
      for (PetscInt c = 0; c < nc; c++)
        for (PetscInt k = (PetscInt)t0; k <= (PetscInt)t0 + 40; k++) x[c * nt + k] += a * (u ? -1 : 1) * SharpWave(k - t0 - 20 - c * lag);
    }
  }
  PetscCall(SemgTemplateEpoch(&o, fs, nt, nc, x, nc, x, tmpl, trig, &q));
  *ntrig = q.usable ? PetscMin(q.n_triggers, 64) : 0, *corr = 0, *rms_true = *rms_err = 0;
  /* the delays found against the true ones: trigger minus the unit's latest firing before it, centred */
  PetscCall(SemgAlignSubsample(nc, nt, x, *ntrig, trig, 16, 17, align_iter, 1.0, tau));
  for (PetscInt i = 0; i < *ntrig; i++) {
    r[i] = 0;
    for (PetscInt f = 0; f < nf; f++)
      if (ft[f] <= trig[i]) r[i] = trig[i] - ft[f];
    mr += r[i] / *ntrig;
  }
  for (PetscInt i = 0; i < *ntrig; i++) *rms_true += PetscSqr(r[i] - mr) / *ntrig, *rms_err += PetscSqr(tau[i] + r[i] - mr) / *ntrig;
  *rms_true = PetscSqrtReal(*rms_true), *rms_err = PetscSqrtReal(*rms_err);
  for (PetscReal sh = -30; q.usable && sh <= 30; sh += 0.02) { /* best over fractional alignments of the true waveform */
    PetscReal ab = 0, aa = 0, bb = 0;
    for (PetscInt c = 0; c < nc; c++)
      for (PetscInt k = 0; k < len; k++) {
        const PetscReal r = SharpWave(k - npre + sh - c * 1.5), t = tmpl[c * len + k];
        ab += r * t, aa += r * r, bb += t * t;
      }
    if (aa > 0 && bb > 0) *corr = PetscMax(*corr, ab / sqrt(aa * bb));
  }
  PetscCall(PetscFree3(x, tmpl, trig));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestSubsample(void)
{
  const PetscInt nt = 256;
  PetscReal      x[256], w[64], err = 0, c0, c1, j0, j1, e0, e1;
  PetscInt       n0, n1;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < nt; k++) x[k] = sin(2 * PETSC_PI * 0.13 * k) + 0.5 * cos(2 * PETSC_PI * 0.31 * k);
  SemgWindowAt(1, nt, x, 100, 0.37, 32, 64, w);
  for (PetscInt j = 0; j < 64; j++) {
    const PetscReal t = 100 + 0.37 - 32 + j;
    err               = PetscMax(err, PetscAbsReal(w[j] - sin(2 * PETSC_PI * 0.13 * t) - 0.5 * cos(2 * PETSC_PI * 0.31 * t)));
  }
  EXPECT(err < 2e-3, "windowed-sinc delay of 0.37 sample: largest error %.1e < 2e-3 (content up to 0.31 fs)", (double)err);
  PetscCall(JitteredTemplate(0, &c0, &n0, &j0, &e0));
  PetscCall(JitteredTemplate(2, &c1, &n1, &j1, &e1));
  EXPECT(n1 >= 10 && j1 > 0.2 && e1 < 0.05, "jittered discharges (%d found, true delays %.2f sample rms): delays found to %.3f sample rms < 0.05 (whole samples: %.3f)", (int)n1, (double)j1, (double)e1, (double)e0);
  EXPECT(n0 == n1 && c1 > 0.995 && c1 > c0, "template correlation %.4f with sub-sample alignment > 0.995 and > %.4f at whole samples", (double)c1, (double)c0);
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(TestCluster());
  PetscCall(TestDetect());
  PetscCall(TestScreen());
  PetscCall(TestTemplateEpoch());
  PetscCall(TestMatcher());
  PetscCall(TestPool());
  PetscCall(TestWindowAndLatency());
  PetscCall(TestSubsample());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %d failure(s)\n", failures ? "FAILED" : "passed", failures));
  PetscCall(PetscFinalize());
  return failures ? 1 : 0;
}
