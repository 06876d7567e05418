/* semg templates: a continuous recording (one example of a semg dataset: semg record, or semg import of
   a single-sample CSV) cut into epochs, each reduced to the propagation template of its dominant motor
   unit (templates.h). Epochs without a usable template are reported and left out. With the per-unit
   truth of semg record, each template is matched to the unit whose firings its discharges fall on and
   scored against that unit's true MUAP; its IZ and CV become the epoch's ground truth.
   Ranks take epochs round-robin; results are combined by sums of disjoint rows (rank-invariant). */
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_dataset.h"
#include "core/semg_csv.h"
#include "estimator/commands.h"
#include "sim/recording.h"
#include "estimator/baselines/arrays.h"
#include "estimator/templates/templates.h"
#include "estimator/templates/screen.h"
#include "estimator/templates/detect.h"

/* Per-epoch columns (the ground truth of the output dataset, in this order). */
enum {
  EP_IZ,
  EP_CV,
  EP_UNIT,
  EP_MUAP_CORR,
  EP_MATCH,
  EP_EPOCH,
  EP_T0,
  EP_TRIGGERS,
  EP_CONSISTENCY,
  EP_DETECTED,
  EP_USABLE,
  EP_SNR,
  EP_ISI_COV,
  EP_COUNT
};
static const char *const ep_names[] = {"iz",         "cv",          "unit",       "muap_corr", "match", "epoch",  "t_start",
                                       "n_triggers", "consistency", "n_detected", "usable",    "snr",   "isi_cov"};
static const char *const ep_units[] = {"m", "m/s", "1", "1", "1", "1", "s", "1", "1", "1", "1", "1", "1"};

typedef struct {
  char                data[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN], report[PETSC_MAX_PATH_LEN], truth_output[PETSC_MAX_PATH_LEN];
  PetscBool           have_report, have_truth_output;
  PetscReal           epoch;
  SemgTemplateOptions tmpl;
  SemgScreenOptions   screen;
} TemplatesOptions;

static PetscErrorCode TemplatesProcessOptions(MPI_Comm comm, TemplatesOptions *o)
{
  PetscBool set_d, set_o;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->epoch = 2.0; /* 1 s holds too few discharges at 30 % MVC for a template of correlation 0.9 (docs/recordings.md) */
  PetscCall(SemgTemplateOptionsDefault(&o->tmpl));
  PetscCall(SemgScreenOptionsDefault(&o->screen));
  PetscOptionsBegin(comm, NULL, "semg templates: per-epoch templates of the dominant motor unit of a continuous recording", "semg");
  PetscCall(PetscOptionsString("-data", "continuous recording (.h5 dataset with one example: semg record, semg import)", "", o->data, o->data, sizeof(o->data), &set_d));
  PetscCall(PetscOptionsString("-output", "templates dataset (.h5), one example per epoch with a usable template", "", o->output, o->output, sizeof(o->output), &set_o));
  PetscCall(PetscOptionsString("-report", "optional CSV: one row per epoch (usable or not) with its quality and truth", "", o->report, o->report, sizeof(o->report), &o->have_report));
  PetscCall(PetscOptionsString("-truth_output", "optional dataset (.h5): for each template, the true MUAP of its matched unit at the same alignment (recordings of semg record)", "", o->truth_output, o->truth_output, sizeof(o->truth_output), &o->have_truth_output));
  PetscCall(PetscOptionsReal("-epoch", "epoch length (s)", "", o->epoch, &o->epoch, NULL));
  PetscCall(PetscOptionsReal("-screen_saturated", "share of samples at a channel's extreme value that marks it saturated", "", o->screen.saturated_share,
                             &o->screen.saturated_share, NULL));
  PetscCall(PetscOptionsReal("-screen_noise_corr", "best |correlation| with a column neighbour below which a channel is noise only", "", o->screen.noise_corr,
                             &o->screen.noise_corr, NULL));
  PetscCall(SemgTemplateOptionsSet(PetscOptionsObject, &o->tmpl));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRequire(comm, "-data", set_d));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCheck(SemgStringEndsWith(o->output, ".h5"), comm, SEMG_ERR_USER, "-output '%s' must end in .h5", o->output);
  PetscCheck(o->epoch > 0 && PetscIsNormalReal(o->epoch), comm, SEMG_ERR_USER, "-epoch %g must be > 0 seconds", (double)o->epoch);
  PetscCheck(o->screen.saturated_share > 0 && o->screen.noise_corr >= 0 && o->screen.noise_corr < 1, comm, SEMG_ERR_USER, "-screen_saturated > 0 and 0 <= -screen_noise_corr < 1 required");
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckInputPath(comm, "-data", o->data));
  PetscCall(SemgCheckOutputPath(comm, "-output", o->output));
  if (o->have_report) PetscCall(SemgCheckOutputPath(comm, "-report", o->report));
  if (o->have_truth_output) PetscCall(SemgCheckOutputPath(comm, "-truth_output", o->truth_output));
  PetscCheck(!o->have_truth_output || SemgStringEndsWith(o->truth_output, ".h5"), comm, SEMG_ERR_USER, "-truth_output '%s' must end in .h5", o->truth_output);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A copy of the dataset's geometry for signals of nt samples (the arrays derive channels at that length). */
static PetscErrorCode ArraysAt(MPI_Comm comm, const SemgDataset *ds, const char path[], SemgMontage want, PetscInt nt, SemgArrays **arr)
{
  SemgDataset shape = *ds;

  PetscFunctionBeginUser;
  shape.n_times = nt;
  PetscCall(SemgArraysCreate(comm, &shape, path, want, arr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  const SemgRecordingTruth *t;
  SemgArrays               *sd_muap, *sd_tmpl;
  PetscInt                 *lat;   /* per unit: sample of the largest DD energy of its MUAP after its firing */
  PetscReal                *sd_mu; /* per unit: SD channels of its MUAP */
} TruthMatch;

static PetscErrorCode TruthMatchCreate(MPI_Comm comm, const SemgDataset *ds, const char path[], const SemgRecordingTruth *t, const SemgTemplateOptions *o, TruthMatch *m)
{
  SemgArrays    *dd;
  PetscReal     *dmu, *e;
  const PetscInt nm = t->n_muap;

  PetscFunctionBeginUser;
  m->t = t;
  PetscCheck(t->n_channels == ds->n_channels, comm, SEMG_ERR_USER, "-data '%s': /ground_truth/muap has %" PetscInt_FMT " channels, /emg/data %" PetscInt_FMT, path, t->n_channels, ds->n_channels);
  PetscCall(ArraysAt(comm, ds, path, SEMG_MONTAGE_DD, nm, &dd));
  PetscCall(ArraysAt(comm, ds, path, SEMG_MONTAGE_SD, nm, &m->sd_muap));
  PetscCall(ArraysAt(comm, ds, path, SEMG_MONTAGE_SD, SemgTemplateLength(o, ds->fs), &m->sd_tmpl));
  PetscCall(PetscMalloc2(t->n_units, &m->lat, (size_t)t->n_units * m->sd_muap->n_derived * nm, &m->sd_mu));
  PetscCall(PetscMalloc2((size_t)dd->n_derived * nm, &dmu, nm, &e));
  for (PetscInt u = 0; u < t->n_units; u++) {
    const PetscReal *mu = t->muap + (size_t)u * t->n_channels * nm;
    SemgArraysApply(dd, mu, dmu);
    SemgArraysApply(m->sd_muap, mu, m->sd_mu + (size_t)u * m->sd_muap->n_derived * nm);
    PetscCall(SemgArrayEnergy(dd->n_derived, nm, dmu, PetscMax(1, (PetscInt)(o->half_width * ds->fs + 0.5) / 4), e));
    m->lat[u] = 0;
    for (PetscInt k = 1; k < nm; k++)
      if (e[k] > e[m->lat[u]]) m->lat[u] = k;
  }
  PetscCall(PetscFree2(dmu, e));
  PetscCall(SemgArraysDestroy(&dd));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TruthMatchDestroy(TruthMatch *m)
{
  PetscFunctionBeginUser;
  if (!m->t) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree2(m->lat, m->sd_mu));
  PetscCall(SemgArraysDestroy(&m->sd_muap));
  PetscCall(SemgArraysDestroy(&m->sd_tmpl));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The unit whose firings the discharges k0 + trig[i] fall on: per unit the count of discharges within
   1 ms of a firing shifted by its MUAP's energy latency plus a lag of up to +-2 ms, at the unit's best lag
   (a MUAP whose array energy has two near-equal maxima, the CCS generation transient and the
   propagation, is anchored at either: a fixed latency missed such units). Then the best cosine similarity
   (lags -+2 ms around that latency) of the template's SD channels with the unit's true SD MUAP. */
static PetscErrorCode TruthMatchEpoch(const TruthMatch *m, PetscReal fs, PetscInt npre, PetscInt len, PetscCount k0, PetscInt ntrig, const PetscInt *trig, const PetscReal *tmpl, PetscReal *row, PetscReal *true_tmpl)
{
  PetscInt                  bestlag = 0;
  const SemgRecordingTruth *t       = m->t;
  const PetscInt tol = (PetscInt)(0.001 * fs + 0.5), maxlag = (PetscInt)(0.002 * fs + 0.5), nl = 2 * maxlag + 1, nm = t->n_muap, ns = m->sd_tmpl->n_derived;
  PetscInt  *count, best = 0, best_count = 0, fire_lag = 0;
  PetscReal *st, cmax = -1;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1((size_t)t->n_units * nl, &count));
  for (PetscInt f = 0; f < t->n_firings; f++) {
    const PetscInt  u  = (PetscInt)t->firings[2 * f];
    const PetscReal kf = PetscFloorReal(t->firings[2 * f + 1] * fs + 0.5) + m->lat[u];
    if (!ntrig || kf < (PetscReal)(k0 + trig[0]) - maxlag - tol || kf > (PetscReal)(k0 + trig[ntrig - 1]) + maxlag + tol)
      continue; /* trig is sorted */
    for (PetscInt i = 0; i < ntrig; i++)
      for (PetscInt l = 0; l < nl; l++)
        if (PetscAbsReal((PetscReal)(k0 + trig[i]) - kf - (l - maxlag)) <= tol) count[(size_t)u * nl + l]++;
  }
  for (PetscInt u = 0; u < t->n_units; u++)
    for (PetscInt l = 0; l < nl; l++)
      if (count[(size_t)u * nl + l] > best_count) best_count = count[(size_t)u * nl + l], best = u, fire_lag = l - maxlag;
  PetscCall(PetscMalloc1((size_t)ns * len, &st));
  SemgArraysApply(m->sd_tmpl, tmpl, st);
  for (PetscInt lag = -maxlag; lag <= maxlag; lag++) {
    const PetscReal *mu = m->sd_mu + (size_t)best * ns * nm;
    PetscReal        ab = 0, aa = 0, bb = 0;
    for (PetscInt c = 0; c < ns; c++)
      for (PetscInt j = 0; j < len; j++) {
        const PetscInt  k = j - npre + m->lat[best] + fire_lag + lag;
        const PetscReal a = st[(size_t)c * len + j], b = (k >= 0 && k < nm) ? mu[(size_t)c * nm + k] : 0.0;
        ab += a * b, aa += a * a, bb += b * b;
      }
    if (aa > 0 && bb > 0 && ab / PetscSqrtReal(aa * bb) > cmax) cmax = ab / PetscSqrtReal(aa * bb), bestlag = lag;
  }
  /* the unit's true MUAP in the stored channels at the template's alignment: the single-unit reference */
  for (PetscInt c = 0; c < t->n_channels; c++)
    for (PetscInt j = 0; j < len; j++) {
      const PetscInt k               = j - npre + m->lat[best] + fire_lag + bestlag;
      true_tmpl[(size_t)c * len + j] = (k >= 0 && k < nm) ? t->muap[((size_t)best * t->n_channels + c) * nm + k] : 0.0;
    }
  row[EP_UNIT]      = t->units[(size_t)best * SEMG_UNIT_COUNT + SEMG_UNIT_INDEX];
  row[EP_IZ]        = t->units[(size_t)best * SEMG_UNIT_COUNT + SEMG_UNIT_IZ];
  row[EP_CV]        = t->units[(size_t)best * SEMG_UNIT_COUNT + SEMG_UNIT_CV];
  row[EP_MATCH]     = ntrig ? (PetscReal)best_count / ntrig : 0;
  row[EP_MUAP_CORR] = cmax;
  PetscCall(PetscFree(st));
  PetscCall(PetscFree(count));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Flat, saturated and noise-only channels: reported, then replaced by their column neighbours. */
static PetscErrorCode ScreenRecording(MPI_Comm comm, const TemplatesOptions *o, SemgDataset *ds)
{
  SemgChannelStatus *status;
  PetscInt          *column, nbad = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(ds->n_channels, &status, ds->n_channels, &column));
  for (PetscInt c = 0; c < ds->n_channels; c++) column[c] = ds->electrode_column[ds->channel_electrode[3 * c]];
  PetscCall(SemgScreenChannels(&o->screen, ds->n_channels, ds->n_times, ds->data, column, status));
  for (PetscInt c = 0; c < ds->n_channels; c++)
    if (status[c] != SEMG_CHANNEL_OK) {
      PetscCall(PetscPrintf(comm, "semg templates: channel %" PetscInt_FMT " of '%s' excluded (%s), replaced by the mean of its column neighbours\n", c + 1, o->data, SemgChannelStatusNames[status[c]]));
      nbad++;
    }
  PetscCheck(4 * nbad <= ds->n_channels, comm, SEMG_ERR_USER, "-data '%s': %" PetscInt_FMT " of %" PetscInt_FMT " channels are flat, saturated or noise only (more than a quarter)", o->data, nbad, ds->n_channels);
  PetscCall(SemgScreenRepair(ds->n_channels, ds->n_times, ds->data, column, status));
  PetscCall(PetscFree2(status, column));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteReport(MPI_Comm comm, const char path[], PetscCount n, const PetscReal *rows)
{
  PetscMPIInt rank;
  FILE       *fp;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    PetscCall(SemgCSVOpen(path, &fp));
    for (int j = 0; j < EP_COUNT; j++) fprintf(fp, "%s%s", ep_names[j], j + 1 < EP_COUNT ? "," : "\n");
    for (PetscCount i = 0; i < n; i++)
      for (int j = 0; j < EP_COUNT; j++) {
        const PetscReal v = rows[(size_t)i * EP_COUNT + j];
        if (PetscIsNanReal(v)) fprintf(fp, "%s", j + 1 < EP_COUNT ? "," : "\n");
        else fprintf(fp, "%.9g%s", (double)v, j + 1 < EP_COUNT ? "," : "\n");
      }
    PetscCall(SemgCSVClose(path, &fp));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The usable epochs' signals (n_ep x nc x tl, rows say which) as a dataset with the per-epoch columns as truth. */
static PetscErrorCode WriteEpochs(MPI_Comm comm, const char path[], const SemgDataset *ds, PetscCount n_ep, PetscCount n_ok, PetscInt tl, const PetscReal *rows, const PetscReal *sig)
{
  const PetscInt nc = ds->n_channels;
  SemgDataset   *out;

  PetscFunctionBeginUser;
  PetscCall(SemgDatasetCreate(comm, n_ok, ds->n_electrodes, nc, tl, EP_COUNT, &out));
  out->fs = ds->fs;
  PetscCall(PetscStrncpy(out->units, ds->units, sizeof(out->units)));
  PetscCall(PetscArraycpy(out->electrode_xyz, ds->electrode_xyz, 3 * (size_t)ds->n_electrodes));
  PetscCall(PetscArraycpy(out->electrode_column, ds->electrode_column, ds->n_electrodes));
  PetscCall(SemgDatasetSetMontage(out, ds->montage));
  for (int j = 0; j < EP_COUNT; j++) PetscCall(SemgDatasetSetTheta(out, j, ep_names[j], ep_units[j]));
  for (PetscCount i = 0, k = 0; i < n_ep; i++) {
    if (!(rows[(size_t)i * EP_COUNT + EP_USABLE] > 0)) continue;
    if (k >= out->start && k < out->start + out->n_local) {
      PetscCall(PetscArraycpy(out->data + (size_t)(k - out->start) * nc * tl, sig + (size_t)i * nc * tl, (size_t)nc * tl));
      PetscCall(PetscArraycpy(out->theta + (size_t)(k - out->start) * EP_COUNT, rows + (size_t)i * EP_COUNT, EP_COUNT));
    }
    k++;
  }
  PetscCall(SemgDatasetWrite(comm, path, out));
  PetscCall(SemgDatasetDestroy(&out));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdTemplates(MPI_Comm comm)
{
  TemplatesOptions    o;
  SemgDataset        *ds;
  SemgRecordingTruth *truth;
  TruthMatch          tm;
  SemgArrays         *dd;
  PetscCount          n_ep, n_ok = 0;
  PetscInt            len, tl, npre, nc, *trig;
  PetscReal          *rows, *tmpls, *ttmpls, *ep, *d;
  PetscMPIInt         rank, size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(TemplatesProcessOptions(comm, &o));
  PetscCall(SemgDatasetReadAll(comm, o.data, &ds));
  PetscCheck(ds->n_examples == 1, comm, SEMG_ERR_USER, "-data '%s' has %lld examples: semg templates needs one continuous recording (semg record, or semg import of a CSV whose rows are all one sample)", o.data,
             (long long)ds->n_examples);
  nc   = ds->n_channels;
  len  = (PetscInt)PetscFloorReal(o.epoch * ds->fs + 0.5);
  n_ep = len > 0 ? ds->n_times / len : 0;
  PetscCheck(n_ep >= 1, comm, SEMG_ERR_USER, "-data '%s': the recording (%g s) is shorter than one epoch of %g s", o.data, (double)(ds->n_times / ds->fs),
             (double)o.epoch);
  tl   = SemgTemplateLength(&o.tmpl, ds->fs);
  npre = SemgTemplatePreSamples(&o.tmpl, ds->fs);
  PetscCheck(tl + 2 * o.tmpl.dead * ds->fs < len, comm, SEMG_ERR_USER, "-epoch %g s is too short for the template window (-template_pre + -template_post = %g s)",
             (double)o.epoch, (double)(o.tmpl.pre + o.tmpl.post));
  PetscCall(ScreenRecording(comm, &o, ds));
  PetscCall(SemgRecordingTruthRead(comm, o.data, &truth));
  PetscCall(PetscMemzero(&tm, sizeof(tm)));
  if (truth) PetscCall(TruthMatchCreate(comm, ds, o.data, truth, &o.tmpl, &tm));
  PetscCall(ArraysAt(comm, ds, o.data, SEMG_MONTAGE_DD, len, &dd));
  PetscCheck(SemgArraysMinColumn(dd) >= 2, comm, SEMG_ERR_USER, "-data '%s': templates need at least 2 double-differential channels per electrode column", o.data);
  PetscCheck(!o.have_truth_output || truth, comm, SEMG_ERR_USER, "-truth_output needs a recording with per-unit ground truth (semg record); '%s' has none", o.data);
  PetscCall(PetscCalloc3((size_t)n_ep * EP_COUNT, &rows, (size_t)n_ep * nc * tl, &tmpls, (size_t)n_ep * nc * tl, &ttmpls));
  PetscCall(PetscMalloc3((size_t)nc * len, &ep, (size_t)dd->n_derived * len, &d, len, &trig));
  for (PetscCount i = rank; i < n_ep; i += size) {
    SemgTemplateQuality q;
    PetscReal          *row = rows + (size_t)i * EP_COUNT, *tp = tmpls + (size_t)i * nc * tl;
    for (PetscInt c = 0; c < nc; c++) PetscCall(PetscArraycpy(ep + (size_t)c * len, ds->data + (size_t)c * ds->n_times + (size_t)i * len, len));
    SemgArraysApply(dd, ep, d);
    PetscCall(SemgTemplateEpoch(&o.tmpl, ds->fs, len, dd->n_derived, d, nc, ep, tp, trig, &q));
    row[EP_IZ] = row[EP_CV] = row[EP_UNIT] = row[EP_MUAP_CORR] = row[EP_MATCH] = NAN;
    row[EP_EPOCH] = (PetscReal)i, row[EP_T0] = (PetscReal)(i * len) / ds->fs, row[EP_TRIGGERS] = q.n_triggers, row[EP_CONSISTENCY] = q.consistency;
    row[EP_DETECTED] = q.n_detected, row[EP_USABLE] = q.usable, row[EP_SNR] = q.usable ? q.snr : NAN, row[EP_ISI_COV] = q.usable ? q.isi_cov : NAN;
    if (q.usable && truth) PetscCall(TruthMatchEpoch(&tm, ds->fs, npre, tl, i * len, q.n_triggers, trig, tp, row, ttmpls + (size_t)i * nc * tl));
  }
  /* other ranks' rows are zero: NaN would not survive the sum, so mark them and restore after */
  for (PetscCount i = 0; i < n_ep; i++)
    if ((PetscMPIInt)(i % size) != rank)
      for (int j = 0; j < EP_COUNT; j++) rows[(size_t)i * EP_COUNT + j] = 0;
    else
      for (int j = 0; j < EP_COUNT; j++)
        if (PetscIsNanReal(rows[(size_t)i * EP_COUNT + j])) rows[(size_t)i * EP_COUNT + j] = PETSC_MAX_REAL;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, rows, (PetscMPIInt)(n_ep * EP_COUNT), MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, tmpls, (PetscMPIInt)((size_t)n_ep * nc * tl), MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, ttmpls, (PetscMPIInt)((size_t)n_ep * nc * tl), MPIU_REAL, MPI_SUM, comm));
  for (size_t i = 0; i < (size_t)n_ep * EP_COUNT; i++)
    if (rows[i] == PETSC_MAX_REAL) rows[i] = NAN;
  for (PetscCount i = 0; i < n_ep; i++) n_ok += rows[(size_t)i * EP_COUNT + EP_USABLE] > 0;
  if (o.have_report) PetscCall(WriteReport(comm, o.report, n_ep, rows));
  PetscCheck(n_ok > 0, comm, SEMG_ERR_USER, "-data '%s': none of its %lld epochs of %g s gives a usable template (at least %" PetscInt_FMT " consistent discharges of one unit); nothing written to %s", o.data, (long long)n_ep,
             (double)o.epoch, o.tmpl.min_triggers, o.output);
  PetscCall(WriteEpochs(comm, o.output, ds, n_ep, n_ok, tl, rows, tmpls));
  if (o.have_truth_output) PetscCall(WriteEpochs(comm, o.truth_output, ds, n_ep, n_ok, tl, rows, ttmpls));
  PetscCall(PetscPrintf(comm, "semg templates: %lld epochs of %g s: %lld with a template, %lld without (left out) -> %s\n", (long long)n_ep, (double)o.epoch, (long long)n_ok, (long long)(n_ep - n_ok), o.output));
  PetscCall(PetscFree3(ep, d, trig));
  PetscCall(PetscFree3(rows, tmpls, ttmpls));
  PetscCall(SemgArraysDestroy(&dd));
  PetscCall(TruthMatchDestroy(&tm));
  PetscCall(SemgRecordingTruthDestroy(&truth));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}
