#include <string.h>
#include <stdarg.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_input.h"
#include "core/semg_log.h"
#include "core/semg_options.h"
#include "core/semg_output.h"

static int semg_exit_code = 0;

void SemgSetExitCode(int code)
{
  semg_exit_code = code;
}

/* Set when PETSc's option parsing (PetscOptions*: an unknown value of an enumerated option, "abc" for an
   integer) or an unknown type name raised the error: that is bad user input too, identical on every rank. */
static PetscBool semg_options_error = PETSC_FALSE;

static PetscBool SemgIsUserError(PetscErrorCode n)
{
  return n == SEMG_ERR_USER || semg_options_error ? PETSC_TRUE : PETSC_FALSE;
}

/* PETSc calls this at the origin of an error and again at every level it passes through.
   User errors are collective (every rank raises the same one), so rank 0 alone prints them. */
static PetscErrorCode SemgErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  PetscMPIInt rank = 0;

  (void)comm;
  (void)ctx;
  if (p != PETSC_ERROR_INITIAL) return n;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (n == SEMG_ERR_HELP_DONE) return n;
  /* option parsing, or a type name (-vc_pc_type, -vc_dm_mat_type ...) that only options can supply */
  if ((fun && !strncmp(fun, "PetscOptions", 12)) || n == PETSC_ERR_ARG_UNKNOWN_TYPE) semg_options_error = PETSC_TRUE;
  /* a library failure while an input file is read: the file is malformed (same on every rank) */
  if (n == PETSC_ERR_LIB && SemgInputReading() && !SemgIsUserError(n)) {
    semg_options_error = PETSC_TRUE;
    if (rank == 0)
      fprintf(stderr, "semg %s: error: %s: malformed file (wrong type, shape or truncated): %s\n", SemgCommandName(), SemgInputReading(), mess ? mess : "");
    fflush(stderr);
    return n;
  }
  if (SemgIsUserError(n)) {
    static PetscBool printed = PETSC_FALSE; /* SemgShareError raises the same user error again */
    if (rank == 0 && !printed) fprintf(stderr, "semg %s: error: %s\n", SemgCommandName(), mess ? mess : "(no message)");
    printed = PETSC_TRUE;
  } else {
    fprintf(stderr, "semg %s: internal error on rank %d: %s [PETSc error %d in %s() at %s:%d]\n", SemgCommandName(), (int)rank, mess ? mess : "(no message)", (int)n, fun, file, line);
  }
  fflush(stderr);
  return n;
}

PetscErrorCode SemgErrorHandlerPush(void)
{
  PetscFunctionBeginUser;
  PetscErrorPrintf = PetscErrorPrintfDefault; /* silenced during PetscInitialize by SemgPreInitialize */
  PetscCall(PetscPushErrorHandler(SemgErrorHandler, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int SemgExitCode(MPI_Comm comm, PetscErrorCode ierr)
{
  (void)comm;
  if (!ierr || ierr == SEMG_ERR_HELP_DONE) return semg_exit_code;
  /* A failed command leaves no temporary file behind. User errors are raised on every rank together,
     so HDF5 files can be closed collectively; after an internal error only the names are removed. */
  SemgOutputRemoveTemps(SemgIsUserError(ierr));
  if (SemgIsUserError(ierr)) return 2;
  return 1;
}

/* The lowest rank where failed is true (size if none), and this rank. */
static PetscErrorCode FirstFailingRank(MPI_Comm comm, PetscBool failed, PetscMPIInt *first, PetscMPIInt *rank, PetscMPIInt *size)
{
  PetscMPIInt mine;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, rank));
  PetscCallMPI(MPI_Comm_size(comm, size));
  mine = failed ? *rank : *size;
  PetscCallMPI(MPI_Allreduce(&mine, first, 1, MPI_INT, MPI_MIN, comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckAllRanks(MPI_Comm comm, PetscBool ok, const char *fmt, ...)
{
  PetscMPIInt rank, size, first_bad;
  char        msg[1024] = "";
  va_list     ap;

  PetscFunctionBeginUser;
  PetscCall(FirstFailingRank(comm, (PetscBool)!ok, &first_bad, &rank, &size));
  if (first_bad == size) PetscFunctionReturn(PETSC_SUCCESS);
  if (rank == first_bad) {
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
  }
  PetscCallMPI(MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, first_bad, comm));
  SETERRQ(comm, SEMG_ERR_USER, "%s", msg);
}

PetscErrorCode SemgShareError(MPI_Comm comm, PetscErrorCode ierr)
{
  PetscMPIInt rank, size, first;
  int         code      = (int)ierr;
  char        msg[1024] = "";

  PetscFunctionBeginUser;
  PetscCall(FirstFailingRank(comm, (PetscBool)(ierr != 0), &first, &rank, &size));
  if (first == size) PetscFunctionReturn(PETSC_SUCCESS);
  if (rank == first) {
    char *specific = NULL;
    code           = SemgIsUserError(ierr) ? SEMG_ERR_USER : (int)ierr;
    if (!PetscErrorMessage((int)ierr, NULL, &specific) && specific) PetscCall(PetscStrncpy(msg, specific, sizeof(msg)));
  }
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, first, comm));
  PetscCallMPI(MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, first, comm));
  if (code == SEMG_ERR_USER) SETERRQ(comm, SEMG_ERR_USER, "%s", msg);
  if (ierr) PetscFunctionReturn(ierr); /* an internal error: reported where it happened */
  SETERRQ(comm, (PetscErrorCode)code, "the error reported by rank %d", (int)first);
}

PetscErrorCode SemgProgressStart(MPI_Comm comm, const char *what, PetscCount total, SemgProgress *p)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  p->what     = what;
  p->total    = total;
  p->done     = 0;
  p->interval = 10.0;
  p->tty      = (PetscBool)(rank == 0 && isatty(fileno(stderr)));
  p->quiet    = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-quiet", &p->quiet, NULL));
  PetscCall(PetscTime(&p->t_start));
  p->t_last = p->t_start;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgProgressUpdate(MPI_Comm comm, SemgProgress *p, PetscCount done)
{
  PetscMPIInt    rank;
  PetscLogDouble now;

  PetscFunctionBeginUser;
  p->done = done;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank || p->quiet) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscTime(&now));
  if (p->tty && now - p->t_last > 0.2) {
    fprintf(stderr, "\r%s: %lld/%lld (%.0f%%) %.1f s", p->what, (long long)done, (long long)p->total, p->total ? 100.0 * (double)done / (double)p->total : 100.0, now - p->t_start);
    fflush(stderr);
    p->t_last = now;
  } else if (!p->tty && now - p->t_last > p->interval) {
    fprintf(stderr, "%s: %lld/%lld done, %.1f s\n", p->what, (long long)done, (long long)p->total, now - p->t_start);
    p->t_last = now;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgProgressEnd(MPI_Comm comm, SemgProgress *p)
{
  PetscMPIInt    rank;
  PetscLogDouble now;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank || p->quiet) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscTime(&now));
  if (p->tty) fprintf(stderr, "\r\033[K");
  if (p->done > 0 && p->done < p->total)
    fprintf(stderr, "%s: stopped after %lld of %lld in %.2f s\n", p->what, (long long)p->done, (long long)p->total, now - p->t_start);
  else fprintf(stderr, "%s: %lld done in %.2f s\n", p->what, (long long)p->total, now - p->t_start);
  PetscFunctionReturn(PETSC_SUCCESS);
}
