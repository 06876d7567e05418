/* semg report: report.md of a study (provenance, tables, plots, the answer paragraph) from its
   metrics.csv, its index (result and model files) and its step logs. Run in the results folder. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <hdf5.h>
#include "semg_version.h"
#include "core/semg_error.h"
#include "core/semg_csv.h"
#include "core/semg_options.h"
#include "analysis/report.h"

typedef struct {
  char      index[PETSC_MAX_PATH_LEN], metrics[PETSC_MAX_PATH_LEN], spec[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN], preset[16];
  PetscReal compare[2];
  PetscBool has_compare;
} ReportCtx;

static PetscErrorCode ProcessOptions(MPI_Comm comm, ReportCtx *c)
{
  PetscBool set_i, set_m, set_o;
  PetscInt  nc = 2;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "semg report: plots and report.md of a study", "semg");
  PetscCall(PetscOptionsString("-index", "study index (index.tsv)", "", c->index, c->index, sizeof(c->index), &set_i));
  PetscCall(PetscOptionsString("-metrics", "metrics table of semg collect", "", c->metrics, c->metrics, sizeof(c->metrics), &set_m));
  PetscCall(PetscOptionsString("-spec", "the study's spec (quoted in the provenance)", "", c->spec, c->spec, sizeof(c->spec), NULL));
  PetscCall(PetscOptionsString("-preset", "the preset that was run", "", c->preset, c->preset, sizeof(c->preset), NULL));
  PetscCall(PetscOptionsString("-output", "report (Markdown; plots go to plots/ beside it)", "", c->output, c->output, sizeof(c->output), &set_o));
  PetscCall(PetscOptionsRealArray("-compare", "published IZ MAE (mm), CV MAE (m/s) to set beside the autoencoder's figures", "", c->compare, &nc, &c->has_compare));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRejectUnknown(comm, NULL)); /* -help stops here */
  PetscCall(SemgOptionsRequire(comm, "-index", set_i));
  PetscCall(SemgOptionsRequire(comm, "-metrics", set_m));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCheck(!c->has_compare || nc == 2, comm, SEMG_ERR_USER, "-compare needs two values: IZ MAE (mm), CV MAE (m/s)");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscBool SemgReportEstimates(const char est[], const char q[])
{
  if (!strncmp(est, "iz_", 3)) return (PetscBool)!strcmp(q, "IZ");
  if (!strncmp(est, "cv_", 3)) return (PetscBool)!strcmp(q, "CV");
  return PETSC_TRUE;
}

static PetscBool Trained(const SemgReport *R, const char est[])
{
  for (PetscInt i = 0; i < R->t.n; i++)
    if (!strcmp(R->t.row[i].estimator, est) && !strcmp(R->t.row[i].seed, "all")) return PETSC_TRUE;
  return PETSC_FALSE;
}

void SemgReportConditionLabel(const SemgReport *R, PetscInt a, PetscInt l, char *buf, size_t n)
{
  const char *u = R->axis[a].unit;
  if (!l) PetscSNPrintf(buf, n, "reference");
  else PetscSNPrintf(buf, n, "%s = %s%s%s", R->axis[a].name, R->axis[a].label[l], strcmp(u, "-") ? " " : "", strcmp(u, "-") ? u : "");
}

void SemgReportValue(const SemgReport *R, const char axis[], PetscInt level, const char est[], const char metric[], double *v, double *lo, double *hi)
{
  const SemgMetricRow *r = SemgMetricFind(&R->t, axis, level, est, Trained(R, est) ? "all" : "-", metric);

  *v = *lo = *hi = NAN;
  if (!r) return;
  *v = r->est, *lo = r->lo, *hi = r->hi;
  if (Trained(R, est) && !isfinite(r->lo)) {
    const SemgMetricRow *s = SemgMetricFind(&R->t, axis, level, est, "s1", metric);
    if (s) *lo = s->lo, *hi = s->hi;
  }
}

void SemgSensitivityCompute(PetscInt n, const double v[], const double m[], const char *const labels[], SemgSensitivity *s)
{
  PetscInt  order[SEMG_REPORT_MAX_LEVELS];
  double    sev[SEMG_REPORT_MAX_LEVELS], psev = 0, pm;
  PetscBool numeric = (PetscBool)isfinite(v[0]);

  s->mae0 = m[0], s->mae_last = NAN, s->mae_worst = m[0], s->doubling = NAN, s->slope0 = NAN;
  PetscStrncpy(s->doubling_label, "-", sizeof(s->doubling_label));
  for (PetscInt l = 1; l < n; l++) {
    numeric  = (PetscBool)(numeric && isfinite(v[l]));
    order[l] = l;
  }
  /* severity: distance from the reference value on numeric axes, else the listed order */
  for (PetscInt l = 1; l < n; l++) sev[l] = numeric ? fabs(v[l] - v[0]) : (double)l;
  for (PetscInt i = 2; i < n; i++)
    for (PetscInt j = i; j > 1 && sev[order[j]] < sev[order[j - 1]]; j--) {
      PetscInt t   = order[j];
      order[j]     = order[j - 1];
      order[j - 1] = t;
    }
  if (n < 2 || !isfinite(m[0])) return;
  s->mae_last = m[order[n - 1]];
  for (PetscInt l = 1; l < n; l++)
    if (isfinite(m[l]) && m[l] > s->mae_worst) s->mae_worst = m[l];
  if (numeric && isfinite(m[order[1]])) s->slope0 = (m[order[1]] - m[0]) / sev[order[1]];
  pm = m[0];
  for (PetscInt i = 1; i < n; i++) {
    const PetscInt l = order[i];
    if (!isfinite(m[l])) continue;
    if (m[l] >= 2 * m[0]) {
      if (numeric) {
        s->doubling = psev + (2 * m[0] - pm) / (m[l] - pm) * (sev[l] - psev);
        PetscSNPrintf(s->doubling_label, sizeof(s->doubling_label), "%.3g", s->doubling);
      } else PetscStrncpy(s->doubling_label, labels[l], sizeof(s->doubling_label));
      return;
    }
    psev = sev[l], pm = m[l];
  }
}

/* Axes, levels, estimators and models in the order of metrics.csv and the index. */
static PetscErrorCode Load(const ReportCtx *c, SemgReport *R)
{
  SemgIndexRow *ix;
  PetscInt      nix;

  PetscFunctionBeginUser;
  PetscCall(SemgMetricReadCSV(c->metrics, &R->t));
  PetscCall(SemgIndexRead(c->index, &nix, &ix));
  for (PetscInt i = 0; i < nix; i++) {
    PetscInt a, e;
    if (!strcmp(ix[i].kind, "model")) {
      if (R->n_models < 64) PetscCall(PetscStrncpy(R->model[R->n_models++], ix[i].file, 256));
      continue;
    }
    for (a = 0; a < R->n_axes && strcmp(R->axis[a].name, ix[i].axis); a++) { }
    if (a == R->n_axes) {
      PetscCheck(a < SEMG_REPORT_MAX_AXES, PETSC_COMM_SELF, SEMG_ERR_USER, "-index: more than %d axes", SEMG_REPORT_MAX_AXES);
      PetscCall(PetscStrncpy(R->axis[a].name, ix[i].axis, sizeof(R->axis[a].name)));
      PetscCall(PetscStrncpy(R->axis[a].unit, ix[i].unit, sizeof(R->axis[a].unit)));
      R->n_axes++;
    }
    if (ix[i].level < SEMG_REPORT_MAX_LEVELS) {
      SemgReportAxis *ax = &R->axis[a];
      if (ix[i].level >= ax->n_levels) ax->n_levels = ix[i].level + 1;
      if (isfinite(ix[i].value)) PetscCall(PetscSNPrintf(ax->label[ix[i].level], sizeof(ax->label[0]), "%.6g", ix[i].value));
      else PetscCall(PetscStrncpy(ax->label[ix[i].level], ix[i].label, sizeof(ax->label[0])));
      ax->value[ix[i].level] = ix[i].value;
    }
    for (e = 0; e < R->n_est && strcmp(R->est[e], ix[i].estimator); e++) { }
    if (e == R->n_est && e < SEMG_REPORT_MAX_EST) PetscCall(PetscStrncpy(R->est[R->n_est++], ix[i].estimator, 32));
  }
  /* sensitivity and each estimator's worst condition (for the scatter plot) */
  for (PetscInt e = 0; e < R->n_est; e++)
    for (int q = 0; q < 2; q++) {
      const char *metric = q ? "cv_mae_mps" : "iz_mae_mm";
      double      worst  = -1;
      for (PetscInt a = 0; a < R->n_axes; a++) {
        double      v[SEMG_REPORT_MAX_LEVELS], m[SEMG_REPORT_MAX_LEVELS], lo, hi;
        const char *labels[SEMG_REPORT_MAX_LEVELS];
        for (PetscInt l = 0; l < R->axis[a].n_levels; l++) {
          SemgReportValue(R, R->axis[a].name, l, R->est[e], metric, &m[l], &lo, &hi);
          v[l] = R->axis[a].value[l], labels[l] = R->axis[a].label[l];
          if (l && isfinite(m[l]) && m[l] > worst) {
            worst = m[l];
            PetscCall(PetscStrncpy(R->worst[e][q].axis, R->axis[a].name, 64));
            PetscCall(PetscStrncpy(R->worst[e][q].label, R->axis[a].label[l], 48));
          }
        }
        SemgSensitivityCompute(R->axis[a].n_levels, v, m, labels, &R->sens[a][e][q]);
      }
      /* the result files of the reference and of the worst level (first training seed) */
      for (PetscInt i = 0; i < nix; i++) {
        const char *lab = isfinite(ix[i].value) ? NULL : ix[i].label;
        char        num[48];
        if (strcmp(ix[i].kind, "result") || strcmp(ix[i].estimator, R->est[e]) || (strcmp(ix[i].seed, "-") && strcmp(ix[i].seed, "s1"))) continue;
        if (!lab) {
          PetscCall(PetscSNPrintf(num, sizeof(num), "%.6g", ix[i].value));
          lab = num;
        }
        if (ix[i].level == 0 && access(ix[i].file, R_OK) == 0) PetscCall(PetscStrncpy(R->worst[e][q].ref_file, ix[i].file, 256));
        if (ix[i].level > 0 && !strcmp(ix[i].axis, R->worst[e][q].axis) && !strcmp(lab, R->worst[e][q].label) && access(ix[i].file, R_OK) == 0)
          PetscCall(PetscStrncpy(R->worst[e][q].file, ix[i].file, 256));
      }
    }
  PetscCall(PetscFree(ix));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void Cell(FILE *fp, double v, double lo, double hi, int digits)
{
  if (!isfinite(v)) fprintf(fp, " – |");
  else if (isfinite(lo) && isfinite(hi)) fprintf(fp, " %.*f [%.*f, %.*f] |", digits, v, digits, lo, digits, hi);
  else fprintf(fp, " %.*f |", digits, v);
}

/* Sum of the step times in logs/ (wall, user + system CPU), the steps' own record. */
static void StepTimes(double *wall, double *cpu, int *steps)
{
  FILE  *ls = popen("cat logs/*.time 2>/dev/null", "r");
  double w, u, s;

  *wall = *cpu = 0, *steps = 0;
  if (!ls) return;
  while (fscanf(ls, "%lf %lf %lf", &w, &u, &s) == 3) *wall += w, *cpu += u + s, (*steps)++;
  pclose(ls);
}

static void Provenance(FILE *fp, const ReportCtx *c, const SemgReport *R)
{
  double   wall, cpu;
  int      steps, n_test = 0;
  unsigned maj, min, rel;
  char     line[1024];
  FILE    *spec;
  time_t   now = time(NULL);
  char     date[64];

  StepTimes(&wall, &cpu, &steps);
  for (PetscInt i = 0; i < R->t.n; i++)
    if (R->t.row[i].level == 0 && R->t.row[i].n > n_test && strcmp(R->t.row[i].seed, "all")) n_test = (int)R->t.row[i].n;
  H5get_libversion(&maj, &min, &rel);
  strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
  fprintf(fp, "## What was run\n\n");
  fprintf(fp, "- preset `%s`, %d axes, %d estimators, %d test samples per condition, %d trained model(s)\n", c->preset[0] ? c->preset : "?", (int)R->n_axes,
          (int)R->n_est, n_test, (int)R->n_models);
  fprintf(fp, "- semg %s, git %s (%s, %s), PETSc %d.%d.%d, HDF5 %u.%u.%u; report written %s\n", SEMG_VERSION_STRING, SEMG_GIT_SHA, SEMG_C_COMPILER, SEMG_BUILD_TYPE, PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR, maj, min, rel, date);
  fprintf(fp, "- steps run here: %d, wall %.0f s (%.2f h), CPU %.0f s (%.2f core-hours) — sums over `logs/*.time` of the steps this folder ran (steps skipped on a rerun keep their first record)\n", steps, wall, wall / 3600, cpu, cpu / 3600);
  fprintf(fp, "- files: `plan.tsv` (the steps and their commands), `index.tsv` (what each result file measures), `metrics.csv` (every number below, "
              "long form), `logs/` (one log per step)\n\n");
  spec = c->spec[0] ? fopen(c->spec, "r") : NULL;
  if (spec) {
    fprintf(fp, "<details><summary>spec</summary>\n\n```yaml\n");
    while (fgets(line, sizeof(line), spec)) fputs(line, fp);
    fprintf(fp, "```\n</details>\n\n");
    fclose(spec);
  }
}

static void SensitivityTable(FILE *fp, const SemgReport *R)
{
  fprintf(fp, "## Sensitivity\n\nMAE at the reference (level 0), at the most severe level, the distance from the reference at which the MAE doubles "
              "(interpolated; named levels: the first that doubles; `-`: never within the levels run) and the slope at the reference. Trained "
              "estimators: mean over training seeds.\n\n");
  fprintf(fp, "| axis | unit | estimator | IZ MAE ref (mm) | IZ MAE last (mm) | IZ doubles at | IZ slope (mm/unit) | CV MAE ref (m/s) | CV MAE last "
              "(m/s) | CV doubles at | CV slope (m/s/unit) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (PetscInt a = 0; a < R->n_axes; a++)
    for (PetscInt e = 0; e < R->n_est; e++) {
      fprintf(fp, "| %s | %s | %s |", R->axis[a].name, R->axis[a].unit, R->est[e]);
      for (int q = 0; q < 2; q++) {
        const SemgSensitivity *s = &R->sens[a][e][q];
        if (!SemgReportEstimates(R->est[e], q ? "CV" : "IZ")) {
          fprintf(fp, " – | – | – | – |");
          continue;
        }
        fprintf(fp, " %.4g | %.4g | %s |", s->mae0, s->mae_last, s->doubling_label);
        if (isfinite(s->slope0)) fprintf(fp, " %.3g |", s->slope0);
        else fprintf(fp, " – |");
      }
      fprintf(fp, "\n");
    }
  fprintf(fp, "\n![sensitivity heat map](plots/sensitivity.png)\n\n");
}

static void AxisTables(FILE *fp, const SemgReport *R)
{
  fprintf(fp, "## Error against level, per axis\n\nMAE with 95 %% bootstrap intervals (trained estimators: mean over training seeds with the "
              "across-seed t interval when there are >= 2 seeds).\n\n");
  for (PetscInt a = 0; a < R->n_axes; a++) {
    const SemgReportAxis *ax = &R->axis[a];
    fprintf(fp, "### %s (%s)\n\n![%s](plots/axis_%s.png)\n\n", ax->name, ax->unit, ax->name, ax->name);
    for (int q = 0; q < 2; q++) {
      fprintf(fp, "%s:\n\n| %s (%s) |", q ? "CV MAE (m/s)" : "IZ MAE (mm)", ax->name, ax->unit);
      for (PetscInt e = 0; e < R->n_est; e++)
        if (SemgReportEstimates(R->est[e], q ? "CV" : "IZ")) fprintf(fp, " %s |", R->est[e]);
      fprintf(fp, "\n|---|");
      for (PetscInt e = 0; e < R->n_est; e++)
        if (SemgReportEstimates(R->est[e], q ? "CV" : "IZ")) fprintf(fp, "---|");
      fprintf(fp, "\n");
      for (PetscInt l = 0; l < ax->n_levels; l++) {
        fprintf(fp, "| %s%s |", ax->label[l], l ? "" : " (ref)");
        for (PetscInt e = 0; e < R->n_est; e++) {
          double v, lo, hi;
          if (!SemgReportEstimates(R->est[e], q ? "CV" : "IZ")) continue;
          SemgReportValue(R, ax->name, l, R->est[e], q ? "cv_mae_mps" : "iz_mae_mm", &v, &lo, &hi);
          Cell(fp, v, lo, hi, q ? 4 : 3);
        }
        fprintf(fp, "\n");
      }
      fprintf(fp, "\n");
    }
  }
}

/* The failures that had an estimate (at a bound, fit not converged) of quantity q, as counts after the
   failed count; nothing when there are none (then every failure is a missing estimate). */
static void FailureKinds(FILE *fp, const SemgReport *R, const char ax[], const char est[], const char seed[], const char q[], long n)
{
  const char *const kind[2] = {"bound", "nonconv"}, *const say[2] = {"at a bound", "not converged"};
  long c[2] = {0, 0};
  char m[64];

  for (int k = 0; k < 2; k++) {
    const SemgMetricRow *x;
    PetscSNPrintf(m, sizeof(m), "%s_fail_%s", q, kind[k]);
    if ((x = SemgMetricFind(&R->t, ax, 0, est, seed, m)) && isfinite(x->est)) c[k] = lround(x->est * (double)n);
  }
  if (c[0] || c[1]) fprintf(fp, " (%ld %s, %ld %s)", c[0], say[0], c[1], say[1]);
}

/* Reference condition: every statistic, failures, time; per training seed for the trained estimator. */
static void ReferenceTable(FILE *fp, const SemgReport *R)
{
  const char *ax = R->n_axes ? R->axis[0].name : "";

  fprintf(fp, "## Reference condition (matched), every statistic\n\n| estimator | train seed | IZ MAE (mm) | IZ bias | IZ SD | IZ RMSE | IZ median "
              "AE | IZ p95 AE | CV MAE (m/s) | CV bias | CV SD | CV RMSE | CV median AE | CV p95 AE | failed | s/sample "
              "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (PetscInt e = 0; e < R->n_est; e++)
    for (PetscInt i = 0; i < R->t.n; i++) {
      const SemgMetricRow *r     = &R->t.row[i], *x;
      const char          *st[6] = {"mae", "bias", "sd", "rmse", "median_ae", "p95_ae"};
      char                 m[64];
      long                 nf = 0, n = 0;
      int                  qf = 0; /* the quantity with the most failures */
      if (r->level || strcmp(r->axis, ax) || strcmp(r->estimator, R->est[e]) || strcmp(r->metric, "seconds_per_sample")) continue;
      fprintf(fp, "| %s | %s |", r->estimator, r->seed);
      for (int q = 0; q < 2; q++)
        for (int k = 0; k < 6; k++) {
          PetscSNPrintf(m, sizeof(m), "%s_%s_%s", q ? "cv" : "iz", st[k], q ? "mps" : "mm");
          x = SemgMetricFind(&R->t, ax, 0, r->estimator, r->seed, m);
          if (x)
            Cell(fp, x->est, k == 0 ? x->lo : NAN, k == 0 ? x->hi : NAN, q ? 4 : 3), qf = x->n_failed > nf ? q : qf, nf = x->n_failed > nf ? x->n_failed : nf, n = x->n;
          else fprintf(fp, " – |");
        }
      fprintf(fp, " %ld/%ld", nf, n);
      FailureKinds(fp, R, ax, r->estimator, r->seed, qf ? "cv" : "iz", n);
      fprintf(fp, " | %.2g |\n", r->est);
    }
  fprintf(fp, "\nTrain seed `all`: mean over the training seeds, interval across seeds (model variance); `s<k>`: one trained model, bootstrap "
              "interval over test samples (sampling variance).\n\n");
}

static int CompareDouble(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : (x > y ? 1 : 0);
}

/* Seconds per sample of an estimator in every condition (the reference once); the hybrid fit also pays
   for the autoencoder estimate it starts from (add = "autoencoder"). Returns the count. */
static int CostPerCondition(const SemgReport *R, const char est[], const char add[], double x[], int max)
{
  int n = 0;
  for (PetscInt a = 0; a < R->n_axes; a++)
    for (PetscInt l = (a ? 1 : 0); l < R->axis[a].n_levels && n < max; l++) {
      double v, lo, hi, w = 0;
      SemgReportValue(R, R->axis[a].name, l, est, "seconds_per_sample", &v, &lo, &hi);
      if (add) SemgReportValue(R, R->axis[a].name, l, add, "seconds_per_sample", &w, &lo, &hi);
      if (isfinite(v) && isfinite(w)) x[n++] = v + w;
    }
  qsort(x, (size_t)n, sizeof(double), CompareDouble);
  return n;
}

/* Cost per sample of every estimator (medians over the conditions), beside the physics fit's. */
static void CostTable(FILE *fp, const SemgReport *R)
{
  double x[SEMG_REPORT_MAX_AXES * SEMG_REPORT_MAX_LEVELS], pf = NAN;
  int    n;

  n = CostPerCondition(R, "physfit", NULL, x, (int)(sizeof(x) / sizeof(x[0])));
  if (n) pf = x[n / 2];
  fprintf(fp, "## Cost per sample\n\nSeconds per sample from the result files (`/estimates/seconds`: each method's own work on one sample, without "
              "start-up, table "
              "builds or training; every physics fit runs on the study's ranks). Median and range over the conditions; hybrid + autoencoder "
              "adds the autoencoder estimate that starts the fit.\n\n| estimator | median s/sample | min | max | conditions | / physfit "
              "|\n|---|---|---|---|---|---|\n");
  for (PetscInt e = 0; e <= R->n_est; e++) {
    const char *est = e < R->n_est ? R->est[e] : "hybrid", *add = e < R->n_est ? NULL : "autoencoder";
    if (e == R->n_est) {
      PetscBool has_hybrid = PETSC_FALSE;
      for (PetscInt k = 0; k < R->n_est; k++) has_hybrid = (PetscBool)(has_hybrid || !strcmp(R->est[k], "hybrid"));
      if (!has_hybrid) break;
    }
    n = CostPerCondition(R, est, add, x, (int)(sizeof(x) / sizeof(x[0])));
    if (!n) continue;
    fprintf(fp, "| %s%s | %.3g | %.3g | %.3g | %d |", est, add ? " + autoencoder" : "", x[n / 2], x[0], x[n - 1], n);
    if (isfinite(pf) && pf > 0) fprintf(fp, " %.3g |\n", x[n / 2] / pf);
    else fprintf(fp, " – |\n"); /* no physics fit in the study */
  }
  fprintf(fp, "\n");
}

/* Published figures beside ours, per condition of the grid, and the condition closest to them. */
static void CompareTable(FILE *fp, const ReportCtx *c, const SemgReport *R)
{
  double best           = INFINITY;
  char   best_cond[128] = "-";

  fprintf(fp, "## Our figures beside the published ones\n\nPublished (matched synthetic data): IZ MAE **%.4f mm**, CV MAE **%.4f m/s**. Ours (autoencoder, mean over training seeds, 95 %% interval):\n\n| condition | IZ MAE (mm) | CV MAE (m/s) | distance to the published pair |\n|---|---|---|---|\n",
          (double)c->compare[0], (double)c->compare[1]);
  for (PetscInt a = 0; a < R->n_axes; a++)
    for (PetscInt l = (a ? 1 : 0); l < R->axis[a].n_levels; l++) {
      double iz, izl, izh, cv, cvl, cvh, d;
      char   cond[128];
      SemgReportValue(R, R->axis[a].name, l, "autoencoder", "iz_mae_mm", &iz, &izl, &izh);
      SemgReportValue(R, R->axis[a].name, l, "autoencoder", "cv_mae_mps", &cv, &cvl, &cvh);
      SemgReportConditionLabel(R, a, l, cond, sizeof(cond));
      /* distance on a log scale: a factor 2 off in either quantity counts alike */
      d = fabs(log(iz / c->compare[0])) + fabs(log(cv / c->compare[1]));
      fprintf(fp, "| %s |", cond);
      Cell(fp, iz, izl, izh, 3);
      Cell(fp, cv, cvl, cvh, 4);
      fprintf(fp, " %.2f |\n", d);
      if (isfinite(d) && d < best) best = d, PetscStrncpy(best_cond, cond, sizeof(best_cond));
    }
  fprintf(fp, "\nDistance = |ln(IZ MAE / %.4f)| + |ln(CV MAE / %.4f)|. Closest condition: **%s** (distance %.2f).\n\n", (double)c->compare[0],
          (double)c->compare[1], best_cond, best);
}

/* The answer to spec section 1, from the numbers above. */
static void Answer(FILE *fp, const SemgReport *R)
{
  fprintf(fp, "## Answer\n\n");
  for (int q = 0; q < 2; q++) {
    const char *qn = q ? "CV" : "IZ", *u = q ? "m/s" : "mm";
    double      ratio[SEMG_REPORT_MAX_AXES];
    PetscInt    order[SEMG_REPORT_MAX_AXES], ne = 0, best_e = -1, robust_e = -1, doubled = 0, cells = 0;
    double      best0 = INFINITY, robust = INFINITY;
    for (PetscInt a = 0; a < R->n_axes; a++) {
      double r[SEMG_REPORT_MAX_EST];
      int    k = 0;
      for (PetscInt e = 0; e < R->n_est; e++) {
        const SemgSensitivity *s = &R->sens[a][e][q];
        if (!SemgReportEstimates(R->est[e], qn) || !(s->mae0 > 0) || !isfinite(s->mae_worst)) continue;
        r[k++] = s->mae_worst / s->mae0;
        cells++, doubled += s->mae_worst >= 2 * s->mae0;
      }
      for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && r[j] < r[j - 1]; j--) {
          double t = r[j];
          r[j] = r[j - 1], r[j - 1] = t;
        }
      ratio[a] = k ? (k % 2 ? r[k / 2] : 0.5 * (r[k / 2 - 1] + r[k / 2])) : NAN;
      order[a] = a;
    }
    for (PetscInt i = 1; i < R->n_axes; i++)
      for (PetscInt j = i; j > 0 && !(ratio[order[j]] <= ratio[order[j - 1]]); j--) {
        PetscInt t   = order[j];
        order[j]     = order[j - 1];
        order[j - 1] = t;
      }
    for (PetscInt e = 0; e < R->n_est; e++) {
      double worst = 0;
      if (!SemgReportEstimates(R->est[e], qn)) continue;
      ne++;
      for (PetscInt a = 0; a < R->n_axes; a++)
        if (isfinite(R->sens[a][e][q].mae_worst) && R->sens[a][e][q].mae_worst > worst) worst = R->sens[a][e][q].mae_worst;
      if (R->n_axes && isfinite(R->sens[0][e][q].mae0) && R->sens[0][e][q].mae0 < best0) best0 = R->sens[0][e][q].mae0, best_e = e;
      if (worst > 0 && worst < robust) robust = worst, robust_e = e;
    }
    if (!ne || !R->n_axes) continue;
    {
      PetscInt top = R->n_axes > 3 ? 3 : R->n_axes - 1 > 0 ? R->n_axes - 1 : 1;
      fprintf(fp, "**%s.** Ranked by the median over the %d estimators of %s of the MAE at the worst level divided by the MAE at the reference, the model error%s that matter%s most %s ", qn, (int)ne, qn, top > 1 ? "s" : "", top > 1 ? "" : "s", top > 1 ? "are" : "is");
      for (PetscInt i = 0; i < top; i++)
        fprintf(fp, "%s%s (%.2g)", i ? (i == top - 1 ? " and " : ", ") : "", R->axis[order[i]].name, ratio[order[i]]);
      if (R->n_axes > top) fprintf(fp, "; the least, %s (%.2g)", R->axis[order[R->n_axes - 1]].name, ratio[order[R->n_axes - 1]]);
      fprintf(fp, ". The MAE doubled within the levels run in %d of %d axis-estimator pairs.", (int)doubled, (int)cells);
    }
    if (best_e >= 0) fprintf(fp, " At the matched reference the most accurate is %s (%.3g %s)", R->est[best_e], best0, u);
    if (robust_e >= 0) fprintf(fp, "; the smallest worst-case MAE over all mismatch levels is %s's (%.3g %s)", R->est[robust_e], robust, u);
    fprintf(fp, ".\n\n");
  }
}

/* Coverage of the 95 % intervals at the reference and the worst axis (estimators with a covariance), and
   their reliability plots. */
static void CoverageSection(FILE *fp, const SemgReport *R, const PetscBool made[])
{
  PetscBool any = PETSC_FALSE;

  for (PetscInt e = 0; e < R->n_est; e++) any = (PetscBool)(any || made[e]);
  if (!any || !R->n_axes) return;
  fprintf(fp, "## Calibration of the stated uncertainty\n\nCoverage (%%) of the nominal 95 %% intervals est ± 1.96 sd (Gauss-Newton/Laplace "
              "covariance of each sample, "
              "docs/estimator.md) with its 95 %% Wilson interval, at the matched reference and the lowest over the largest levels of the axes; 93-97 "
              "is calibrated.\n\n");
  fprintf(fp, "| estimator | IZ at the reference | CV at the reference | IZ lowest (axis) | CV lowest (axis) |\n|---|---|---|---|---|\n");
  for (PetscInt e = 0; e < R->n_est; e++) {
    if (!made[e]) continue;
    fprintf(fp, "| %s |", R->est[e]);
    for (int q = 0; q < 2; q++) {
      double v, lo, hi;
      SemgReportValue(R, R->axis[0].name, 0, R->est[e], q ? "cv_cover95_pct" : "iz_cover95_pct", &v, &lo, &hi);
      Cell(fp, v, lo, hi, 1);
    }
    for (int q = 0; q < 2; q++) {
      double      worst = INFINITY, v, lo, hi;
      const char *wa    = "-";
      for (PetscInt a = 0; a < R->n_axes; a++) {
        SemgReportValue(R, R->axis[a].name, R->axis[a].n_levels - 1, R->est[e], q ? "cv_cover95_pct" : "iz_cover95_pct", &v, &lo, &hi);
        if (R->axis[a].n_levels > 1 && isfinite(v) && v < worst) worst = v, wa = R->axis[a].name;
      }
      if (isfinite(worst)) fprintf(fp, " %.1f (%s) |", worst, wa);
      else fprintf(fp, " – |");
    }
    fprintf(fp, "\n");
  }
  fprintf(fp, "\n");
  for (PetscInt e = 0; e < R->n_est; e++)
    if (made[e]) fprintf(fp, "![reliability %s](plots/reliability_%s.png)\n\n", R->est[e], R->est[e]);
}

PetscErrorCode SemgCmdReport(MPI_Comm comm)
{
  ReportCtx   c;
  SemgReport *R;
  FILE       *fp;
  PetscBool   curves, reliable[SEMG_REPORT_MAX_EST];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  PetscCall(ProcessOptions(comm, &c));
  PetscCall(SemgCheckOutputPath(comm, "-output", c.output));
  PetscCall(PetscCalloc1(1, &R));
  PetscCall(Load(&c, R));
  PetscCheck(R->t.n > 0, comm, SEMG_ERR_USER, "-metrics: '%s' has no rows (no step produced a result)", c.metrics);
  PetscCheck(!mkdir("plots", 0777) || !access("plots", W_OK), comm, SEMG_ERR_USER, "cannot create the folder plots/ beside %s", c.output);
  for (PetscInt a = 0; a < R->n_axes; a++) PetscCall(SemgReportPlotAxis(R, a));
  PetscCall(SemgReportPlotHeatmap(R));
  PetscCall(SemgReportPlotScatter(R, 0));
  PetscCall(SemgReportPlotScatter(R, 1));
  PetscCall(SemgReportPlotTraining(R, &curves));
  for (PetscInt e = 0; e < R->n_est; e++) PetscCall(SemgReportPlotReliability(R, e, &reliable[e]));
  PetscCall(SemgCSVOpen(c.output, &fp));
  fprintf(fp, "# Study report: %s\n\n", R->t.row[0].study);
  fprintf(fp,
          "How much do the IZ/CV estimators degrade when the recording comes from a forward model other than the one they assume, and which model "
          "errors matter most? Level 0 of every axis is the matched reference; every estimator read the same test file of each condition.\n\n");
  Answer(fp, R);
  if (c.has_compare) CompareTable(fp, &c, R);
  SensitivityTable(fp, R);
  ReferenceTable(fp, R);
  CostTable(fp, R);
  AxisTables(fp, R);
  fprintf(fp, "## Estimates against truth\n\n![IZ scatter](plots/scatter_iz.png)\n\n![CV scatter](plots/scatter_cv.png)\n\n");
  CoverageSection(fp, R, reliable);
  SemgReportTargets(fp, R);
  if (curves) fprintf(fp, "## Training curves\n\n![training](plots/training.png)\n\n");
  Provenance(fp, &c, R);
  PetscCall(SemgCSVClose(c.output, &fp));
  PetscCall(PetscPrintf(comm, "semg report: %d axes, %d estimators -> %s\n", (int)R->n_axes, (int)R->n_est, c.output));
  PetscCall(SemgMetricTableFree(&R->t));
  PetscCall(PetscFree(R));
  PetscFunctionReturn(PETSC_SUCCESS);
}
