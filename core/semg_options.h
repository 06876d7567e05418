/* Helpers around PETSc's options database shared by all subcommands. */
#ifndef SEMG_OPTIONS_H
#define SEMG_OPTIONS_H

#include <petscsys.h>

/* Name of the running subcommand (for messages), set by the program (semg.c). */
PETSC_EXTERN const char *SemgCommandName(void);
PETSC_EXTERN void        SemgSetCommandName(const char *name);

/* Reject options that nothing has read, unless their name starts with one of the NULL-terminated
   prefixes (options of PETSc objects that are only read later, e.g. "vc_ksp_", "tao_").
   Call it right after the command's ProcessOptions, before any output is written. */
PETSC_EXTERN PetscErrorCode SemgOptionsRejectUnknown(MPI_Comm comm, const char *const allowed_prefixes[]);

/* Required string option: error naming the option when it is absent. */
PETSC_EXTERN PetscErrorCode SemgOptionsRequire(MPI_Comm comm, const char name[], PetscBool set);

/* The effective options database as one string (provenance); free with PetscFree. */
PETSC_EXTERN PetscErrorCode SemgOptionsString(char **str);

/* Output path check done before any work: the directory exists and is writable. Outputs are written
   to a temporary name and renamed when complete, so an existing good file is only ever replaced by
   a complete new one. */
PETSC_EXTERN PetscErrorCode SemgCheckOutputPath(MPI_Comm comm, const char option[], const char path[]);
PETSC_EXTERN PetscErrorCode SemgCheckInputPath(MPI_Comm comm, const char option[], const char path[]);

PETSC_EXTERN PetscBool SemgStringEndsWith(const char *s, const char *suffix);

#endif
