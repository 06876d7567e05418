/* Error handling shared by every part of semg.
   PETSc's error machinery is the one mechanism: every call is wrapped (PetscCall, PetscCallMPI) and
   every third-party library gets a macro here that turns its failure code into a PETSc error with
   file and line, so one traceback format covers the whole program. */
#ifndef SEMG_ERROR_H
#define SEMG_ERROR_H

#include <petscsys.h>
#include <hdf5.h>

#if PETSC_VERSION_LT(3, 19, 0)
  #define PETSC_SUCCESS 0
#endif

/* After a block that only rank 0 runs (writing a CSV file, say), or work whose verdict may differ
   between ranks (one rank's samples), share its result: if it failed anywhere, every rank returns an
   error and the program exits with the same code everywhere instead of the other ranks waiting
   forever in the next collective. A user error keeps its one-line message (from the first failing
   rank). Usage:
     ierr = rank ? PETSC_SUCCESS : WriteOnRankZero(...);
     PetscCall(SemgShareError(comm, ierr)); */
PETSC_EXTERN PetscErrorCode SemgShareError(MPI_Comm comm, PetscErrorCode ierr);

/* User errors (bad option, bad file, impossible parameter) carry this code; the program (semg.c) turns them
   into a single line "semg <cmd>: error: ..." and exit code 2 instead of a PETSc traceback. */
#define SEMG_ERR_USER PETSC_ERR_USER_INPUT

/* Not an error: -help was given, the command has listed its options and stops here (exit 0). */
#define SEMG_ERR_HELP_DONE 200

/* HDF5 returns negative herr_t / hid_t on failure. */
#define SemgCallH5(expr) \
  do { \
    if ((expr) < 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call failed: %s", #expr); \
  } while (0)

/* Same, but the result is an identifier we keep. */
#define SemgCallH5Id(id, expr) \
  do { \
    (id) = (expr); \
    if ((id) < 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call failed: %s", #expr); \
  } while (0)

/* FFTW plan creation returns NULL on failure. */
#define SemgCheckFFTWPlan(plan) \
  do { \
    if (!(plan)) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "FFTW plan creation failed: %s", #plan); \
  } while (0)

/* A user-input check that must give the same verdict on every rank: each rank evaluates cond on its
   own data, the verdicts are combined, and all ranks raise the same error together (no hang). */
PETSC_EXTERN PetscErrorCode SemgCheckAllRanks(MPI_Comm comm, PetscBool ok, const char *fmt, ...);

/* Strict option parsing for every subcommand (the PetscOptions* macros). */
#include "core/semg_strict_options.h"

#endif
