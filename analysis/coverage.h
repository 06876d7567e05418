/* Coverage of the estimators' stated uncertainty (result files with /estimates/theta_cov): the share of
   test samples whose truth lies in the central interval est +- z_p sd at the nominal levels p, and the
   mean width of the 95 % interval (docs/studies.md, "Uncertainty"). */
#ifndef SEMG_COVERAGE_H
#define SEMG_COVERAGE_H

#include "estimator/result.h"

#define SEMG_COVERAGE_N 5
/* nominal levels (%) and their two-sided normal quantiles z_p */
PETSC_EXTERN const double SemgCoverageNominal[SEMG_COVERAGE_N];
PETSC_EXTERN const double SemgCoverageZ[SEMG_COVERAGE_N];

typedef struct {
  long   n;                      /* samples with truth, an estimate and a finite sd */
  long   n_missing;              /* samples with truth but no estimate or no sd */
  double cover[SEMG_COVERAGE_N]; /* empirical coverage (%) at SemgCoverageNominal */
  double lo[SEMG_COVERAGE_N];    /* Wilson 95 % interval of the coverage (%) */
  double hi[SEMG_COVERAGE_N];
  double width95; /* mean width 2 z_0.975 sd of the 95 % interval (units of theta) */
} SemgCoverage;

/* Coverage of theta column q of r (this process's rows); n = 0 when r carries no covariance. */
PETSC_EXTERN void SemgCoverageCompute(const SemgResult *r, PetscInt q, SemgCoverage *c);

#endif
