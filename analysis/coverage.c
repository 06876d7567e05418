#include <math.h>
#include "analysis/coverage.h"

const double SemgCoverageNominal[SEMG_COVERAGE_N] = {50, 80, 90, 95, 99};
const double SemgCoverageZ[SEMG_COVERAGE_N] = {0.6744897501960817, 1.2815515655446004, 1.6448536269514722, 1.9599639845400540, 2.5758293035489004};

/* Wilson score interval (95 %) of k successes in n trials, in %. */
static void Wilson(long k, long n, double *lo, double *hi)
{
  const double z = SemgCoverageZ[3], p = (double)k / (double)n, d = 1 + z * z / n;
  const double c = (p + z * z / (2.0 * n)) / d, h = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;

  *lo = PetscMax(0.0, 100 * (c - h)), *hi = PetscMin(100.0, 100 * (c + h));
}

void SemgCoverageCompute(const SemgResult *r, PetscInt q, SemgCoverage *c)
{
  const PetscInt K                   = r->n_theta;
  long           in[SEMG_COVERAGE_N] = {0};
  double         wsum                = 0;

  c->n = c->n_missing = 0;
  for (int k = 0; k < SEMG_COVERAGE_N; k++) c->cover[k] = c->lo[k] = c->hi[k] = NAN;
  c->width95 = NAN;
  if (!r->theta_cov || q >= K) return;
  for (PetscCount i = 0; i < r->n_local; i++) {
    const double tv = r->theta_true[(size_t)i * K + q], ev = r->theta_est[(size_t)i * K + q], var = r->theta_cov[((size_t)i * K + q) * K + q];
    if (isnan(tv)) continue; /* not a test sample */
    if (!isfinite(ev) || !(var >= 0) || !isfinite(var)) {
      c->n_missing++;
      continue;
    }
    c->n++;
    for (int k = 0; k < SEMG_COVERAGE_N; k++) in[k] += fabs(ev - tv) <= SemgCoverageZ[k] * sqrt(var);
    wsum += 2 * SemgCoverageZ[3] * sqrt(var);
  }
  if (!c->n) return;
  for (int k = 0; k < SEMG_COVERAGE_N; k++) {
    c->cover[k] = 100.0 * (double)in[k] / (double)c->n;
    Wilson(in[k], c->n, &c->lo[k], &c->hi[k]);
  }
  c->width95 = wsum / (double)c->n;
}
