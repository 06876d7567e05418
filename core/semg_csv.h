/* Small numeric CSV tables (fibre tables, electrode tables, recordings). Rank 0 parses, every rank
   receives the same table or the same one-line error naming file, row and column. */
#ifndef SEMG_CSV_H
#define SEMG_CSV_H

#include <stdio.h>
#include <petscsys.h>

typedef struct {
  PetscInt   ncols, nrows;
  char     **names;  /* ncols column names */
  PetscReal *values; /* nrows x ncols, row-major */
  char       path[PETSC_MAX_PATH_LEN];
  char       option[64];
} SemgCSVTable;

/* Every field must be a finite number. */
PETSC_EXTERN PetscErrorCode SemgCSVRead(MPI_Comm comm, const char option[], const char path[], SemgCSVTable *tab);
/* Empty fields become NaN (optional values, e.g. unknown ground truth); NaN text is still rejected. */
PETSC_EXTERN PetscErrorCode SemgCSVReadAllowEmpty(MPI_Comm comm, const char option[], const char path[], SemgCSVTable *tab);
/* Index of a named column; -1 if absent and not required, user error if required. */
PETSC_EXTERN PetscErrorCode SemgCSVColumn(MPI_Comm comm, const SemgCSVTable *tab, const char name[], PetscBool required, PetscInt *idx);
PETSC_EXTERN PetscErrorCode SemgCSVTableFree(SemgCSVTable *tab);

/* Writing: open NAME.tmp (rank 0 only), then SemgCSVClose renames it to NAME. */
PETSC_EXTERN PetscErrorCode SemgCSVOpen(const char path[], FILE **fp);
PETSC_EXTERN PetscErrorCode SemgCSVClose(const char path[], FILE **fp);

/* Electrode tables: columns x,y,z (m), optional column (grid column index) and diameter (m). */
PETSC_EXTERN PetscErrorCode SemgElectrodesReadCSV(MPI_Comm comm, const char option[], const char path[], PetscInt *ne, PetscReal **xyz, PetscInt **column);

#endif
