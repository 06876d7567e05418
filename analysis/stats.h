/* Error statistics of one estimator on one test set, and their bootstrap confidence intervals
   (spec experiments.md section 2). Errors are estimate - truth; NaN marks a sample without an estimate.
   A sample fails when it has no estimate or its status (estimator/result.h) is not OK; the accuracy
   statistics are over every finite error, so an estimate at a bound or from an unconverged fit is in
   the MAE and also counts as a failure. */
#ifndef SEMG_STATS_H
#define SEMG_STATS_H

#include <stdint.h>
#include <petscsys.h>

typedef enum {
  SEMG_STAT_MAE,
  SEMG_STAT_BIAS,
  SEMG_STAT_SD,
  SEMG_STAT_RMSE,
  SEMG_STAT_MEDIAN_AE,
  SEMG_STAT_P95_AE,
  SEMG_STAT_FAILURE,      /* share of failed samples, every kind */
  SEMG_STAT_FAIL_NAN,     /* the share without an estimate */
  SEMG_STAT_FAIL_BOUND,   /* ... with an estimate at a bound */
  SEMG_STAT_FAIL_NONCONV, /* ... with an estimate from a fit that did not converge */
  SEMG_STAT_N
} SemgStatKind;

/* mae, bias, sd, rmse, median_ae, p95_ae, failure_share, fail_nan, fail_bound, fail_nonconv */
PETSC_EXTERN const char *const SemgStatNames[SEMG_STAT_N];

typedef struct {
  double v[SEMG_STAT_N];
  long   n, n_failed; /* samples, failed samples (any kind) */
} SemgErrStats;

/* Statistics of the finite errors; status[i] (SemgResultStatus; NULL = all OK) is the kind of failure of
   sample i, a NaN error is SEMG_STATUS_NAN whatever its status. Failure share = failed samples / n. SD
   uses n - 1; the median and 95th percentile of |e| interpolate linearly between order statistics
   (Hyndman-Fan type 7). */
PETSC_EXTERN PetscErrorCode SemgErrStatsCompute(const double *err, const int *status, long n, SemgErrStats *s);
/* Percentile bootstrap over the samples (B resamples with replacement, drawn from the counter-based
   RNG keyed by (seed, key)): lo/hi are the 2.5 and 97.5 percentiles of each statistic. */
PETSC_EXTERN PetscErrorCode SemgErrStatsBootstrap(const double *err, const int *status, long n, PetscInt B, uint64_t seed, uint64_t key, SemgErrStats *lo, SemgErrStats *hi);
/* Quantile q of sorted x[0..n-1] (type 7). */
PETSC_EXTERN double SemgQuantileSorted(const double *x, long n, double q);
/* Mean and 95 % t interval of R values (across training seeds); lo = hi = NaN for R < 2. */
PETSC_EXTERN void SemgMeanInterval(const double *x, int R, double *mean, double *lo, double *hi);

#endif
