/* A subcommand of the semg program: a function that reads its options in one place, runs on the given
   communicator and returns a PetscErrorCode (user errors: SEMG_ERR_USER, one line, exit 2).
   Each part owns its commands, as PETSc packages own their registries (KSPRegisterAll): the part lists them
   once in its commands.h as lines X(name, function, summary) of a macro SEMG_<PART>_COMMANDS(X); the two
   macros below expand that list into the functions' prototypes and into the part's table, which the
   program (semg.c) walks. Adding a command is one line in the owning part's commands.h. */
#ifndef SEMG_COMMAND_H
#define SEMG_COMMAND_H

#include <petscsys.h>

typedef PetscErrorCode (*SemgCommandFn)(MPI_Comm comm);

typedef struct {
  const char   *name; /* semg NAME */
  SemgCommandFn run;
  const char   *summary; /* one line for `semg -help` */
} SemgCommand;

#define SEMG_COMMAND_PROTOTYPE(name, fn, summary) PETSC_EXTERN PetscErrorCode fn(MPI_Comm);
#define SEMG_COMMAND_ENTRY(name, fn, summary)     {name, fn, summary},
/* the entry that ends every part's table */
#define SEMG_COMMAND_END \
  { \
    NULL, NULL, NULL \
  }

#endif
