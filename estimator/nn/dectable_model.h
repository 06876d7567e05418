/* Forward models behind a decoder table (estimator/nn/dectable_model.c): fill table nodes, hash what
   they depend on, and evaluate the model exactly at the dataset's electrodes (the table's reference). */
#ifndef SEMG_NN_DECTABLE_MODEL_H
#define SEMG_NN_DECTABLE_MODEL_H

#include "estimator/nn/decoder.h"
#include "estimator/nn/dectable.h"

typedef struct _p_SemgDecTableModel *SemgDecTableModel;

/* Collective (vc reads the lead-field file on comm); tab's rows, grid and box must be set. */
PETSC_EXTERN PetscErrorCode SemgDecTableModelCreate(MPI_Comm comm, SemgDecTable tab, SemgDecoder *dec, SemgDecTableModel *m);
PETSC_EXTERN PetscErrorCode SemgDecTableModelDestroy(SemgDecTableModel *m);
/* h = FNV-1a continued over the model's parameters (CCS, tissue, lead-field values). */
PETSC_EXTERN PetscErrorCode SemgDecTableModelHash(SemgDecTableModel m, uint64_t *h);
/* Whether one fill gives one a node of every row (vc) or every a node of every row. */
PETSC_EXTERN PetscBool SemgDecTableModelPerNode(SemgDecTableModel m);
/* Monopolar values at CV v, depth d: per node i (vc), out[row][t]; otherwise out[row][a node][t]. */
PETSC_EXTERN PetscErrorCode SemgDecTableModelFill(SemgDecTableModel m, PetscInt i, PetscReal v, PetscReal d, PetscReal *out);
/* The model at the dataset's electrodes: phi[e nt + k] at latents theta. */
PETSC_EXTERN PetscErrorCode SemgDecTableModelExact(SemgDecTableModel m, const PetscReal *theta, PetscReal *phi);

#endif
