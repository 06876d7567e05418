/* Linear arrays of a dataset for the classical estimators: the dataset's channels grouped by electrode
   column, ordered by x, and turned into the montage an estimator wants (mono -> SD/DD, SD -> DD by
   differences of neighbouring channels of one column; otherwise the dataset's own montage is used). */
#ifndef SEMG_BASELINES_ARRAYS_H
#define SEMG_BASELINES_ARRAYS_H

#include "core/semg_dataset.h"

typedef struct {
  PetscInt    n_columns;
  PetscInt   *col_start; /* n_columns + 1 offsets into the derived channels */
  PetscInt    n_derived;
  PetscInt   *src;     /* n_derived x 3 dataset channel indices (-1 unused) */
  PetscReal  *w;       /* n_derived x 3 weights */
  PetscReal  *centre;  /* n_derived x centres (m, along x) */
  SemgMontage montage; /* montage of the derived channels */
  PetscInt    nt;
} SemgArrays;

/* Checks that the channel table is the stated montage of the electrode table (SEMG_ERR_USER naming the
   file otherwise), then derives `want` (or the nearest possible montage) per column. */
PETSC_EXTERN PetscErrorCode SemgArraysCreate(MPI_Comm comm, const SemgDataset *ds, const char path[], SemgMontage want, SemgArrays **arr);
/* out = derived channels of one example (x: n_channels x nt of the dataset); out has n_derived x nt. */
PETSC_EXTERN void           SemgArraysApply(const SemgArrays *arr, const PetscReal *x, PetscReal *out);
PETSC_EXTERN PetscInt       SemgArraysMinColumn(const SemgArrays *arr); /* fewest channels of any column */
PETSC_EXTERN PetscErrorCode SemgArraysDestroy(SemgArrays **arr);

#endif
