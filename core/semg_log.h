/* Messages, progress lines and the error handler of the semg program. */
#ifndef SEMG_LOG_H
#define SEMG_LOG_H

#include <petscsys.h>

#define SEMG_EXIT_REQUEUE 99 /* "checkpointed, requeue me" (Slurm pre-timeout) */

/* Install the handler that prints user errors as one line on rank 0. */
PETSC_EXTERN PetscErrorCode SemgErrorHandlerPush(void);
/* Map the command's result to the process exit code (0 ok, 2 user error, 99 requeue, 1 other). */
PETSC_EXTERN int SemgExitCode(MPI_Comm comm, PetscErrorCode ierr);
/* A command that ends normally but wants a special exit code (e.g. SEMG_EXIT_REQUEUE). */
PETSC_EXTERN void SemgSetExitCode(int code);

/* Progress of long work on rank 0: a rewritten line on a terminal, a log line every
   `interval` seconds otherwise. done/total are global counts. */
typedef struct {
  const char    *what;
  PetscCount     total;
  PetscCount     done; /* last count passed to SemgProgressUpdate */
  PetscLogDouble t_start, t_last;
  PetscReal      interval;
  PetscBool      tty;
  PetscBool      quiet;
} SemgProgress;

PETSC_EXTERN PetscErrorCode SemgProgressStart(MPI_Comm comm, const char *what, PetscCount total, SemgProgress *p);
PETSC_EXTERN PetscErrorCode SemgProgressUpdate(MPI_Comm comm, SemgProgress *p, PetscCount done);
PETSC_EXTERN PetscErrorCode SemgProgressEnd(MPI_Comm comm, SemgProgress *p);

#endif
