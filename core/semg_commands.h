/* Subcommands of the semg program. Each reads its options in one place, runs on the given
   communicator and returns a PetscErrorCode; user errors use SEMG_ERR_USER (one line, exit 2). */
#ifndef SEMG_COMMANDS_H
#define SEMG_COMMANDS_H

#include <petscsys.h>

typedef PetscErrorCode (*SemgCommandFn)(MPI_Comm comm);

typedef struct {
  const char   *name;
  SemgCommandFn run;
  const char   *summary;
} SemgCommand;

/* sim/ */
PETSC_EXTERN PetscErrorCode SemgCmdMuap(MPI_Comm);
PETSC_EXTERN PetscErrorCode SemgCmdSimulate(MPI_Comm);
PETSC_EXTERN PetscErrorCode SemgCmdRecord(MPI_Comm);
/* sim/vc/ volume conductor */
PETSC_EXTERN PetscErrorCode SemgCmdLeadfield(MPI_Comm);
PETSC_EXTERN PetscErrorCode SemgCmdPointsource(MPI_Comm);
/* core/ data conversion */
PETSC_EXTERN PetscErrorCode SemgCmdImport(MPI_Comm);
PETSC_EXTERN PetscErrorCode SemgCmdExport(MPI_Comm);
PETSC_EXTERN PetscErrorCode SemgCmdInfo(MPI_Comm);
/* estimator/baselines */
PETSC_EXTERN PetscErrorCode SemgCmdBaseline(MPI_Comm);
/* estimator/templates */
PETSC_EXTERN PetscErrorCode SemgCmdTemplates(MPI_Comm);
/* estimator/nn/ informed autoencoder */
PETSC_EXTERN PetscErrorCode SemgCmdTrain(MPI_Comm);
PETSC_EXTERN PetscErrorCode SemgCmdEstimate(MPI_Comm);

#endif
