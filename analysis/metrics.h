/* The long-form metrics table of a study (spec experiments.md section 6), one number per row:
   study, axis, level, value, unit, estimator, train_seed, metric, estimate, ci_lo, ci_hi, n, n_failed
   and the study's index of result files (index.tsv, written by semg study plan). */
#ifndef SEMG_METRICS_H
#define SEMG_METRICS_H

#include <petscsys.h>

typedef struct {
  char     study[64], axis[64], value[48], unit[16], estimator[32], seed[8], metric[40];
  PetscInt level;
  double   est, lo, hi;
  long     n, n_failed;
} SemgMetricRow;

typedef struct {
  PetscInt       n, cap;
  SemgMetricRow *row;
} SemgMetricTable;

/* One line of index.tsv: a result (or model) file and the condition it measures. */
typedef struct {
  char     file[256], kind[16], axis[64], label[48], unit[16], estimator[32], seed[8];
  PetscInt level;
  double   value;
} SemgIndexRow;

/* The analysis commands (registered by experiments/commands.h, the program's top part). */
PETSC_EXTERN PetscErrorCode SemgCmdCollect(MPI_Comm comm);
PETSC_EXTERN PetscErrorCode SemgCmdReport(MPI_Comm comm);

PETSC_EXTERN PetscErrorCode SemgIndexRead(const char path[], PetscInt *n, SemgIndexRow **rows);
PETSC_EXTERN PetscErrorCode SemgMetricAppend(SemgMetricTable *t, const SemgMetricRow *r);
PETSC_EXTERN PetscErrorCode SemgMetricWriteCSV(const char path[], const SemgMetricTable *t);
PETSC_EXTERN PetscErrorCode SemgMetricReadCSV(const char path[], SemgMetricTable *t);
PETSC_EXTERN PetscErrorCode SemgMetricTableFree(SemgMetricTable *t);
/* The row of (axis, level, estimator, seed, metric), or NULL. */
PETSC_EXTERN const SemgMetricRow *SemgMetricFind(const SemgMetricTable *t, const char axis[], PetscInt level, const char est[], const char seed[], const char metric[]);

#endif
