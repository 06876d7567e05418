#include <string.h>
#include "core/semg_error.h"
#include "core/semg_input.h"
#include "core/semg_options.h"
#include "core/semg_output.h"

static const char *semg_command_name = "";

const char *SemgCommandName(void)
{
  return semg_command_name;
}
void SemgSetCommandName(const char *name)
{
  semg_command_name = name;
}

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

/* The checks live in the input-validation and output-safety layers. */
PetscErrorCode SemgCheckOutputPath(MPI_Comm comm, const char option[], const char path[])
{
  PetscFunctionBeginUser;
  PetscCall(SemgOutputCheckPath(comm, option, path));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCheckInputPath(MPI_Comm comm, const char option[], const char path[])
{
  PetscFunctionBeginUser;
  PetscCall(SemgInputCheckFile(comm, option, path));
  PetscFunctionReturn(PETSC_SUCCESS);
}
