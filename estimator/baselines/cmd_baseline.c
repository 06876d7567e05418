/* semg baseline: white-box estimators on a dataset (spec estimator.md 4), one result file in the common
   estimator layout (estimator/result.h), parallel over examples (the dataset's block partition). */
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_log.h"
#include "estimator/commands.h"
#include "estimator/result.h"
#include "estimator/baselines/arrays.h"
#include "estimator/baselines/iz.h"
#include "estimator/baselines/cv.h"
#include "estimator/baselines/physfit.h"
#include "estimator/nn/dectable_build.h"
#include "estimator/baselines/window.h"
#include "estimator/baselines/minamp.h"
#include "estimator/nn/decoder.h"

/* The CV methods use at most this many DD channels (-cv_channels; the work buffer is sized for it). */
#define SEMG_BASELINE_MAX_CV_CHANNELS 64

typedef enum { BL_IZ_MINAMP, BL_IZ_PHASE, BL_VFIT, BL_CV_XCORR, BL_CV_SPECTRAL, BL_CV_MLE, BL_PHYSFIT, BL_NMETHODS } BaselineMethod;
static const char *const bl_names[] = {"iz_minamp", "iz_phase", "vfit", "cv_xcorr", "cv_spectral", "cv_mle", "physfit"};

typedef struct {
  char            data[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN];
  char            init[PETSC_MAX_PATH_LEN]; /* physfit: -physfit_init result file (hybrid), "" = multi-start */
  BaselineMethod  method;
  PetscInt        cv_channels, phase_max_lag, vfit_latency;
  PetscReal       cv_range[2], cv_exclude, window[2];
  PetscReal       onset_window[2]; /* -window auto, V-fit and CV methods: start and length (s) after the discharge onset (window.h) */
  PetscReal       minamp_frac;     /* iz_minamp: argmin between the channels above this share of the largest RMS (minamp.h) */
  PetscBool       window_auto;     /* -window auto (default): per example, from the signal (window.h) */
  SemgIZPhaseMode phase_mode;
  SemgDecoderSpec dec;
  SemgCCSParams   ccs;
} BaselineCtx;

static PetscErrorCode ProcessOptions(MPI_Comm comm, BaselineCtx *ctx)
{
  PetscBool         set_m, set_d, set_o, set_i;
  PetscInt          n, mode = SEMG_IZ_PHASE_MINIMUM, method = BL_NMETHODS; /* phase: minimum measured better than auto (crossing) on every tuning and test set, docs/baselines.md */
  char              wtext[64] = "auto";
  const char *const lat[]     = {"peak", "xcorr", "chain", "SemgLatencyType", "SEMG_LATENCY_", NULL};
  const char *const modes[]   = {"auto", "minimum", "crossing", "SemgIZPhaseMode", "SEMG_IZ_PHASE_", NULL};

  PetscFunctionBeginUser;
  ctx->cv_channels   = 5;   /* 5 channels from 1 IED beyond the IZ: tuned on the tuning set (docs/baselines.md) */
  ctx->cv_range[0]   = 2.0; /* spec 4.2c (MATLAB range) */
  ctx->cv_range[1]   = 7.0;
  ctx->cv_exclude    = 1.0;
  ctx->minamp_frac   = 0.5;
  ctx->phase_max_lag = -1;
  ctx->vfit_latency = SEMG_LATENCY_XCORR; /* delay to the largest channel: chained neighbour delays accumulate the bias of a standing component (issue 18) */
  ctx->window[0]       = 0.0;
  ctx->window[1]       = PETSC_MAX_REAL;
  ctx->onset_window[0] = 0.001; /* past the onset of the generation transient (tuned, docs/baselines.md) */
  ctx->onset_window[1] = 0.009; /* the potential's travel from the IZ over the CV channels (tuned) */
  ctx->data[0]         = 0;     /* -help shows these as defaults */
  ctx->output[0]       = 0;
  ctx->init[0]         = 0;
  PetscCall(SemgDecoderSpecDefault(&ctx->dec));
  PetscCall(SemgCCSParamsDefault(&ctx->ccs));
  PetscOptionsBegin(comm, NULL, "semg baseline: white-box IZ / CV estimators and the per-sample physics fit", "semg");
  PetscCall(PetscOptionsEList("-method", "estimator: iz_minamp | iz_phase | vfit | cv_xcorr | cv_spectral | cv_mle | physfit", "semg baseline", bl_names, BL_NMETHODS, "", &method, &set_m));
  PetscCall(PetscOptionsString("-data", "input dataset (.h5, semg simulate / import)", "semg baseline", ctx->data, ctx->data, sizeof(ctx->data), &set_d));
  PetscCall(PetscOptionsString("-output", "result file, .h5 or .csv (columns as semg estimate)", "semg baseline", ctx->output, ctx->output, sizeof(ctx->output), &set_o));
  PetscCall(PetscOptionsInt("-cv_channels", "DD channels used by the CV methods (one side of the IZ)", "semg baseline", ctx->cv_channels, &ctx->cv_channels, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-cv_range", "CV search range lo,hi (m/s) of the delay estimators", "semg baseline", ctx->cv_range, &n, NULL));
  PetscCall(PetscOptionsReal("-cv_exclude", "CV methods skip DD channels within this many IEDs of the (min-amplitude) IZ", "semg baseline", ctx->cv_exclude,
                             &ctx->cv_exclude, NULL));
  PetscCall(PetscOptionsEList("-phase_mode", "iz_phase: auto (zero crossings, else minimum), minimum, crossing", "semg baseline", modes, 3, modes[mode], &mode, NULL));
  PetscCall(PetscOptionsInt("-phase_max_lag", "iz_phase: 0 = zero-lag Pearson, L > 0 = signed peak of the cross-correlation within +-L samples, -1 = auto (0 unless the median zero-lag correlation of neighbouring channels is below 0.3, then the delay at the middle of -cv_range)", "semg baseline",
                            ctx->phase_max_lag, &ctx->phase_max_lag, NULL));
  PetscCall(PetscOptionsEList("-vfit_latency", "vfit: channel latency: chain (cumulative neighbour delays), peak of |DD|, or xcorr delay to the largest channel", "semg baseline", lat, 3,
                              lat[ctx->vfit_latency], &ctx->vfit_latency, NULL));
  PetscCall(PetscOptionsReal("-minamp_frac", "iz_minamp: search the RMS minimum between the first and last channel above this share of the largest RMS (0 = global argmin)", "semg baseline",
                             ctx->minamp_frac, &ctx->minamp_frac, NULL));
  PetscCall(PetscOptionsString("-window", "classical methods: auto (per example: IZ methods cut standing bursts; vfit and the CV methods start after the discharge onset and stop before the extinction, docs/baselines.md), all, or t0,t1 (s from the sample start)", "semg baseline", wtext, wtext, sizeof(wtext), NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-window_onset", "-window auto of vfit and the CV methods: start,length (s) of the window after the detected discharge onset", "semg baseline",
                                  ctx->onset_window, &n, NULL));
  PetscCall(PetscOptionsString("-physfit_init", "physfit: start every sample from this result file's estimate of the same dataset (e.g. semg estimate's), few TAO iterations, no grid (method 'hybrid')", "semg baseline",
                               ctx->init, ctx->init, sizeof(ctx->init), &set_i));
  PetscOptionsEnd();
  ctx->phase_mode = (SemgIZPhaseMode)mode;
  PetscCall(SemgOptionsRequire(comm, "-method", set_m));
  PetscCall(SemgOptionsRequire(comm, "-data", set_d));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  ctx->method = (BaselineMethod)method;
  PetscCheck(ctx->cv_channels >= 2 && ctx->cv_channels <= SEMG_BASELINE_MAX_CV_CHANNELS, comm, SEMG_ERR_USER, "-cv_channels %" PetscInt_FMT " must be in 2..%d",
             ctx->cv_channels, SEMG_BASELINE_MAX_CV_CHANNELS);
  PetscCheck(ctx->cv_range[0] > 0 && ctx->cv_range[1] > ctx->cv_range[0], comm, SEMG_ERR_USER, "-cv_range must be 0 < lo < hi");
  ctx->window_auto = (PetscBool)!strcmp(wtext, "auto");
  if (strcmp(wtext, "auto") && strcmp(wtext, "all")) {
    double a, b;
    char   tail;
    PetscCheck(sscanf(wtext, "%lf,%lf%c", &a, &b, &tail) == 2, comm, SEMG_ERR_USER, "-window '%s' must be auto, all or t0,t1", wtext);
    ctx->window[0] = a, ctx->window[1] = b;
  }
  PetscCheck(ctx->window[0] >= 0 && ctx->window[1] > ctx->window[0], comm, SEMG_ERR_USER, "-window t0,t1 needs 0 <= t0 < t1");
  PetscCheck(ctx->onset_window[0] >= 0 && ctx->onset_window[1] > 0, comm, SEMG_ERR_USER, "-window_onset start,length needs start >= 0 and length > 0");
  PetscCheck(ctx->minamp_frac >= 0 && ctx->minamp_frac < 1, comm, SEMG_ERR_USER, "-minamp_frac %g must be in [0, 1)", (double)ctx->minamp_frac);
  PetscCheck(ctx->cv_exclude >= 0 && ctx->phase_max_lag >= -1, comm, SEMG_ERR_USER, "-cv_exclude must be >= 0 and -phase_max_lag >= -1 (auto)");
  if (ctx->method == BL_PHYSFIT) {
    PetscCall(SemgDecoderSpecSetFromOptions(comm, &ctx->dec));
    PetscCall(SemgCCSParamsSetFromOptions(&ctx->ccs, NULL));
  }
  PetscCall(SemgCheckInputPath(comm, "-data", ctx->data));
  PetscCheck(!set_i || ctx->method == BL_PHYSFIT, comm, SEMG_ERR_USER, "-physfit_init needs -method physfit");
  if (set_i) PetscCall(SemgCheckInputPath(comm, "-physfit_init", ctx->init));
  PetscCall(SemgCheckOutputPath(comm, "-output", ctx->output));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Every example must be finite and not identically zero (checked on all ranks before any work). */
static PetscErrorCode CheckSignals(MPI_Comm comm, const BaselineCtx *ctx, const SemgDataset *ds)
{
  const size_t sz  = (size_t)ds->n_channels * ds->n_times;
  PetscCount   bad = -1;
  PetscBool    nan = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscCount s = 0; s < ds->n_local && bad < 0; s++) {
    const PetscReal *x  = ds->data + s * sz;
    PetscReal        mx = 0;
    for (size_t i = 0; i < sz; i++) {
      if (PetscIsInfOrNanReal(x[i])) {
        nan = PETSC_TRUE;
        break;
      }
      mx = PetscMax(mx, PetscAbsReal(x[i]));
    }
    if (nan || mx == 0.0) bad = ds->start + s;
  }
  PetscCall(SemgCheckAllRanks(comm, (PetscBool)(bad < 0), "'%s': example %lld %s", ctx->data, (long long)bad, nan ? "contains NaN or Inf" : "is all zero (no signal to estimate from)"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* CV methods: DD channels of one column on the side of the IZ with more channels, skipping those within
   cv_exclude IEDs of the IZ, nearest first, ordered along the propagation direction. */
static PetscInt SelectCVChannels(const BaselineCtx *ctx, PetscInt nd, const PetscReal *cd, PetscReal iz, PetscInt *sel)
{
  PetscReal ied = (cd[nd - 1] - cd[0]) / (nd - 1), gap = ctx->cv_exclude * ied;
  PetscInt  nl = 0, nr = 0, m = 0;

  for (PetscInt c = 0; c < nd; c++) {
    if (cd[c] < iz - gap) nl++;
    if (cd[c] > iz + gap) nr++;
  }
  if (nr >= nl) {
    for (PetscInt c = 0; c < nd && m < ctx->cv_channels; c++)
      if (cd[c] > iz + gap) sel[m++] = c;
  } else {
    for (PetscInt c = nd - 1; c >= 0 && m < ctx->cv_channels; c--)
      if (cd[c] < iz - gap) sel[m++] = c;
  }
  return m;
}

typedef struct {
  SemgArrays  *sd, *dd;
  PetscReal   *xs, *xd, *buf; /* buf: the CV methods' channels, at most SEMG_BASELINE_MAX_CV_CHANNELS */
  PetscReal   *xiz, *iz_sel;  /* -window auto, delay methods: SD channels on the standing-burst window, the IZ per column */
  SemgPhysFit *pf;
  SemgSpectra  spectra;       /* one FFTW plan for the windowed length, made once per command */
  PetscCount   n_implausible; /* examples without a plausible CV (every column's outside -cv_range): NaN */
  PetscCount   n_fallback;    /* hybrid: samples whose start was judged unreliable (-physfit_fallback) */
} BaselineWork;

/* Keep samples [k0, k1) of each of n channels (in place, channel-major). */
static void CropChannels(PetscInt n, PetscInt nt, PetscInt k0, PetscInt k1, PetscReal *x)
{
  for (PetscInt c = 0; c < n; c++) memmove(x + (size_t)c * (k1 - k0), x + (size_t)c * nt + k0, sizeof(PetscReal) * (size_t)(k1 - k0));
}

/* Plausibility guard of every CV estimate: inside -cv_range (default 2-7 m/s, the physiological range of
   spec 4.2c that also bounds the delay search). A CV outside it comes from a delay near zero (a standing
   component: 1000 m/s) or a mean delay at the lag bound, not from a propagating potential: no estimate,
   counted. A single pair at the bound is kept (measured: at 20 dB one pair in five channels often is). */
static PetscBool CVPlausible(const BaselineCtx *ctx, PetscReal cv)
{
  return (PetscBool)(cv >= ctx->cv_range[0] && cv <= ctx->cv_range[1]);
}

/* iz_phase with -phase_max_lag auto: the zero-lag correlation of neighbours, unless their median is
   below SEMG_PHASE_AUTO_RHO (tuned on the tuning sets of docs/baselines.md): a potential whose phases are shorter than the delay between neighbours (shallow units,
   2048-Hz templates) anti-correlates every pair, and the phase reversal is then read from the signed peak
   within the delay at the middle of -cv_range (docs/baselines.md). */
#define SEMG_PHASE_AUTO_RHO 0.3
static PetscErrorCode PhaseReversal(const BaselineCtx *ctx, PetscReal fs, PetscInt nt, PetscInt nsd, const PetscReal *xs, const PetscReal *cs, PetscReal *iz)
{
  PetscReal rho[SEMG_BASELINE_MAX_CV_CHANNELS];
  PetscInt  lag;

  PetscFunctionBeginUser;
  if (ctx->phase_max_lag >= 0 || nsd - 1 > SEMG_BASELINE_MAX_CV_CHANNELS) {
    PetscCall(SemgIZPhaseReversal(nsd, nt, xs, cs, ctx->phase_mode, PetscMax(ctx->phase_max_lag, 0), iz, NULL, NULL));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(SemgIZPhaseReversal(nsd, nt, xs, cs, ctx->phase_mode, 0, iz, NULL, rho));
  PetscCall(PetscSortReal(nsd - 1, rho));
  if (rho[(nsd - 1) / 2] >= SEMG_PHASE_AUTO_RHO) PetscFunctionReturn(PETSC_SUCCESS);
  lag = (PetscInt)PetscCeilReal(PetscAbsReal(cs[1] - cs[0]) * fs / (0.5 * (ctx->cv_range[0] + ctx->cv_range[1])));
  PetscCall(SemgIZPhaseReversal(nsd, nt, xs, cs, ctx->phase_mode, PetscMin(PetscMax(lag, 1), nt - 2), iz, NULL, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* IZ and CV of one column (sd: nsd channels, dd: ndd channels); NaN where the method has no estimate. */
static PetscErrorCode EstimateColumn(const BaselineCtx *ctx, BaselineWork *w, PetscReal fs, PetscInt nt, PetscInt nsd, const PetscReal *xs, const PetscReal *cs, PetscInt ndd, const PetscReal *xd, const PetscReal *cd, PetscReal iz_sel, PetscReal *iz, PetscReal *cv, PetscReal *quality)
{
  PetscInt  sel[SEMG_BASELINE_MAX_CV_CHANNELS], m, lo, hi;
  PetscReal ied, th = 0, izc = iz_sel;

  PetscFunctionBeginUser;
  *iz = *cv = *quality = NAN;
  switch (ctx->method) {
  case BL_IZ_MINAMP:
    PetscCall(SemgIZMinAmplitudeBetween(nsd, nt, xs, cs, ctx->minamp_frac, iz));
    break;
  case BL_IZ_PHASE:
    PetscCall(PhaseReversal(ctx, fs, nt, nsd, xs, cs, iz));
    break;
  case BL_VFIT:
    /* latency search: the array's span at the slowest CV, or one IED for the chained neighbour delays */
    PetscCall(SemgDelayLagRange(PetscAbsReal(ctx->vfit_latency == SEMG_LATENCY_CHAIN ? cd[1] - cd[0] : cd[ndd - 1] - cd[0]), fs, ctx->cv_range[0], ctx->cv_range[1], &lo, &hi));
    PetscCall(SemgIZVFitLatency(ndd, nt, xd, cd, fs, (SemgLatencyType)ctx->vfit_latency, hi, iz, cv, NULL));
    if (!PetscIsNanReal(*cv) && !CVPlausible(ctx, *cv)) *cv = NAN;
    break;
  default: /* delay estimators: channels on one side of an IZ that is not reported. -window auto: the V-fit's IZ
              (its latencies follow the propagation; an RMS minimum can sit at a silent array end), else iz_sel;
              a given window: the RMS minimum of that window */
    if (!PetscIsNanReal(iz_sel)) {
      PetscReal cv_vfit;
      PetscCall(SemgDelayLagRange(PetscAbsReal(cd[ndd - 1] - cd[0]), fs, ctx->cv_range[0], ctx->cv_range[1], &lo, &hi));
      PetscCall(SemgIZVFitLatency(ndd, nt, xd, cd, fs, SEMG_LATENCY_XCORR, hi, &izc, &cv_vfit, NULL));
      if (PetscIsNanReal(izc)) izc = iz_sel;
    } else PetscCall(SemgIZMinAmplitude(nsd, nt, xs, cs, &izc, NULL));
    m = SelectCVChannels(ctx, ndd, cd, izc, sel);
    if (m < 2) break;
    ied = PetscAbsReal(cd[sel[1]] - cd[sel[0]]);
    for (PetscInt i = 0; i < m; i++) PetscCall(PetscArraycpy(w->buf + i * nt, xd + sel[i] * nt, nt));
    PetscCall(SemgDelayLagRange(ied, fs, ctx->cv_range[0], ctx->cv_range[1], &lo, &hi));
    hi = PetscMin(hi, nt - 2);
    lo = PetscMin(lo, hi);
    if (ctx->method == BL_CV_MLE) {
      PetscCall(SemgDelayMLE(w->spectra, m, nt, w->buf, lo, hi, &th, quality, NULL));
    } else { /* two-channel estimators: mean delay over neighbouring pairs */
      for (PetscInt i = 0; i + 1 < m; i++) {
        PetscReal t;
        if (ctx->method == BL_CV_XCORR) PetscCall(SemgDelayXcorr(nt, w->buf + i * nt, w->buf + (i + 1) * nt, lo, hi, &t, NULL));
        else
          PetscCall(SemgDelaySpectralRange(w->spectra, nt, w->buf + i * nt, w->buf + (i + 1) * nt, lo, hi, &t, NULL)); /* started inside the CV range (issue 18) */
        th += t / (m - 1);
      }
    }
    *cv = th > 0 ? ied * fs / th : NAN;
    if (!CVPlausible(ctx, *cv)) *cv = NAN, *quality = NAN;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Physics fit: template from the decoder options (-dec_*, as semg train), bounds from the latent ranges. */
static PetscErrorCode PhysFitSetUp(MPI_Comm comm, BaselineCtx *ctx, const SemgDataset *ds, SemgPhysFit **pfp)
{
  SemgPhysFit *pf;

  PetscFunctionBeginUser;
  PetscCall(SemgPhysFitCreate(&pf));
  PetscCall(SemgPhysFitSetTemplate(pf, &ctx->dec, &ctx->ccs));
  PetscCall(SemgPhysFitSetGeometry(pf, ds->n_electrodes, ds->electrode_xyz, ds->n_channels, ds->channel_electrode, ds->channel_weight, ds->n_times, ds->fs));
  if (ctx->dec.iz_range[1] > ctx->dec.iz_range[0]) pf->lo[0] = ctx->dec.iz_range[0], pf->hi[0] = ctx->dec.iz_range[1];
  pf->lo[1] = ctx->dec.cv_range[0], pf->hi[1] = ctx->dec.cv_range[1];
  pf->fit_depth = ctx->dec.latent_depth;
  if (pf->fit_depth) pf->lo[2] = ctx->dec.depth_range[0], pf->hi[2] = ctx->dec.depth_range[1];
  PetscCall(SemgPhysFitSetFromOptions(comm, pf));
  PetscCall(SemgPhysFitSetUp(pf));
  PetscCall(SemgDecoderUseTable(comm, pf->dec)); /* -dec_table */
  *pfp = pf;
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef enum { WINDOW_GIVEN, WINDOW_ONSET, WINDOW_STANDING } WindowKind;

/* The fallback IZ around which the delay methods choose their channels under -window auto (where the
   V-fit gives none), per column: the min-amplitude IZ on the standing-burst window, as iz_minamp reports
   it. The RMS minimum of the onset window can sit at a far array end that the potential has not reached
   yet (2048-Hz templates: channels chosen across the IZ, CV 2.3 instead of 4.4 m/s). */
static PetscErrorCode SelectionIZ(const BaselineCtx *ctx, BaselineWork *w, PetscInt nt, PetscReal llo, PetscReal lhi)
{
  PetscInt s0, s1;

  PetscFunctionBeginUser;
  PetscCall(SemgAutoWindow(w->sd->n_derived, nt, w->xs, w->sd->n_columns, w->sd->col_start, llo, lhi, 8, &s0, &s1));
  PetscCall(PetscArraycpy(w->xiz, w->xs, (size_t)w->sd->n_derived * nt));
  CropChannels(w->sd->n_derived, nt, s0, s1, w->xiz);
  for (PetscInt col = 0; col < w->sd->n_columns; col++) {
    PetscInt a = w->sd->col_start[col], nsd = w->sd->col_start[col + 1] - a;
    PetscCall(SemgIZMinAmplitudeBetween(nsd, s1 - s0, w->xiz + (size_t)a * (s1 - s0), w->sd->centre + a, ctx->minamp_frac, &w->iz_sel[col]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A classical method on one sample on one window: the given [k0, k1), the onset-anchored window or the
   standing-burst window (window.h); per electrode column, then the mean over the columns that gave an
   estimate (grids); est[2] = ML quality for cv_mle. */
static PetscErrorCode EstimateOnWindow(const BaselineCtx *ctx, BaselineWork *w, const SemgDataset *ds, const PetscReal *x, WindowKind kind, PetscInt k0, PetscInt k1, PetscReal *est)
{
  PetscInt  ntw, nused_iz = 0, nused_cv = 0;
  PetscReal iz_sum = 0, cv_sum = 0, q_sum = 0;

  PetscFunctionBeginUser;
  SemgArraysApply(w->sd, x, w->xs);
  SemgArraysApply(w->dd, x, w->xd);
  if (kind != WINDOW_GIVEN) { /* from the SD channels for every method (measured better than DD for the delay methods too) */
    const PetscReal ied = PetscAbsReal(w->sd->centre[1] - w->sd->centre[0]), llo = ied * ds->fs / ctx->cv_range[1], lhi = ied * ds->fs / ctx->cv_range[0];
    PetscInt        lag_lo, lag_hi;

    PetscCall(SemgDelayLagRange(ied, ds->fs, ctx->cv_range[0], ctx->cv_range[1], &lag_lo, &lag_hi)); /* a lag range beyond any recording is a user error, before it is cast to an index */
    if (ctx->method >= BL_CV_XCORR && ctx->method <= BL_CV_MLE) PetscCall(SelectionIZ(ctx, w, ds->n_times, llo, lhi));
    if (kind == WINDOW_STANDING)
      PetscCall(SemgAutoWindow(w->sd->n_derived, ds->n_times, w->xs, w->sd->n_columns, w->sd->col_start, llo, lhi, 8, &k0, &k1));
    else {
      const PetscInt start = (PetscInt)PetscFloorReal(ctx->onset_window[0] * ds->fs + 0.5), len = PetscMax(8, (PetscInt)PetscFloorReal(ctx->onset_window[1] * ds->fs + 0.5));
      PetscCall(SemgOnsetWindow(w->sd->n_derived, ds->n_times, w->xs, w->sd->n_columns, w->sd->col_start, llo, lhi, start, len, 8, &k0, &k1, NULL));
    }
  }
  ntw = k1 - k0;
  CropChannels(w->sd->n_derived, ds->n_times, k0, k1, w->xs);
  CropChannels(w->dd->n_derived, ds->n_times, k0, k1, w->xd);
  for (PetscInt col = 0; col < w->sd->n_columns; col++) {
    PetscInt  a = w->sd->col_start[col], b = w->dd->col_start[col];
    PetscInt  nsd = w->sd->col_start[col + 1] - a, ndd = w->dd->col_start[col + 1] - b;
    PetscReal iz, cv, q;
    PetscCall(EstimateColumn(ctx, w, ds->fs, ntw, nsd, w->xs + (size_t)a * ntw, w->sd->centre + a, ndd, w->xd + (size_t)b * ntw, w->dd->centre + b, kind == WINDOW_GIVEN ? NAN : w->iz_sel[col], &iz, &cv, &q));
    if (!PetscIsNanReal(iz)) iz_sum += iz, nused_iz++;
    if (!PetscIsNanReal(cv)) cv_sum += cv, q_sum += q, nused_cv++;
  }
  if (nused_iz) est[0] = iz_sum / nused_iz;
  if (nused_cv) est[1] = cv_sum / nused_cv;
  if (ctx->method == BL_CV_MLE && nused_cv) est[2] = q_sum / nused_cv;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A classical method on one sample. -window auto: the IZ methods on the standing-burst window; the V-fit
   and the CV methods on the onset-anchored window, and where that gives no plausible CV (e.g. a 2048-Hz
   template: its whole propagation is a few samples past the onset) on the standing-burst window. */
static PetscErrorCode EstimateClassical(const BaselineCtx *ctx, BaselineWork *w, const SemgDataset *ds, const PetscReal *x, PetscInt k0, PetscInt k1, PetscReal *est)
{
  const PetscBool  iz_only = (PetscBool)(ctx->method == BL_IZ_MINAMP || ctx->method == BL_IZ_PHASE);
  const WindowKind kind    = !ctx->window_auto ? WINDOW_GIVEN : (iz_only ? WINDOW_STANDING : WINDOW_ONSET);

  PetscFunctionBeginUser;
  PetscCall(EstimateOnWindow(ctx, w, ds, x, kind, k0, k1, est));
  if (kind == WINDOW_ONSET && PetscIsNanReal(est[1])) {
    est[0] = est[1] = NAN;
    if (ctx->method == BL_CV_MLE) est[2] = NAN; /* the only method with a third column */
    PetscCall(EstimateOnWindow(ctx, w, ds, x, WINDOW_STANDING, k0, k1, est));
  }
  if (!iz_only && PetscIsNanReal(est[1])) w->n_implausible++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Too few channels per electrode column for the method is a user error naming the file. */
static PetscErrorCode CheckChannels(MPI_Comm comm, const BaselineCtx *ctx, const BaselineWork *w, const SemgDataset *ds)
{
  PetscInt min_ch, need;

  PetscFunctionBeginUser;
  switch (ctx->method) {
  case BL_IZ_MINAMP:
  case BL_IZ_PHASE:
    min_ch = SemgArraysMinColumn(w->sd), need = 3;
    break;
  case BL_PHYSFIT:
    min_ch = ds->n_channels, need = 2;
    break;
  default:
    min_ch = PetscMin(SemgArraysMinColumn(w->dd), SemgArraysMinColumn(w->sd)), need = 4;
  }
  PetscCheck(min_ch >= need, comm, SEMG_ERR_USER, "'%s': -method %s needs at least %" PetscInt_FMT " %s channels per electrode column, the dataset gives %" PetscInt_FMT,
             ctx->data, bl_names[ctx->method], need, ctx->method == BL_PHYSFIT ? "" : (need == 3 ? SemgMontages[w->sd->montage] : SemgMontages[w->dd->montage]), min_ch);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The -physfit_init result must hold estimates of this very dataset: same number of samples and, where the
   dataset has ground truth, the same truth in every row (a content check: paths differ between copies). */
static PetscErrorCode ReadInitEstimates(MPI_Comm comm, const BaselineCtx *ctx, const SemgDataset *ds, const SemgResult *res, SemgResult **initp)
{
  SemgResult *init;
  PetscBool   same = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(SemgResultRead(comm, ctx->init, &init));
  PetscCheck(init->n_examples == ds->n_examples, comm, SEMG_ERR_USER, "-physfit_init '%s' has %lld samples, -data '%s' has %lld: not estimates of this dataset",
             ctx->init, (long long)init->n_examples, ctx->data, (long long)ds->n_examples);
  for (PetscCount i = 0; i < res->n_local && same; i++)
    for (PetscInt j = 0; j < 2; j++) {
      const PetscReal a = init->theta_true[(size_t)i * init->n_theta + j], b = res->theta_true[(size_t)i * res->n_theta + j];
      if (!(PetscIsNanReal(a) && PetscIsNanReal(b)) && a != b) same = PETSC_FALSE;
    }
  PetscCall(
    SemgCheckAllRanks(comm, same, "-physfit_init '%s': its ground truth differs from -data '%s': not estimates of this dataset", ctx->init, ctx->data));
  *initp = init;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Start of the hybrid fit from the init result's row i: IZ, CV, and depth when both fit it. PETSC_FALSE
   when the estimate is missing (NaN): that sample gets the multi-start fit. */
static PetscBool InitStart(const SemgResult *init, const SemgPhysFit *pf, PetscCount i, PetscReal *th0)
{
  const PetscReal *e = init->theta_est + (size_t)i * init->n_theta;

  th0[0] = e[0], th0[1] = e[1], th0[2] = pf->spec.depth;
  for (PetscInt j = 2; j < init->n_theta && pf->fit_depth; j++)
    if (!strcmp(init->theta_names[j], "depth") && !PetscIsNanReal(e[j])) th0[2] = e[j];
  return (PetscBool)(!PetscIsNanReal(th0[0]) && !PetscIsNanReal(th0[1]));
}

/* Physics fit (or hybrid) of sample s into its result row, with the covariance of the latents. */
static PetscErrorCode PhysFitSample(BaselineWork *w, const SemgResult *init, SemgResult *res, PetscCount s, const PetscReal *x, PetscReal *nrmse)
{
  const PetscInt   K = res->n_theta, col[SEMG_PHYSFIT_MAX_K] = {0, 1, 3}; /* result columns of the latents: iz, cv, (gain), depth */
  PetscReal       *est = res->theta_est + s * K, th[SEMG_PHYSFIT_MAX_K], th0[SEMG_PHYSFIT_MAX_K], gain, cov[SEMG_PHYSFIT_MAX_K * SEMG_PHYSFIT_MAX_K];
  PetscInt         its;
  SemgPhysFit     *pf = w->pf;
  SemgResultStatus status;

  PetscFunctionBeginUser;
  if (init && InitStart(init, pf, s, th0)) {
    PetscBool fell_back;
    PetscCall(SemgPhysFitSolveFrom(pf, x, th0, th, NULL, nrmse, &its));
    PetscCall(SemgPhysFitGetFellBack(pf, &fell_back));
    if (fell_back) w->n_fallback++;
  } else PetscCall(SemgPhysFitSolve(pf, x, th, &gain, nrmse, &its));
  PetscCall(SemgPhysFitGetStatus(pf, &status));
  res->status[s] = status;                                 /* at a bound or not converged: a failure in a study's failure share */
  PetscCall(SemgPhysFitCovariance(pf, x, th, cov, &gain)); /* the same g* */
  est[0] = th[0], est[1] = th[1], est[2] = gain;
  if (pf->fit_depth) est[3] = th[2];
  est[K - 1] = (PetscReal)its;
  for (PetscInt a = 0; a < pf->K; a++)
    for (PetscInt b = 0; b < pf->K; b++) res->theta_cov[((size_t)s * K + col[a]) * K + col[b]] = cov[a * pf->K + b];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdBaseline(MPI_Comm comm)
{
  static const char *const allowed[] = {"physfit_", "dec_", "ccs_", "unc_", NULL};
  BaselineCtx              ctx;
  BaselineWork             w;
  SemgDataset             *ds;
  SemgResult              *res, *init = NULL;
  const char              *ex_names[3], *ex_units[3];
  PetscInt                 n_extra = 0, K, k0, k1, ntw; /* result truth: filled by SemgResultCreate */
  SemgProgress             prog;
  PetscMPIInt              size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMemzero(&w, sizeof(w)));
  PetscCall(ProcessOptions(comm, &ctx));
  PetscCall(SemgOptionsRejectUnknown(comm, allowed));
  PetscCall(SemgDatasetRead(comm, ctx.data, &ds));
  /* the arrays each method needs */
  PetscCall(SemgArraysCreate(comm, ds, ctx.data, SEMG_MONTAGE_SD, &w.sd));
  PetscCall(SemgArraysCreate(comm, ds, ctx.data, SEMG_MONTAGE_DD, &w.dd));
  PetscCall(CheckChannels(comm, &ctx, &w, ds));
  PetscCall(CheckSignals(comm, &ctx, ds));
  if (ctx.method == BL_CV_MLE) ex_names[n_extra] = "ml_quality", ex_units[n_extra++] = "1";
  if (ctx.method == BL_PHYSFIT) {
    PetscCall(PhysFitSetUp(comm, &ctx, ds, &w.pf));
    ex_names[n_extra] = "gain", ex_units[n_extra++] = "1";
    if (w.pf->fit_depth) ex_names[n_extra] = "depth", ex_units[n_extra++] = "m";
    ex_names[n_extra] = "tao_its", ex_units[n_extra++] = "1";
  }
  K = 2 + n_extra;
  PetscCall(SemgResultCreate(ds, ctx.init[0] ? "hybrid" : bl_names[ctx.method], ctx.data, n_extra, ex_names, ex_units, &res));
  if (ctx.method == BL_PHYSFIT) PetscCall(SemgResultAddCovariance(res));
  if (ctx.init[0]) PetscCall(ReadInitEstimates(comm, &ctx, ds, res, &init));
  PetscCall(PetscMalloc5((size_t)w.sd->n_derived * ds->n_times, &w.xs, (size_t)w.dd->n_derived * ds->n_times, &w.xd, (size_t)SEMG_BASELINE_MAX_CV_CHANNELS * ds->n_times, &w.buf,
                         (size_t)w.sd->n_derived * ds->n_times, &w.xiz, w.sd->n_columns, &w.iz_sel));
  for (PetscInt col = 0; col < w.sd->n_columns; col++) w.iz_sel[col] = NAN;
  /* the classical methods' time window in samples */
  k0 = (PetscInt)PetscCeilReal(ctx.window[0] * ds->fs - 1e-9);
  k1 = ctx.window[1] * ds->fs >= ds->n_times ? ds->n_times : (PetscInt)PetscFloorReal(ctx.window[1] * ds->fs + 1e-9) + 1;
  k1 = PetscMin(k1, ds->n_times);
  PetscCheck(ctx.method == BL_PHYSFIT || k1 - k0 >= 8, comm, SEMG_ERR_USER, "-window %g,%g keeps %" PetscInt_FMT " of the %" PetscInt_FMT " samples of '%s' (need >= 8)",
             (double)ctx.window[0], (double)ctx.window[1], PetscMax(k1 - k0, 0), ds->n_times, ctx.data);
  ntw = k1 - k0;
  if (ctx.method == BL_CV_SPECTRAL || ctx.method == BL_CV_MLE) PetscCall(SemgSpectraCreate(ntw, &w.spectra));
  PetscCall(SemgProgressStart(comm, bl_names[ctx.method], ds->n_examples, &prog));
  for (PetscCount s = 0; s < ds->n_local; s++) {
    const PetscReal *x   = ds->data + s * (size_t)ds->n_channels * ds->n_times;
    PetscReal       *est = res->theta_est + s * K, nrmse = NAN;
    PetscLogDouble   t0, t1;

    PetscCall(PetscTime(&t0));
    for (PetscInt j = 0; j < K; j++) est[j] = NAN;
    if (ctx.method == BL_PHYSFIT) PetscCall(PhysFitSample(&w, init, res, s, x, &nrmse));
    else PetscCall(EstimateClassical(&ctx, &w, ds, x, k0, k1, est));
    PetscCall(PetscTime(&t1));
    res->seconds[s]     = t1 - t0 + (init ? init->seconds[s] : 0.0); /* hybrid: its start's cost included */
    res->recon_nrmse[s] = nrmse;
    PetscCall(SemgProgressUpdate(comm, &prog, PetscMin(ds->n_examples, (s + 1) * size))); /* rank 0 reports, ranks run in step */
  }
  PetscCall(SemgProgressEnd(comm, &prog));
  {
    long long n_bad = (long long)w.n_implausible;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &n_bad, 1, MPI_LONG_LONG, MPI_SUM, comm));
    if (n_bad && !prog.quiet)
      PetscCall(PetscPrintf(comm, "%s: %lld examples without a plausible CV (outside -cv_range %g,%g m/s, i.e. a mean delay at or beyond the lag bounds): reported as no estimate (NaN)\n",
                            bl_names[ctx.method], n_bad, (double)ctx.cv_range[0], (double)ctx.cv_range[1]));
  }
  if (init) { /* the share of unreliable starts: the hybrid's cost driver */
    long long n_fb = (long long)w.n_fallback;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &n_fb, 1, MPI_LONG_LONG, MPI_SUM, comm));
    if (!prog.quiet)
      PetscCall(PetscPrintf(comm, "hybrid: %lld of %lld samples fell back (-physfit_fallback %s)\n", n_fb, (long long)ds->n_examples,
                            SemgPhysFitFallbacks[w.pf->fallback]));
  }
  PetscCall(SemgResultWrite(comm, ctx.output, res));
  PetscCall(PetscFree5(w.xs, w.xd, w.buf, w.xiz, w.iz_sel));
  PetscCall(SemgSpectraDestroy(&w.spectra));
  PetscCall(SemgPhysFitDestroy(&w.pf));
  PetscCall(SemgArraysDestroy(&w.sd));
  PetscCall(SemgArraysDestroy(&w.dd));
  PetscCall(SemgResultDestroy(&res));
  PetscCall(SemgResultDestroy(&init));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}
