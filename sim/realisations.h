/* Conductor realisations of -model vc: several lead-field files (e.g. one per random-conductivity
   seed of a tissue level, each solved once by semg leadfield); sample i uses realisation i mod R. */
#ifndef SEMG_REALISATIONS_H
#define SEMG_REALISATIONS_H

#include <petscsys.h>
#include "sim/vc/leadfield.h"

/* Load every file of the comma-separated list (option name for messages) once; they must share their
   electrodes (the dataset has one electrode table). *lfs is PetscMalloc'ed, R entries. */
PETSC_EXTERN PetscErrorCode SemgRealisationsLoad(MPI_Comm comm, const char option[], const char list[], PetscInt *R, SemgLeadfield **lfs);
PETSC_EXTERN PetscErrorCode SemgRealisationsDestroy(PetscInt R, SemgLeadfield **lfs);

#endif
