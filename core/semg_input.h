/* The input-validation layer: every file, option value and path that comes from a user passes here.
   - Files named by options are regular files (a FIFO or device would block or stream), readable, and
     their identity (device + inode, links resolved) is recorded, so that no output of the same run can
     be the same file as an input or as another output (see semg_output.h).
   - Integer and real option values are parsed strictly, with the option's name in every message:
     "5abc", "4294967298" (which PETSc would wrap to 2 with 32-bit indices), "nan", and list options
     with more values than they take are user errors instead of being silently cut or wrapped.
   - Before PetscInitialize: options files are checked (regular, readable) and the MPI-IO component
     that cannot crash on long paths is chosen.
   The strict option macros are in core/semg_strict_options.h (included by core/semg_error.h), so each
   subcommand keeps its ordinary PetscOptionsBegin/End block. */
#ifndef SEMG_INPUT_H
#define SEMG_INPUT_H

#include <petscsys.h>

/* One input file named by option: a readable regular file, not an output of this run (collective). */
PETSC_EXTERN PetscErrorCode SemgInputCheckFile(MPI_Comm comm, const char option[], const char path[]);

/* While an input file is being read, a library failure (HDF5: wrong type, shape, truncated data) is
   a malformed input, i.e. a user error naming the file, not an internal error. Set by SemgH5Open,
   cleared by SemgH5Close; SemgInputReading returns "-data 'x.h5'" or NULL. */
PETSC_EXTERN void        SemgInputReadingSet(const char option[], const char path[]);
PETSC_EXTERN void        SemgInputReadingClear(const char path[]);
PETSC_EXTERN const char *SemgInputReading(void);

/* Identity registry of the files named on the command line (rank-local; rank 0 decides).
   kind: 'i' input, 'o' output. On a clash msg gets a one-line explanation and 1 is returned. */
PETSC_EXTERN int SemgFileIdentityAdd(char kind, const char option[], const char path[], char msg[], size_t len);

/* Strict text to number conversions; 0 on success, else msg names option and value. */
PETSC_EXTERN int SemgParseInt(const char option[], const char text[], PetscInt lb, PetscInt ub, PetscInt *v, char msg[], size_t len);
PETSC_EXTERN int SemgParseReal(const char option[], const char text[], PetscReal *v, char msg[], size_t len);

/* Called by main before PetscInitialize: 0 to go on, else the exit code (the one-line error printed). */
PETSC_EXTERN int SemgPreInitialize(const char command[], int argc, char **argv);
/* Called by main when PetscInitialize failed: prints one line, returns the exit code. */
PETSC_EXTERN int SemgInitializeFailed(const char command[], int argc, char **argv);

#endif
