static char help[] = "Study statistics against hand-computed values: error statistics, bootstrap intervals, sensitivity, seed intervals.\n";

#include <math.h>
#include "core/semg_error.h"
#include "estimator/result.h"
#include "analysis/stats.h"
#include "analysis/report.h"

static int failures = 0;

static void Expect(const char *what, double got, double want, double tol)
{
  if (!(fabs(got - want) <= tol)) {
    printf("FAIL %s: got %.10g, want %.10g\n", what, got, want);
    failures++;
  } else printf("ok   %s = %.6g\n", what, got);
}

int main(int argc, char **argv)
{
  /* errors 1, -2, 3 and one failure (NaN) */
  const double    err[4] = {1, -2, 3, NAN}, two[2] = {1, 3}, same[5] = {0.5, 0.5, 0.5, 0.5, 0.5};
  SemgErrStats    s, lo, hi, lo2, hi2;
  SemgSensitivity sens;
  const double    v[4] = {0, 2, 5, 10}, m[4] = {1, 1.5, 2.5, 4}, x3[3] = {1, 2, 3};
  const char     *labels[4] = {"ref", "a", "b", "c"};
  double          mean, ml, mh;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(SemgErrStatsCompute(err, NULL, 4, &s));
  Expect("MAE", s.v[SEMG_STAT_MAE], 2.0, 1e-14);
  Expect("bias", s.v[SEMG_STAT_BIAS], 2.0 / 3, 1e-14);
  Expect("SD (n-1)", s.v[SEMG_STAT_SD], sqrt(114.0 / 18), 1e-14);
  Expect("RMSE", s.v[SEMG_STAT_RMSE], sqrt(14.0 / 3), 1e-14);
  Expect("median AE", s.v[SEMG_STAT_MEDIAN_AE], 2.0, 1e-14);
  Expect("p95 AE (type 7)", s.v[SEMG_STAT_P95_AE], 2.9, 1e-14);
  Expect("failure share", s.v[SEMG_STAT_FAILURE], 0.25, 1e-14);
  Expect("n_failed", (double)s.n_failed, 1, 0);
  Expect("fail_nan = failure share without a status", s.v[SEMG_STAT_FAIL_NAN], 0.25, 1e-14);
  Expect("fail_bound without a status", s.v[SEMG_STAT_FAIL_BOUND], 0, 0);
  /* statuses: 1 at a bound, 3 unconverged, the NaN one OK (a NaN error is no estimate whatever its
     status): failures 3 of 4 by kind 1/4 each; the accuracy statistics stay over the three estimates */
  {
    const int st[4] = {SEMG_STATUS_BOUND, SEMG_STATUS_OK, SEMG_STATUS_NONCONV, SEMG_STATUS_OK};
    PetscCall(SemgErrStatsCompute(err, st, 4, &s));
    Expect("MAE keeps bound and unconverged estimates", s.v[SEMG_STAT_MAE], 2.0, 1e-14);
    Expect("failure share, every kind", s.v[SEMG_STAT_FAILURE], 0.75, 1e-14);
    Expect("n_failed, every kind", (double)s.n_failed, 3, 0);
    Expect("fail_nan", s.v[SEMG_STAT_FAIL_NAN], 0.25, 1e-14);
    Expect("fail_bound", s.v[SEMG_STAT_FAIL_BOUND], 0.25, 1e-14);
    Expect("fail_nonconv", s.v[SEMG_STAT_FAIL_NONCONV], 0.25, 1e-14);
    PetscCall(SemgErrStatsBootstrap(err, st, 4, 1000, 17, 5, &lo, &hi));
    Expect("bootstrap failure share brackets 0.75", lo.v[SEMG_STAT_FAILURE] <= 0.75 && hi.v[SEMG_STAT_FAILURE] >= 0.75 && hi.v[SEMG_STAT_FAILURE] > lo.v[SEMG_STAT_FAILURE], 1, 0);
  }

  /* two errors {1, 3}: a resample's MAE is 1, 2 or 3 with probability 1/4, 1/2, 1/4, so the 2.5 and
     97.5 percentiles of 2000 resamples are 1 and 3 */
  PetscCall(SemgErrStatsBootstrap(two, NULL, 2, 2000, 17, 5, &lo, &hi));
  Expect("bootstrap MAE lo", lo.v[SEMG_STAT_MAE], 1.0, 0);
  Expect("bootstrap MAE hi", hi.v[SEMG_STAT_MAE], 3.0, 0);
  Expect("bootstrap bias lo", lo.v[SEMG_STAT_BIAS], 1.0, 0);
  /* constant errors: every interval collapses onto the value */
  PetscCall(SemgErrStatsBootstrap(same, NULL, 5, 1000, 17, 5, &lo, &hi));
  Expect("constant MAE lo", lo.v[SEMG_STAT_MAE], 0.5, 1e-15);
  Expect("constant MAE hi", hi.v[SEMG_STAT_MAE], 0.5, 1e-15);
  /* seeded: the same (seed, key) gives the same interval, another key another one */
  PetscCall(SemgErrStatsBootstrap(err, NULL, 4, 1000, 17, 5, &lo, &hi));
  PetscCall(SemgErrStatsBootstrap(err, NULL, 4, 1000, 17, 5, &lo2, &hi2));
  Expect("bootstrap reproducible", lo.v[SEMG_STAT_MAE] - lo2.v[SEMG_STAT_MAE] + hi.v[SEMG_STAT_SD] - hi2.v[SEMG_STAT_SD], 0, 0);
  Expect("bootstrap failure share hi > 0.25", hi.v[SEMG_STAT_FAILURE] > 0.25, 1, 0);

  /* sensitivity: MAE 1 at the reference doubles between level 2 (1.5) and level 5 (2.5):
     2 + (2 - 1.5) / (2.5 - 1.5) * 3 = 3.5; slope at 0 = (1.5 - 1) / 2 */
  SemgSensitivityCompute(4, v, m, labels, &sens);
  Expect("doubling level", sens.doubling, 3.5, 1e-14);
  Expect("slope at 0", sens.slope0, 0.25, 1e-14);
  Expect("MAE last", sens.mae_last, 4, 0);
  {
    /* levels listed out of order (severity = distance from the reference value 20) */
    const double vs[4] = {20, 30, 10, 0}, ms[4] = {1, 1.2, 1.8, 3};
    SemgSensitivityCompute(4, vs, ms, labels, &sens);
    Expect("doubling, unordered levels", sens.doubling, 10 + (2 - 1.8) / (3 - 1.8) * 10, 1e-12);
    Expect("slope, nearest level first", sens.slope0, 0.02, 1e-12);
    Expect("MAE at the most severe level", sens.mae_last, 3, 0);
  }
  /* across training seeds: mean 2, SD 1, t(0.975, 2) = 4.303 */
  SemgMeanInterval(x3, 3, &mean, &ml, &mh);
  Expect("seed mean", mean, 2, 1e-15);
  Expect("seed interval lo", ml, 2 - 4.303 / sqrt(3.0), 1e-12);
  Expect("seed interval hi", mh, 2 + 4.303 / sqrt(3.0), 1e-12);
  PetscCall(PetscFinalize());
  if (failures) printf("%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
