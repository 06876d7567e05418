/* Ground truth of a simulated continuous recording (`semg record`, docs/data-format.md 1a): per active
   motor unit its parameters, firing instants and MUAP on the recording's channels. */
#ifndef SEMG_RECORDING_H
#define SEMG_RECORDING_H

#include <petscsys.h>

/* Columns of /ground_truth/units, in this order. */
typedef enum {
  SEMG_UNIT_INDEX = 0, /* index in the pool (0 = lowest threshold) */
  SEMG_UNIT_THRESHOLD, /* recruitment excitation */
  SEMG_UNIT_RATE,      /* mean firing rate (Hz) */
  SEMG_UNIT_IZ,        /* IZ centre x (m) */
  SEMG_UNIT_Y,         /* territory centre y (m) */
  SEMG_UNIT_DEPTH,     /* territory centre depth (m) */
  SEMG_UNIT_CV,        /* mean CV (m/s) */
  SEMG_UNIT_NFIBRES,
  SEMG_UNIT_RADIUS, /* territory radius (m) */
  SEMG_UNIT_NFIRINGS,
  SEMG_UNIT_PTP, /* largest peak-to-peak MUAP amplitude over the channels */
  SEMG_UNIT_COUNT
} SemgUnitColumn;
PETSC_EXTERN const char *const SemgUnitColumnNames[];

typedef struct {
  PetscInt   n_units, n_channels, n_muap, n_firings;
  PetscReal  fs, excitation;
  PetscReal *units;   /* n_units x SEMG_UNIT_COUNT */
  PetscReal *firings; /* n_firings x 2: row in units, time (s) of the firing (on the sample grid) */
  PetscReal *muap;    /* n_units x n_channels x n_muap; sample 0 = the firing instant */
} SemgRecordingTruth;

/* Write into an open dataset file (SemgDatasetWriteWith: h5file is its SemgH5File). */
PETSC_EXTERN PetscErrorCode SemgRecordingTruthWrite(void *h5file, void *truth);
/* Read the truth of a recording file; *truth = NULL when the file has none (a real recording). */
PETSC_EXTERN PetscErrorCode SemgRecordingTruthRead(MPI_Comm comm, const char path[], SemgRecordingTruth **truth);
PETSC_EXTERN PetscErrorCode SemgRecordingTruthDestroy(SemgRecordingTruth **truth);

#endif
