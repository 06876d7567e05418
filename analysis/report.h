/* semg report: plots and report.md of a study from its metrics.csv, result and model files. */
#ifndef SEMG_REPORT_H
#define SEMG_REPORT_H

#include <petscsys.h>
#include "analysis/metrics.h"

#define SEMG_REPORT_MAX_AXES   32
#define SEMG_REPORT_MAX_EST    16
#define SEMG_REPORT_MAX_LEVELS 17

typedef struct {
  char     name[64], unit[16];
  PetscInt n_levels;                          /* including the reference, level 0 */
  char     label[SEMG_REPORT_MAX_LEVELS][48]; /* value column of metrics.csv */
  double   value[SEMG_REPORT_MAX_LEVELS];     /* numeric value, NaN for named levels */
} SemgReportAxis;

/* One-line summary per axis, estimator and quantity (spec section 2, "Sensitivity"). */
typedef struct {
  double mae0, mae_last, mae_worst; /* at the reference, at the last (most severe) level, the largest */
  double doubling;                  /* value where MAE reaches 2 x mae0 (interpolated), NaN if never */
  char   doubling_label[48];        /* the same for named levels, "-" if never */
  double slope0;                    /* d MAE / d value at the reference (first level), NaN if not numeric */
} SemgSensitivity;

/* An estimator's worst condition for the scatter plot. */
typedef struct {
  char axis[64], label[48], file[256], ref_file[256];
} SemgWorst;

typedef struct {
  SemgMetricTable t;
  PetscInt        n_axes, n_est, n_models;
  SemgReportAxis  axis[SEMG_REPORT_MAX_AXES];
  char            est[SEMG_REPORT_MAX_EST][32];
  char            model[64][256];
  SemgSensitivity sens[SEMG_REPORT_MAX_AXES][SEMG_REPORT_MAX_EST][2];
  SemgWorst       worst[SEMG_REPORT_MAX_EST][2];
} SemgReport;

/* The number shown for (axis, level, estimator, metric): the trained estimator's mean over seeds
   (with the across-seed interval when there are >= 2 seeds, else the bootstrap interval of its one
   seed), otherwise the estimator's row with its bootstrap interval. */
PETSC_EXTERN void SemgReportValue(const SemgReport *R, const char axis[], PetscInt level, const char est[], const char metric[], double *v, double *lo, double *hi);
/* "reference" for level 0, else "axis = label unit" (no unit for unitless axes): a condition's name in tables. */
PETSC_EXTERN void           SemgReportConditionLabel(const SemgReport *R, PetscInt a, PetscInt l, char *buf, size_t n);
PETSC_EXTERN PetscBool      SemgReportEstimates(const char est[], const char quantity[]);
PETSC_EXTERN PetscErrorCode SemgReportGnuplot(const char name[]);
/* The first lines of every plot script: PNG terminal of w x h pixels writing plots/<name>.png, grid. */
PETSC_EXTERN void           SemgReportGnuplotHeader(FILE *gp, const char name[], int w, int h);
PETSC_EXTERN PetscErrorCode SemgReportPlotAxis(const SemgReport *R, PetscInt a);
PETSC_EXTERN PetscErrorCode SemgReportPlotHeatmap(const SemgReport *R);
PETSC_EXTERN PetscErrorCode SemgReportPlotScatter(const SemgReport *R, int q);
PETSC_EXTERN PetscErrorCode SemgReportPlotTraining(const SemgReport *R, PetscBool *made);
/* plots/reliability_<est>.png when the estimator's rows include coverage (made = PETSC_TRUE). */
PETSC_EXTERN PetscErrorCode SemgReportPlotReliability(const SemgReport *R, PetscInt e, PetscBool *made);
/* Section "Estimators built to survive model error": each issue-20 estimator's target from the metrics, met or not. */
PETSC_EXTERN void SemgReportTargets(FILE *fp, const SemgReport *R);
/* Sensitivity of one MAE series: values v[0..n-1] (v[0] the reference), MAE m[0..n-1]. */
PETSC_EXTERN void SemgSensitivityCompute(PetscInt n, const double v[], const double m[], const char *const labels[], SemgSensitivity *s);

#endif
