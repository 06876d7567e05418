/* semg import: CSV recordings or simulations into the semg dataset format; a continuous recording cut into
   epochs (recordings/epoch.h). */
#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "core/semg_dataset.h"
#include "estimator/recordings/commands.h"
#include "estimator/recordings/epoch.h"

typedef struct {
  char                    signals[PETSC_MAX_PATH_LEN], electrodes[PETSC_MAX_PATH_LEN], truth[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN];
  PetscBool               have_truth;
  PetscReal               fs;
  SemgMontage             montage;
  char                    units[16];
  PetscReal               epoch;         /* > 0: the signals are one continuous recording, cut into epochs of this length (s) */
  PetscBool               template_peak; /* each epoch replaced by its peak-triggered propagation template */
  SemgPeakTemplateOptions tmpl;
} ImportOptions;

static PetscErrorCode ImportProcessOptions(MPI_Comm comm, ImportOptions *o)
{
  const char *const tmodes[] = {"none", "peak"};
  PetscBool         set_s, set_e, set_fs, set_o;
  PetscInt          tmode = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->montage = SEMG_MONTAGE_MONO;
  PetscCall(PetscStrncpy(o->units, "V", sizeof(o->units)));
  PetscOptionsBegin(comm, NULL, "semg import: CSV recordings into a semg dataset", "semg");
  PetscCall(PetscOptionsString("-signals", "CSV: sample,time_s,<one column per electrode>, rows grouped by sample", "", o->signals, o->signals, sizeof(o->signals), &set_s));
  PetscCall(PetscOptionsString("-electrodes", "CSV: x,y,z[,column] in metres, same order as the signal columns", "", o->electrodes, o->electrodes, sizeof(o->electrodes), &set_e));
  PetscCall(PetscOptionsReal("-fs", "sampling frequency (Hz)", "", o->fs, &o->fs, &set_fs));
  PetscCall(PetscOptionsString("-truth", "optional CSV: sample,iz_m,cv_mps[,more columns]; empty fields = unknown", "", o->truth, o->truth, sizeof(o->truth), &o->have_truth));
  PetscCall(
    PetscOptionsEnum("-montage", "store channels as mono, sd or dd of the electrode signals", "", SemgMontages, (PetscEnum)o->montage, (PetscEnum *)&o->montage, NULL));
  PetscCall(PetscOptionsString("-units", "signal units: V, uV or a.u.", "", o->units, o->units, sizeof(o->units), NULL));
  PetscCall(PetscOptionsString("-output", "output dataset (.h5)", "", o->output, o->output, sizeof(o->output), &set_o));
  PetscCall(PetscOptionsReal("-epoch", "treat the signals as one continuous recording and cut it into epochs of this many seconds", "", o->epoch, &o->epoch, NULL));
  PetscCall(PetscOptionsEList("-template", "per epoch: none, or peak (peak-triggered average across channels, -template_* options)", "", tmodes, 2, tmodes[0], &tmode, NULL));
  PetscOptionsEnd();
  PetscCall(SemgPeakTemplateOptionsDefault(&o->tmpl));
  PetscCall(SemgPeakTemplateOptionsSetFromOptions(comm, &o->tmpl));
  o->template_peak = (PetscBool)(tmode == 1);
  PetscCheck(o->epoch >= 0 && !PetscIsNanReal(o->epoch), comm, SEMG_ERR_USER, "-epoch %g must be > 0 seconds", (double)o->epoch);
  PetscCheck(!o->template_peak || o->epoch > 0, comm, SEMG_ERR_USER, "-template peak needs -epoch SECONDS");
  PetscCheck(!(o->epoch > 0 && o->have_truth), comm, SEMG_ERR_USER, "-truth cannot be combined with -epoch (epochs of a recording have no per-sample ground truth)");
  PetscCall(SemgOptionsRequire(comm, "-signals", set_s));
  PetscCall(SemgOptionsRequire(comm, "-electrodes", set_e));
  PetscCall(SemgOptionsRequire(comm, "-fs", set_fs));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCheck(o->fs > 0 && PetscIsNormalReal(o->fs), comm, SEMG_ERR_USER, "-fs %g must be > 0", (double)o->fs);
  PetscCheck(SemgStringEndsWith(o->output, ".h5"), comm, SEMG_ERR_USER, "-output '%s' must end in .h5", o->output);
  PetscCheck(!strcmp(o->units, "V") || !strcmp(o->units, "uV") || !strcmp(o->units, "a.u."), comm, SEMG_ERR_USER, "-units '%s' must be V, uV or a.u.", o->units);
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckOutputPath(comm, "-output", o->output));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* time_s must advance by 1/fs from row to row of a sample (of the whole recording with -epoch): a
   wrong -fs, dropped rows or shuffled rows would otherwise be imported silently. 1 % tolerance for
   times printed with few digits. */
static PetscErrorCode CheckTimeColumn(MPI_Comm comm, const ImportOptions *o, const SemgCSVTable *s)
{
  const PetscReal dt = 1.0 / o->fs;

  PetscFunctionBeginUser;
  for (PetscInt r = 1; r < s->nrows; r++) {
    const PetscReal *row = &s->values[(size_t)r * s->ncols], *prev = row - s->ncols;
    if (o->epoch <= 0 && row[0] != prev[0]) continue; /* a new sample starts */
    PetscCheck(PetscAbsReal(row[1] - prev[1] - dt) <= 0.01 * dt, comm, SEMG_ERR_USER, "-signals '%s' line %" PetscInt_FMT ": time_s %g follows %g, expected a step of 1/fs = %g s (-fs %g)", s->path, r + 2, (double)row[1], (double)prev[1], (double)dt,
               (double)o->fs);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rows are grouped by sample id; every sample must have the same number of rows. */
static PetscErrorCode SignalsShape(MPI_Comm comm, const SemgCSVTable *s, PetscInt *n_examples, PetscInt *n_times)
{
  PetscInt rows = 0;

  PetscFunctionBeginUser;
  PetscCheck(s->nrows > 0, comm, SEMG_ERR_USER, "-signals '%s': no data rows", s->path);
  while (rows < s->nrows && s->values[(size_t)rows * s->ncols] == s->values[0]) rows++;
  PetscCheck(s->nrows % rows == 0, comm, SEMG_ERR_USER, "-signals '%s': %" PetscInt_FMT " rows is not a whole number of samples of %" PetscInt_FMT " rows", s->path, s->nrows, rows);
  for (PetscInt r = 0; r < s->nrows; r++)
    PetscCheck(s->values[(size_t)r * s->ncols] == s->values[(size_t)(r - r % rows) * s->ncols], comm, SEMG_ERR_USER, "-signals '%s' line %" PetscInt_FMT ": sample id changes inside a block of %" PetscInt_FMT " rows (samples must have equal length)", s->path, r + 2, rows);
  *n_times    = rows;
  *n_examples = s->nrows / rows;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ImportTruth(MPI_Comm comm, const ImportOptions *o, PetscInt n_examples, const PetscReal *sample_ids, SemgDataset *ds)
{
  SemgCSVTable t;
  PetscInt     isample;

  PetscFunctionBeginUser;
  PetscCall(SemgCSVReadAllowEmpty(comm, "-truth", o->truth, &t));
  PetscCall(SemgCSVColumn(comm, &t, "sample", PETSC_TRUE, &isample));
  PetscCheck(t.nrows == n_examples, comm, SEMG_ERR_USER, "-truth '%s' has %" PetscInt_FMT " rows, -signals has %" PetscInt_FMT " samples", o->truth, t.nrows, n_examples);
  for (PetscInt c = 0, j = 0; c < t.ncols; c++) {
    if (c == isample) continue;
    if (!strcmp(t.names[c], "iz_m")) PetscCall(SemgDatasetSetTheta(ds, j, "iz", "m"));
    else if (!strcmp(t.names[c], "cv_mps")) PetscCall(SemgDatasetSetTheta(ds, j, "cv", "m/s"));
    else PetscCall(SemgDatasetSetTheta(ds, j, t.names[c], "see source"));
    for (PetscCount i = 0; i < ds->n_local; i++) {
      const PetscInt r = (PetscInt)(ds->start + i);
      PetscCheck(t.values[(size_t)r * t.ncols + isample] == sample_ids[r], comm, SEMG_ERR_USER, "-truth '%s' line %" PetscInt_FMT ": sample %g does not match signal sample %g", o->truth, r + 2,
                 (double)t.values[(size_t)r * t.ncols + isample], (double)sample_ids[r]);
      ds->theta[(size_t)i * ds->n_theta + j] = t.values[(size_t)r * t.ncols + c];
    }
    j++;
  }
  PetscCall(SemgCSVTableFree(&t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Epochs in which the peak detector finds no trigger would become all-zero templates, i.e. fake
   examples: they are left out (and counted in the summary). Every rank decides for all epochs (the
   whole recording is on every rank), so the kept list is the same everywhere. */
static PetscErrorCode KeepTriggeredEpochs(PetscInt nc, PetscInt nrows, const PetscReal *mono, PetscInt len, PetscCount n_epochs, const ImportOptions *o, PetscReal *ep, PetscCount *n_kept, PetscCount **kept)
{
  PetscReal *scratch;
  PetscInt   ntrig;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1((size_t)nc * SemgPeakTemplateLength(&o->tmpl, o->fs), &scratch));
  PetscCall(PetscMalloc1(n_epochs, kept));
  *n_kept = 0;
  for (PetscCount k = 0; k < n_epochs; k++) {
    PetscCall(SemgEpochExtract(nc, nrows, mono, len, k, ep));
    PetscCall(SemgPeakTemplate(nc, len, ep, o->fs, &o->tmpl, scratch, &ntrig, NULL));
    if (ntrig > 0) (*kept)[(*n_kept)++] = k;
  }
  PetscCall(PetscFree(scratch));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A continuous recording (all rows, whatever their sample id) cut into epochs, optionally reduced to
   peak-triggered templates. Every rank cuts the whole recording and keeps its block of epochs. */
static PetscErrorCode ImportEpochs(MPI_Comm comm, const ImportOptions *o, const SemgCSVTable *s, PetscInt ne, const PetscReal *xyz, const PetscInt *column)
{
  SemgDataset *ds;
  PetscCount   n_epochs;
  PetscInt     len, nt, nc = SemgMontageChannelCount(o->montage, ne, column);
  PetscReal   *chan, *mono, *ep;
  SemgDataset *tmp;
  PetscInt     ntrig_total = 0, ntrig, all_trig;
  PetscCount   n_kept = 0, *kept = NULL;

  PetscFunctionBeginUser;
  PetscCall(SemgEpochCount(s->nrows, o->fs, o->epoch, &n_epochs, &len));
  nt = o->template_peak ? SemgPeakTemplateLength(&o->tmpl, o->fs) : len;
  /* channel signals, time-major, through the dataset's channel table */
  PetscCall(SemgDatasetCreate(PETSC_COMM_SELF, 0, ne, nc, s->nrows, 0, &tmp));
  PetscCall(PetscArraycpy(tmp->electrode_xyz, xyz, 3 * (size_t)ne));
  PetscCall(PetscArraycpy(tmp->electrode_column, column, ne));
  PetscCall(SemgDatasetSetMontage(tmp, o->montage));
  PetscCall(PetscMalloc3((size_t)ne * s->nrows, &mono, (size_t)nc * s->nrows, &chan, (size_t)nc * len, &ep));
  for (PetscInt k = 0; k < s->nrows; k++)
    for (PetscInt e = 0; e < ne; e++) mono[(size_t)e * s->nrows + k] = s->values[(size_t)k * s->ncols + 2 + e];
  SemgDatasetApplyChannels(tmp, mono, chan); /* channel-major */
  for (PetscInt c = 0; c < nc; c++)          /* to time-major, as SemgEpochExtract expects */
    for (PetscInt k = 0; k < s->nrows; k++) mono[(size_t)k * nc + c] = chan[(size_t)c * s->nrows + k];
  if (o->template_peak) PetscCall(KeepTriggeredEpochs(nc, s->nrows, mono, len, n_epochs, o, ep, &n_kept, &kept));
  PetscCheck(!o->template_peak || n_kept > 0, comm, SEMG_ERR_USER, "-template peak: none of the %lld epochs of -signals '%s' has a trigger above -template_threshold %g / -template_rel %g; lower them or use -template none", (long long)n_epochs, o->signals,
             (double)o->tmpl.threshold, (double)o->tmpl.rel);
  PetscCall(SemgDatasetCreate(comm, o->template_peak ? n_kept : n_epochs, ne, nc, nt, 0, &ds));
  ds->fs = o->fs;
  PetscCall(PetscStrncpy(ds->units, o->units, sizeof(ds->units)));
  PetscCall(PetscArraycpy(ds->electrode_xyz, xyz, 3 * (size_t)ne));
  PetscCall(PetscArraycpy(ds->electrode_column, column, ne));
  PetscCall(SemgDatasetSetMontage(ds, o->montage));
  for (PetscCount i = 0; i < ds->n_local; i++) {
    PetscReal *out = &ds->data[(size_t)i * nc * nt];
    PetscCall(SemgEpochExtract(nc, s->nrows, mono, len, o->template_peak ? kept[ds->start + i] : ds->start + i, o->template_peak ? ep : out));
    if (o->template_peak) {
      PetscCall(SemgPeakTemplate(nc, len, ep, o->fs, &o->tmpl, out, &ntrig, NULL));
      ntrig_total += ntrig;
    }
  }
  PetscCallMPI(MPI_Allreduce(&ntrig_total, &all_trig, 1, MPIU_INT, MPI_SUM, comm));
  PetscCall(SemgDatasetWrite(comm, o->output, ds));
  PetscCall(PetscPrintf(comm, "semg import: %g s continuous recording -> %lld epochs of %g s%s, %" PetscInt_FMT " %s channels x %" PetscInt_FMT " times -> %s\n", (double)(s->nrows / o->fs), (long long)n_epochs,
                        (double)o->epoch, o->template_peak ? " as peak-triggered templates" : "", nc, SemgMontages[o->montage], nt, o->output));
  if (o->template_peak)
    PetscCall(PetscPrintf(comm, "semg import: %" PetscInt_FMT " triggers averaged over %lld epochs; %lld of %lld epochs had no trigger and were left out\n", all_trig, (long long)n_kept, (long long)(n_epochs - n_kept), (long long)n_epochs));
  PetscCall(PetscFree(kept));
  PetscCall(PetscFree3(mono, chan, ep));
  PetscCall(SemgDatasetDestroy(&tmp));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdImport(MPI_Comm comm)
{
  ImportOptions o;
  SemgCSVTable  s;
  SemgDataset  *ds;
  PetscInt      ne, nx, nt, nc, *column, n_truth = 0;
  PetscReal    *xyz, *ids, *mono;

  PetscFunctionBeginUser;
  PetscCall(ImportProcessOptions(comm, &o));
  PetscCall(SemgElectrodesReadCSV(comm, "-electrodes", o.electrodes, &ne, &xyz, &column));
  PetscCall(SemgCSVRead(comm, "-signals", o.signals, &s));
  PetscCheck(s.ncols >= 3 && !strcmp(s.names[0], "sample") && !strcmp(s.names[1], "time_s"), comm, SEMG_ERR_USER, "-signals '%s': header must start with sample,time_s then one column per electrode", o.signals);
  PetscCheck(s.ncols - 2 == ne, comm, SEMG_ERR_USER, "-signals '%s' has %" PetscInt_FMT " signal columns, -electrodes '%s' has %" PetscInt_FMT " electrodes", o.signals, s.ncols - 2, o.electrodes, ne);
  PetscCall(CheckTimeColumn(comm, &o, &s));
  if (o.epoch > 0) {
    PetscCall(ImportEpochs(comm, &o, &s, ne, xyz, column));
    PetscCall(SemgCSVTableFree(&s));
    PetscCall(PetscFree(xyz));
    PetscCall(PetscFree(column));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(SignalsShape(comm, &s, &nx, &nt));
  nc = SemgMontageChannelCount(o.montage, ne, column);
  PetscCheck(nc > 0, comm, SEMG_ERR_USER, "-montage %s needs more electrodes per column", SemgMontages[o.montage]);
  if (o.have_truth) {
    SemgCSVTable t;
    PetscCall(SemgCSVReadAllowEmpty(comm, "-truth", o.truth, &t));
    n_truth = t.ncols - 1;
    PetscCall(SemgCSVTableFree(&t));
  }
  PetscCall(SemgDatasetCreate(comm, nx, ne, nc, nt, n_truth, &ds));
  ds->fs = o.fs;
  PetscCall(PetscStrncpy(ds->units, o.units, sizeof(ds->units)));
  PetscCall(PetscArraycpy(ds->electrode_xyz, xyz, 3 * (size_t)ne));
  PetscCall(PetscArraycpy(ds->electrode_column, column, ne));
  PetscCall(SemgDatasetSetMontage(ds, o.montage));
  PetscCall(PetscMalloc2(nx, &ids, (size_t)ne * nt, &mono));
  for (PetscInt i = 0; i < nx; i++) ids[i] = s.values[(size_t)i * nt * s.ncols];
  for (PetscCount i = 0; i < ds->n_local; i++) {
    const PetscInt first = (PetscInt)(ds->start + i) * nt;
    for (PetscInt k = 0; k < nt; k++)
      for (PetscInt e = 0; e < ne; e++) mono[(size_t)e * nt + k] = s.values[(size_t)(first + k) * s.ncols + 2 + e];
    SemgDatasetApplyChannels(ds, mono, &ds->data[(size_t)i * nc * nt]);
  }
  if (o.have_truth) PetscCall(ImportTruth(comm, &o, nx, ids, ds));
  PetscCall(SemgDatasetWrite(comm, o.output, ds));
  PetscCall(PetscPrintf(comm, "semg import: %" PetscInt_FMT " samples x %" PetscInt_FMT " %s channels x %" PetscInt_FMT " times%s -> %s\n", nx, nc, SemgMontages[o.montage], nt, o.have_truth ? " with truth" : "", o.output));
  PetscCall(PetscFree2(ids, mono));
  PetscCall(SemgCSVTableFree(&s));
  PetscCall(PetscFree(xyz));
  PetscCall(PetscFree(column));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}
