/* Parallel HDF5 helpers shared by datasets, result files and checkpoints:
   atomic files (NAME.tmp, renamed when complete), collective metadata, typed attributes,
   provenance. All functions are collective over comm unless they say otherwise. */
#ifndef SEMG_H5_H
#define SEMG_H5_H

#include <hdf5.h>
#include <petscsys.h>

typedef struct {
  hid_t    file;
  hid_t    dxpl;                     /* collective transfer list */
  char     path[PETSC_MAX_PATH_LEN]; /* final name */
  char     tmp[PETSC_MAX_PATH_LEN];  /* name while writing */
  int      writing;
  int      rank; /* rank in the file's communicator */
  MPI_Comm comm; /* the file's communicator (write errors are shared over it) */
} SemgH5File;

/* Create NAME.tmp for writing (collective, MPI-IO driver when comm has several ranks). */
PETSC_EXTERN PetscErrorCode SemgH5CreateAtomic(MPI_Comm comm, const char path[], SemgH5File *f);
/* Open an existing file read-only; a missing or non-HDF5 file is a user error naming option and path. */
PETSC_EXTERN PetscErrorCode SemgH5Open(MPI_Comm comm, const char option[], const char path[], SemgH5File *f);
/* Close; for a file being written: close, barrier, rank 0 renames NAME.tmp to NAME and syncs the directory. */
PETSC_EXTERN PetscErrorCode SemgH5Close(MPI_Comm comm, SemgH5File *f);
/* Close and delete NAME.tmp after a failure (no half file is ever left under the final name). */
PETSC_EXTERN PetscErrorCode SemgH5Abandon(MPI_Comm comm, SemgH5File *f);

PETSC_EXTERN PetscErrorCode SemgH5WriteAttrString(hid_t loc, const char name[], const char value[]);
PETSC_EXTERN PetscErrorCode SemgH5WriteAttrDouble(hid_t loc, const char name[], double value);
PETSC_EXTERN PetscErrorCode SemgH5WriteAttrInt(hid_t loc, const char name[], long long value);
/* found = PETSC_FALSE when absent (no error); value must hold len bytes */
PETSC_EXTERN PetscErrorCode SemgH5ReadAttrString(hid_t loc, const char name[], char value[], size_t len, PetscBool *found);
PETSC_EXTERN PetscErrorCode SemgH5ReadAttrDouble(hid_t loc, const char name[], double *value, PetscBool *found);
PETSC_EXTERN PetscErrorCode SemgH5ReadAttrInt(hid_t loc, const char name[], long long *value, PetscBool *found);

/* Whole small datasets: rank 0 writes, every rank reads everything. dims has rank entries. */
PETSC_EXTERN PetscErrorCode SemgH5WriteSmall(SemgH5File *f, hid_t loc, const char name[], int rank, const hsize_t dims[], hid_t memtype, const void *buf, const char units[]);
PETSC_EXTERN PetscErrorCode SemgH5WriteText(SemgH5File *f, hid_t loc, const char name[], const char text[]);
PETSC_EXTERN PetscErrorCode SemgH5ReadText(hid_t loc, const char name[], char **text); /* PetscFree it; NULL if absent */
/* Dimensions of a dataset; ndims = -1 when absent. */
PETSC_EXTERN PetscErrorCode SemgH5DatasetShape(hid_t loc, const char name[], int *ndims, hsize_t dims[], int maxdims);

/* Rows [start, start+n) of a dataset whose first axis is the example axis; row_len values per row. */
PETSC_EXTERN PetscErrorCode SemgH5CreateRows(hid_t loc, const char name[], int rank, const hsize_t dims[], const char units[], hid_t *dset);
/* The same with the file's element type (e.g. H5T_STD_I32LE for codes); Write/ReadRows still pass doubles
   (HDF5 converts). */
PETSC_EXTERN PetscErrorCode SemgH5CreateRowsOfType(hid_t loc, const char name[], int rank, const hsize_t dims[], hid_t type, const char units[], hid_t *dset);
PETSC_EXTERN PetscErrorCode SemgH5WriteRows(SemgH5File *f, hid_t dset, hsize_t start, hsize_t n, const double *buf);
PETSC_EXTERN PetscErrorCode SemgH5ReadRows(SemgH5File *f, hid_t loc, const char name[], hsize_t start, hsize_t n, double *buf);

/* The provenance attribute set (hpc-conventions.md 6) on loc, identical on all ranks. */
PETSC_EXTERN PetscErrorCode SemgH5WriteProvenance(MPI_Comm comm, SemgH5File *f, hid_t loc);

#endif
