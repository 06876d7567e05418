/* semg collect: metrics.csv of a study from its result files (the common result layout of
   estimator/result.h: per-sample estimates and truth), never from CSV text. Per (condition,
   estimator, training seed) and quantity: MAE, bias, SD, RMSE, median and 95th-percentile absolute
   error, failure share (every kind, and split into no estimate, at a bound, not converged: the result
   files' per-sample status) with seeded bootstrap intervals, and seconds per sample; for the trained
   estimator also the mean over training seeds with its t interval (model variance); for result files
   with a covariance (schema 2) the coverage of the nominal 50..99 % intervals and the mean 95 % width.
   A result file that is missing (its step failed) is listed and skipped: the rest still aggregates. */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "estimator/result.h"
#include "analysis/stats.h"
#include "analysis/metrics.h"
#include "analysis/coverage.h"

typedef struct {
  char     index[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN], study[64];
  PetscInt bootstrap, seed;
} CollectCtx;

static PetscErrorCode ProcessOptions(MPI_Comm comm, CollectCtx *c)
{
  PetscBool set_i, set_o;

  PetscFunctionBeginUser;
  c->bootstrap = 1000, c->seed = 1;
  PetscCall(PetscStrncpy(c->study, "study", sizeof(c->study)));
  PetscOptionsBegin(comm, NULL, "semg collect: metrics.csv of a study from its result files", "semg");
  PetscCall(PetscOptionsString("-index", "study index (index.tsv of semg study plan)", "", c->index, c->index, sizeof(c->index), &set_i));
  PetscCall(PetscOptionsString("-output", "metrics table (long-form CSV)", "", c->output, c->output, sizeof(c->output), &set_o));
  PetscCall(PetscOptionsString("-study", "study name (first column)", "", c->study, c->study, sizeof(c->study), NULL));
  PetscCall(PetscOptionsInt("-bootstrap", "bootstrap resamples (>= 100)", "", c->bootstrap, &c->bootstrap, NULL));
  PetscCall(PetscOptionsInt("-seed", "seed of the bootstrap resamples", "", c->seed, &c->seed, NULL));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRejectUnknown(comm, NULL)); /* -help stops here */
  PetscCall(SemgOptionsRequire(comm, "-index", set_i));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCheck(c->bootstrap >= 100, comm, SEMG_ERR_USER, "-bootstrap must be >= 100 (got %d)", (int)c->bootstrap);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Which quantities an estimator estimates: the IZ-only and CV-only classical methods by their name. */
static PetscBool Estimates(const char est[], int q)
{
  if (!strncmp(est, "iz_", 3)) return (PetscBool)(q == 0);
  if (!strncmp(est, "cv_", 3)) return (PetscBool)(q == 1);
  return PETSC_TRUE;
}

static uint64_t Hash(const char *s)
{
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static void RowHead(SemgMetricRow *m, const CollectCtx *c, const SemgIndexRow *ix)
{
  PetscMemzero(m, sizeof(*m));
  PetscStrncpy(m->study, c->study, sizeof(m->study));
  PetscStrncpy(m->axis, ix->axis, sizeof(m->axis));
  m->level = ix->level;
  if (isfinite(ix->value)) PetscSNPrintf(m->value, sizeof(m->value), "%.6g", ix->value);
  else PetscStrncpy(m->value, ix->label, sizeof(m->value));
  PetscStrncpy(m->unit, ix->unit, sizeof(m->unit));
  PetscStrncpy(m->estimator, ix->estimator, sizeof(m->estimator));
  PetscStrncpy(m->seed, ix->seed, sizeof(m->seed));
}

/* Coverage rows of quantity q (none when the file has no covariance): <q>_cover<P>_pct with the Wilson
   interval, n = samples with an interval, n_failed = test samples without one; <q>_width95_<unit>. */
static PetscErrorCode CoverageRows(const CollectCtx *c, const SemgIndexRow *ix, const SemgResult *r, int q, SemgMetricTable *t)
{
  static const char *const qname[2] = {"iz", "cv"}, *const qunit[2] = {"mm", "mps"};
  const double  scale[2] = {1e3, 1};
  SemgCoverage  cov;
  SemgMetricRow m;

  PetscFunctionBeginUser;
  SemgCoverageCompute(r, q, &cov);
  if (!cov.n) PetscFunctionReturn(PETSC_SUCCESS);
  for (int k = 0; k < SEMG_COVERAGE_N; k++) {
    RowHead(&m, c, ix);
    PetscCall(PetscSNPrintf(m.metric, sizeof(m.metric), "%s_cover%02d_pct", qname[q], (int)SemgCoverageNominal[k]));
    m.est = cov.cover[k], m.lo = cov.lo[k], m.hi = cov.hi[k], m.n = cov.n, m.n_failed = cov.n_missing;
    PetscCall(SemgMetricAppend(t, &m));
  }
  RowHead(&m, c, ix);
  PetscCall(PetscSNPrintf(m.metric, sizeof(m.metric), "%s_width95_%s", qname[q], qunit[q]));
  m.est = scale[q] * cov.width95, m.lo = m.hi = NAN, m.n = cov.n, m.n_failed = cov.n_missing;
  PetscCall(SemgMetricAppend(t, &m));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rows of one result file. */
static PetscErrorCode CollectFile(const CollectCtx *c, const SemgIndexRow *ix, SemgMetricTable *t)
{
  static const char *const qname[2] = {"iz", "cv"}, *const qunit[2] = {"mm", "mps"};
  const double  scale[2] = {1e3, 1};
  SemgResult   *r;
  double       *err, secs = 0;
  int          *status;
  long          n;
  SemgMetricRow m;

  PetscFunctionBeginUser;
  PetscCall(SemgResultRead(PETSC_COMM_SELF, ix->file, &r));
  PetscCall(PetscMalloc2(r->n_local + 1, &err, r->n_local + 1, &status));
  for (int q = 0; q < 2; q++) {
    SemgErrStats s, lo, hi;
    if (!Estimates(ix->estimator, q) || r->n_theta <= q) continue;
    n = 0;
    for (PetscCount i = 0; i < r->n_local; i++) {
      const double tv = r->theta_true[(size_t)i * r->n_theta + q], ev = r->theta_est[(size_t)i * r->n_theta + q];
      if (isnan(tv)) continue; /* no ground truth: not a test sample */
      status[n] = r->status[i];
      err[n++]  = isfinite(ev) ? scale[q] * (ev - tv) : NAN; /* at a bound or unconverged: in the MAE too */
    }
    PetscCall(SemgErrStatsCompute(err, status, n, &s));
    PetscCall(SemgErrStatsBootstrap(err, status, n, c->bootstrap, (uint64_t)c->seed, Hash(ix->file) + (uint64_t)q, &lo, &hi));
    for (int k = 0; k < SEMG_STAT_N; k++) {
      RowHead(&m, c, ix);
      if (k >= SEMG_STAT_FAILURE) PetscCall(PetscSNPrintf(m.metric, sizeof(m.metric), "%s_%s", qname[q], SemgStatNames[k]));
      else PetscCall(PetscSNPrintf(m.metric, sizeof(m.metric), "%s_%s_%s", qname[q], SemgStatNames[k], qunit[q]));
      m.est = s.v[k], m.lo = lo.v[k], m.hi = hi.v[k], m.n = s.n, m.n_failed = s.n_failed;
      PetscCall(SemgMetricAppend(t, &m));
    }
  }
  for (int q = 0; q < 2; q++)
    if (Estimates(ix->estimator, q)) PetscCall(CoverageRows(c, ix, r, q, t));
  for (PetscCount i = 0; i < r->n_local; i++) secs += r->seconds[i];
  RowHead(&m, c, ix);
  PetscCall(PetscStrncpy(m.metric, "seconds_per_sample", sizeof(m.metric)));
  m.est = r->n_local ? secs / (double)r->n_local : NAN, m.lo = m.hi = NAN, m.n = (long)r->n_local;
  PetscCall(SemgMetricAppend(t, &m));
  PetscCall(PetscFree2(err, status));
  PetscCall(SemgResultDestroy(&r));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Mean over training seeds (train_seed "all") with the t interval across seeds. */
static PetscErrorCode AcrossSeeds(SemgMetricTable *t)
{
  PetscInt n0 = t->n;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n0; i++) {
    SemgMetricRow a = t->row[i];
    double        x[64];
    int           R     = 0;
    PetscBool     first = PETSC_TRUE;
    if (!strcmp(a.seed, "-")) continue;
    for (PetscInt j = 0; j < n0; j++) {
      const SemgMetricRow *b = &t->row[j];
      if (strcmp(b->seed, "-") && b->level == a.level && !strcmp(b->axis, a.axis) && !strcmp(b->estimator, a.estimator) && !strcmp(b->metric, a.metric)) {
        if (j < i) first = PETSC_FALSE;
        if (R < 64 && isfinite(b->est)) x[R++] = b->est;
        if (j != i) a.n += b->n, a.n_failed += b->n_failed;
      }
    }
    if (!first) continue;
    PetscCall(PetscStrncpy(a.seed, "all", sizeof(a.seed)));
    SemgMeanInterval(x, R, &a.est, &a.lo, &a.hi);
    PetscCall(SemgMetricAppend(t, &a));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdCollect(MPI_Comm comm)
{
  CollectCtx      c;
  SemgIndexRow   *ix;
  PetscInt        n, missing = 0;
  SemgMetricTable t = {0, 0, NULL};

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  PetscCall(ProcessOptions(comm, &c));
  PetscCall(SemgCheckOutputPath(comm, "-output", c.output));
  PetscCall(SemgIndexRead(c.index, &n, &ix));
  for (PetscInt i = 0; i < n; i++) {
    if (strcmp(ix[i].kind, "result")) continue;
    if (access(ix[i].file, R_OK)) {
      /* a failed step: say so once per file, aggregate the rest */
      PetscBool seen = PETSC_FALSE;
      for (PetscInt j = 0; j < i; j++) seen = (PetscBool)(seen || !strcmp(ix[j].file, ix[i].file));
      if (!seen) {
        PetscCall(PetscPrintf(comm, "semg collect: missing %s (its step failed or has not run)\n", ix[i].file));
        missing++;
      }
      continue;
    }
    PetscCall(CollectFile(&c, &ix[i], &t));
  }
  PetscCall(AcrossSeeds(&t));
  PetscCall(SemgMetricWriteCSV(c.output, &t));
  PetscCall(PetscPrintf(comm, "semg collect: %d rows from %d result entries (%d files missing) -> %s\n", (int)t.n, (int)n, (int)missing, c.output));
  PetscCall(SemgMetricTableFree(&t));
  PetscCall(PetscFree(ix));
  PetscFunctionReturn(PETSC_SUCCESS);
}
