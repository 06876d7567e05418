#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/semg_error.h"
#include "core/semg_options.h"

static const char *semg_command_name = "";

const char *SemgCommandName(void) { return semg_command_name; }
void        SemgSetCommandName(const char *name) { semg_command_name = name; }

PetscBool SemgStringEndsWith(const char *s, const char *suffix)
{
  size_t n, m;

  if (!s || !suffix) return PETSC_FALSE;
  n = strlen(s);
  m = strlen(suffix);
  return (PetscBool)(n >= m && !strcmp(s + n - m, suffix));
}

/* Options every command may carry without reading them itself (PETSc's own, read lazily). */
static const char *const semg_global_prefixes[] = {"options_", "log_", "malloc", "info", "help", "on_error_", "quiet", "viewer_", "fp_trap", "check_pointer", "skip_petscrc", "history", "objects_dump", "memory_view", "no_signal_handler", "error_output_", "mpi_", "prefix_", "use_gpu_aware_mpi", NULL};

static PetscBool HasPrefix(const char *name, const char *const list[])
{
  if (!list) return PETSC_FALSE;
  for (int i = 0; list[i]; i++)
    if (!strncmp(name, list[i], strlen(list[i]))) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* With -help the command has just listed its options: stop before doing any work. */
static PetscErrorCode StopIfHelp(MPI_Comm comm)
{
  PetscBool help = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) SETERRQ(comm, SEMG_ERR_HELP_DONE, "help listed");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOptionsRejectUnknown(MPI_Comm comm, const char *const allowed_prefixes[])
{
  PetscInt n;
  char   **names, **values;
  char     bad[512] = "";

  PetscFunctionBeginUser;
  PetscCall(StopIfHelp(comm));
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) {
    const char *nm = names[i];
    if (HasPrefix(nm, semg_global_prefixes) || HasPrefix(nm, allowed_prefixes)) continue;
    if (strlen(bad) + strlen(nm) + 4 < sizeof(bad)) {
      if (bad[0]) strcat(bad, ", ");
      strcat(bad, "-");
      strcat(bad, nm);
    }
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscCheck(!bad[0], comm, SEMG_ERR_USER, "unknown option %s (semg %s -help lists the options)", bad, SemgCommandName());
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOptionsRequire(MPI_Comm comm, const char name[], PetscBool set)
{
  PetscFunctionBeginUser;
  if (!set) PetscCall(StopIfHelp(comm));
  PetscCheck(set, comm, SEMG_ERR_USER, "option %s is required (semg %s -help)", name, SemgCommandName());
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOptionsString(char **str)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, str));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0 looks at the file system, every rank gets the same verdict. */
PetscErrorCode SemgCheckOutputPath(MPI_Comm comm, const char option[], const char path[])
{
  PetscMPIInt rank;
  int         ok = 1;
  char        dir[PETSC_MAX_PATH_LEN];
  struct stat st;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(path && path[0], comm, SEMG_ERR_USER, "option %s: empty output path", option);
  if (!rank) {
    char *slash;
    PetscCall(PetscStrncpy(dir, path, sizeof(dir)));
    slash = strrchr(dir, '/');
    if (slash) {
      if (slash == dir) slash[1] = 0;
      else slash[0] = 0;
    } else PetscCall(PetscStrncpy(dir, ".", sizeof(dir)));
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) ok = -1;
    else if (access(dir, W_OK)) ok = -2;
    else if (!stat(path, &st) && S_ISDIR(st.st_mode)) ok = -3;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
  PetscCheck(ok != -1, comm, SEMG_ERR_USER, "option %s: cannot write '%s': directory does not exist", option, path);
  PetscCheck(ok != -2, comm, SEMG_ERR_USER, "option %s: cannot write '%s': directory is not writable", option, path);
  PetscCheck(ok != -3, comm, SEMG_ERR_USER, "option %s: cannot write '%s': it is a directory", option, path);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckInputPath(MPI_Comm comm, const char option[], const char path[])
{
  PetscMPIInt rank;
  int         err = 0;
  struct stat st;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(path && path[0], comm, SEMG_ERR_USER, "option %s: empty input path", option);
  if (!rank) {
    if (stat(path, &st)) err = errno;
    else if (S_ISDIR(st.st_mode)) err = EISDIR;
    else if (access(path, R_OK)) err = EACCES;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, SEMG_ERR_USER, "option %s: cannot read '%s': %s", option, path, strerror(err));
  PetscFunctionReturn(PETSC_SUCCESS);
}
