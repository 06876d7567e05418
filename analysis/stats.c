#include <math.h>
#include <stdlib.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/result.h"
#include "analysis/stats.h"

const char *const SemgStatNames[SEMG_STAT_N] = {"mae",    "bias",          "sd",       "rmse",       "median_ae",
                                                "p95_ae", "failure_share", "fail_nan", "fail_bound", "fail_nonconv"};

static int CompareDouble(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double SemgQuantileSorted(const double *x, long n, double q)
{
  double h;
  long   i;

  if (n <= 0) return NAN;
  h = (double)(n - 1) * q;
  i = (long)floor(h);
  if (i >= n - 1) return x[n - 1];
  return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

/* Statistics of err[idx[0..n-1]] (idx NULL: identity); work holds n doubles. */
static void Compute(const double *err, const int *status, const long *idx, long n, double *work, SemgErrStats *s)
{
  double sum = 0, sum2 = 0, sabs = 0, mean;
  long   m = 0, kind[SEMG_STATUS_N] = {0};

  for (long i = 0; i < n; i++) {
    const long   k = idx ? idx[i] : i;
    const double e = err[k];
    kind[isnan(e) ? SEMG_STATUS_NAN : (status ? status[k] : SEMG_STATUS_OK)]++;
    if (isnan(e)) continue;
    sum += e, sabs += fabs(e), work[m++] = fabs(e);
  }
  mean = m ? sum / (double)m : NAN;
  for (long i = 0; i < n; i++) {
    const double e = err[idx ? idx[i] : i];
    if (!isnan(e)) sum2 += (e - mean) * (e - mean);
  }
  qsort(work, (size_t)m, sizeof(double), CompareDouble);
  s->n                         = n;
  s->n_failed                  = n - kind[SEMG_STATUS_OK];
  s->v[SEMG_STAT_MAE]          = m ? sabs / (double)m : NAN;
  s->v[SEMG_STAT_BIAS]         = mean;
  s->v[SEMG_STAT_SD]           = m > 1 ? sqrt(sum2 / (double)(m - 1)) : NAN;
  s->v[SEMG_STAT_RMSE]         = NAN;
  s->v[SEMG_STAT_MEDIAN_AE]    = SemgQuantileSorted(work, m, 0.5);
  s->v[SEMG_STAT_P95_AE]       = SemgQuantileSorted(work, m, 0.95);
  s->v[SEMG_STAT_FAILURE]      = n ? (double)s->n_failed / (double)n : NAN;
  s->v[SEMG_STAT_FAIL_NAN]     = n ? (double)kind[SEMG_STATUS_NAN] / (double)n : NAN;
  s->v[SEMG_STAT_FAIL_BOUND]   = n ? (double)kind[SEMG_STATUS_BOUND] / (double)n : NAN;
  s->v[SEMG_STAT_FAIL_NONCONV] = n ? (double)kind[SEMG_STATUS_NONCONV] / (double)n : NAN;
  if (m) {
    double sq = 0;
    for (long i = 0; i < m; i++) sq += work[i] * work[i];
    s->v[SEMG_STAT_RMSE] = sqrt(sq / (double)m);
  }
}

PetscErrorCode SemgErrStatsCompute(const double *err, const int *status, long n, SemgErrStats *s)
{
  double *work;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &work));
  Compute(err, status, NULL, n, work, s);
  PetscCall(PetscFree(work));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgErrStatsBootstrap(const double *err, const int *status, long n, PetscInt B, uint64_t seed, uint64_t key, SemgErrStats *lo, SemgErrStats *hi)
{
  double      *work, *boot;
  long        *idx;
  SemgErrStats s;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(n + 1, &work, n + 1, &idx, (size_t)B * SEMG_STAT_N + 1, &boot));
  for (PetscInt b = 0; b < B; b++) {
    SemgRng rng;
    /* resample b is a pure function of (seed, key, b): the same on any run and in any order */
    SemgRngInit(&rng, seed ^ (key * 0x9E3779B97F4A7C15ull), (uint64_t)b, SEMG_STREAM_USER + 1);
    for (long i = 0; i < n; i++) idx[i] = (long)SemgRngBelow(&rng, (uint64_t)n);
    Compute(err, status, idx, n, work, &s);
    for (int k = 0; k < SEMG_STAT_N; k++) boot[(size_t)k * B + b] = s.v[k];
  }
  for (int k = 0; k < SEMG_STAT_N; k++) {
    double *x = boot + (size_t)k * B;
    long    m = 0;
    /* a resample without any finite error has no MAE: percentiles over those that have one */
    for (PetscInt b = 0; b < B; b++)
      if (!isnan(x[b])) x[m++] = x[b];
    qsort(x, (size_t)m, sizeof(double), CompareDouble);
    lo->v[k] = SemgQuantileSorted(x, m, 0.025);
    hi->v[k] = SemgQuantileSorted(x, m, 0.975);
  }
  lo->n = hi->n = n;
  PetscCall(PetscFree3(work, idx, boot));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom */
static const double t975[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                              2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

void SemgMeanInterval(const double *x, int R, double *mean, double *lo, double *hi)
{
  double s = 0, ss = 0, t;

  for (int r = 0; r < R; r++) s += x[r];
  *mean = R ? s / R : NAN;
  *lo = *hi = NAN;
  if (R < 2) return;
  for (int r = 0; r < R; r++) ss += (x[r] - *mean) * (x[r] - *mean);
  t   = R - 1 <= 30 ? t975[R - 2] : 1.96;
  *lo = *mean - t * sqrt(ss / (R - 1)) / sqrt((double)R);
  *hi = *mean + t * sqrt(ss / (R - 1)) / sqrt((double)R);
}
