/* The semg HDF5 dataset (docs/data-format.md): example sets of sEMG with their electrode table,
   channel derivations, ground truth and provenance. Every command reads and writes this one format.

   In memory each rank holds a contiguous block of examples [start, start + n_local) of the global
   set (block partition, SemgPartition); writes and reads are collective. */
#ifndef SEMG_DATASET_H
#define SEMG_DATASET_H

#include <petscsys.h>

#define SEMG_SCHEMA_NAME    "semg-dataset"
#define SEMG_SCHEMA_VERSION 1
#define SEMG_NAME_LEN       32

typedef enum { SEMG_MONTAGE_MONO = 0, SEMG_MONTAGE_SD = 1, SEMG_MONTAGE_DD = 2 } SemgMontage;
PETSC_EXTERN const char *const SemgMontages[]; /* "mono", "sd", "dd", then PETSc enum tail */

typedef struct {
  /* global shape */
  PetscCount  n_examples;
  PetscInt    n_channels, n_times, n_electrodes, n_theta;
  PetscReal   fs;                 /* Hz */
  char        units[16];          /* "a.u." (CCS model units) or "V" */
  char        recording_type[16]; /* "epoched" */
  SemgMontage montage;
  /* electrode table, n_electrodes x 3 (x, y, z in m), and diameters (0 = point) */
  PetscReal *electrode_xyz, *electrode_diameter;
  PetscInt  *electrode_column; /* column index (grid); channels are formed within a column */
  /* channel table: each channel = sum_j weight[j] * electrode[idx[j]], up to 3 terms (-1 = unused) */
  PetscInt  *channel_electrode; /* n_channels x 3 */
  PetscReal *channel_weight;    /* n_channels x 3 */
  PetscReal *channel_centre;    /* n_channels x 3 (x, y, z of the derivation centre) */
  /* ground truth */
  PetscBool has_truth;
  char (*theta_names)[SEMG_NAME_LEN];
  char (*theta_units)[SEMG_NAME_LEN];
  /* local block */
  PetscCount start, n_local;
  PetscReal *data;  /* n_local x n_channels x n_times */
  PetscReal *theta; /* n_local x n_theta (NaN where unknown) */
  /* the fixed template MU of the samples, when there is one: n_template_fibres x 8
     (origin x, y, z, ip, length, cv, rz, ry; the template at IZ x = 0), else NULL */
  PetscInt   n_template_fibres;
  PetscReal *template_fibres;
  /* free text describing model and mismatch settings, stored with the file */
  char *model_config;
} SemgDataset;

PETSC_EXTERN PetscErrorCode SemgPartition(MPI_Comm comm, PetscCount n, PetscCount *start, PetscCount *n_local);
PETSC_EXTERN PetscErrorCode SemgDatasetCreate(MPI_Comm comm, PetscCount n_examples, PetscInt n_electrodes, PetscInt n_channels, PetscInt n_times, PetscInt n_theta, SemgDataset **ds);
PETSC_EXTERN PetscErrorCode SemgDatasetSetMontage(SemgDataset *ds, SemgMontage montage); /* fills the channel table from electrode order/columns */
PETSC_EXTERN PetscErrorCode SemgDatasetSetTheta(SemgDataset *ds, PetscInt j, const char *name, const char *units);
PETSC_EXTERN PetscErrorCode SemgDatasetWrite(MPI_Comm comm, const char *path, const SemgDataset *ds);
/* The same, with extra groups written by extra(h5file, ctx) (h5file: the SemgH5File being written)
   before the file is renamed to its final name; a failure in extra leaves no file. */
typedef PetscErrorCode (*SemgDatasetExtraWriter)(void *h5file, void *ctx);
PETSC_EXTERN PetscErrorCode SemgDatasetWriteWith(MPI_Comm comm, const char *path, const SemgDataset *ds, SemgDatasetExtraWriter extra, void *ctx);
PETSC_EXTERN PetscErrorCode SemgDatasetRead(MPI_Comm comm, const char *path, SemgDataset **ds);
PETSC_EXTERN PetscErrorCode SemgDatasetReadAll(MPI_Comm comm, const char *path, SemgDataset **ds); /* every rank reads every example */
/* out[c][k] = sum_j weight[c][j] * mono[electrode[c][j]][k] with the dataset's channel table;
   mono is n_electrodes x n_times, out n_channels x n_times. */
PETSC_EXTERN void SemgDatasetApplyChannels(const SemgDataset *ds, const PetscReal *mono, PetscReal *out);
/* Number of channels a montage gives within the electrode columns. */
PETSC_EXTERN PetscInt       SemgMontageChannelCount(SemgMontage m, PetscInt ne, const PetscInt *column);
PETSC_EXTERN PetscErrorCode SemgDatasetThetaIndex(const SemgDataset *ds, const char *name, PetscInt *j); /* -1 if absent */
PETSC_EXTERN PetscErrorCode SemgDatasetDestroy(SemgDataset **ds);

/* 64-bit FNV-1a hash of shape, sampling frequency and every sample (a dataset read with
   SemgDatasetReadAll): identical on every rank; tells a checkpoint which data it was trained on. */
PETSC_EXTERN uint64_t SemgDatasetFingerprint(const SemgDataset *ds);

#endif
