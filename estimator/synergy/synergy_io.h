/* Inputs and outputs of `semg synergy`: a recording (CSV: time column + one column per muscle, and an
   events CSV) turned into the envelope matrix; the metrics table of NMF and the 16 configurations; the
   HDF5 result file and the CSV tables the analysis layer plots. */
#ifndef SEMG_SYNERGY_IO_H
#define SEMG_SYNERGY_IO_H

#include <petscsys.h>
#include "estimator/synergy/envelope.h"
#include "estimator/synergy/synergy_run.h"

#define SEMG_SYNERGY_NAME_LEN 32

typedef struct {
  PetscInt   M, T, points_per_cycle;
  PetscReal *V; /* M x T envelopes in [0, 1] */
  char (*names)[SEMG_SYNERGY_NAME_LEN];
  PetscReal *W_true, *H_true; /* synthetic only (else NULL) */
  PetscInt   N_true;
  PetscReal  fs; /* recording: sampling rate, Hz */
  PetscInt   cycles;
  char       source[PETSC_MAX_PATH_LEN];
} SemgSynergyInput;

/* Reads the recording on rank 0 (CSV reader broadcasts), checks it and builds the envelopes on every rank. */
PETSC_EXTERN PetscErrorCode SemgSynergyInputRead(MPI_Comm comm, const char emg[], const char events[], const SemgEnvelopeParams *env, SemgSynergyInput *in);
PETSC_EXTERN PetscErrorCode SemgSynergyInputFree(SemgSynergyInput *in);

/* One row per method: 0 = NMF, 1 + c = configuration c. */
#define SEMG_SYNERGY_NROWS (1 + SEMG_SYNERGY_NCONF)
#define SEMG_SYNERGY_NCOLS 14
PETSC_EXTERN const char *const SemgSynergyMetricNames[SEMG_SYNERGY_NCOLS];
PETSC_EXTERN PetscErrorCode SemgSynergyMetrics(const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS]);

PETSC_EXTERN PetscErrorCode SemgSynergyWriteH5(MPI_Comm comm, const char path[], const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS], const char *attrs);
/* Rank 0 writes DIR/metrics.csv, rank.csv, synergies_<method>.csv, activations_<method>.csv (mean over cycles). */
PETSC_EXTERN PetscErrorCode SemgSynergyWriteTables(MPI_Comm comm, const char dir[], const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS]);

#endif
