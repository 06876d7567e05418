static char help[] = "semg: surface-EMG simulation and motor-unit parameter estimation.\n"
                     "Usage: semg COMMAND [options]   (semg COMMAND -help lists the command's options)\n";

#include <signal.h>
#include <string.h>
#include <petscsys.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_log.h"
#include "core/semg_input.h"
#include "estimator/recordings/commands.h"
#include "sim/commands.h"
#include "estimator/commands.h"
#include "experiments/commands.h"

/* The command tables of the parts, in the order `semg -help` lists them. Each part owns its list. */
static const SemgCommand *const semg_parts[] = {SemgSimCommands, SemgRecordingsCommands, SemgEstimatorCommands, SemgExperimentsCommands};
static const int                semg_nparts  = (int)(sizeof(semg_parts) / sizeof(semg_parts[0]));

static void PrintUsage(FILE *fp)
{
  fprintf(fp, "%s\nCommands:\n", help);
  for (int p = 0; p < semg_nparts; p++)
    for (const SemgCommand *c = semg_parts[p]; c->name; c++) fprintf(fp, "  %-12s %s\n", c->name, c->summary);
}

/* `semg CMD -help` lists the command's own options only; `semg CMD -help all` adds PETSc's generic ones
   (about 70 lines) in front. So a plain -help is taken out of argv before PetscInitialize, which would
   print the generic list, and put back into the options database afterwards, where every
   PetscOptionsBegin block of the command sees it; from -help all only the word all is taken out (PETSc
   reads -help as a flag). Returns whether -help was taken out. */
static PetscBool TakeOutHelp(int *argc, char **argv)
{
  for (int i = 1; i < *argc; i++) {
    const PetscBool all = (PetscBool)(i + 1 < *argc && !strcmp(argv[i + 1], "all"));
    const int       k   = all ? i + 1 : i; /* the word to take out */

    if (strcmp(argv[i], "-help") && strcmp(argv[i], "--help")) continue;
    for (int j = k; j + 1 < *argc; j++) argv[j] = argv[j + 1];
    (*argc)--;
    return (PetscBool)!all;
  }
  return PETSC_FALSE;
}

static const SemgCommand *FindCommand(const char *name)
{
  for (int p = 0; p < semg_nparts; p++)
    for (const SemgCommand *c = semg_parts[p]; c->name; c++)
      if (!strcmp(c->name, name)) return c;
  return NULL;
}

int main(int argc, char **argv)
{
  const SemgCommand *cmd;
  PetscErrorCode     ierr = PETSC_SUCCESS;
  int                exit_code;
  PetscBool          plain_help;

  if (argc < 2 || !strcmp(argv[1], "-help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    PrintUsage(stdout);
    return argc < 2 ? 2 : 0;
  }
  cmd = FindCommand(argv[1]);
  if (!cmd) {
    fprintf(stderr, "semg: error: unknown command '%s' (semg -help lists the commands)\n", argv[1]);
    return 2;
  }
  /* The command name is not an option: hide it from PETSc. */
  argv[1] = argv[0];
  argc--;
  argv++;
  SemgSetCommandName(cmd->name);
  plain_help = TakeOutHelp(&argc, argv);
  exit_code  = SemgPreInitialize(cmd->name, argc, argv); /* options files, MPI-IO component (core/semg_input.h) */
  if (exit_code) return exit_code;
  ierr = PetscInitialize(&argc, &argv, NULL, help);
  if (ierr) return SemgInitializeFailed(cmd->name, argc, argv);
  if (plain_help) {
    ierr = PetscOptionsSetValue(NULL, "-help", NULL);
    if (!ierr) ierr = PetscPrintf(PETSC_COMM_WORLD, "semg %s: options (PETSc's generic options: semg %s -help all)\n", cmd->name, cmd->name);
  }
  /* Output piped into a reader that stops early (| head, | grep -q) ends the output, not the run. */
  signal(SIGPIPE, SIG_IGN);
  if (!ierr) ierr = SemgErrorHandlerPush();
  if (!ierr) ierr = cmd->run(PETSC_COMM_WORLD);
  exit_code = SemgExitCode(PETSC_COMM_WORLD, ierr);
  if (plain_help) (void)PetscOptionsClearValue(NULL, "-help"); /* else PetscFinalize lists its -log_view options */
  if (exit_code == 0 || exit_code == 2 || exit_code == 99) {
    (void)PetscFinalize();
  } else {
    /* An internal error on some ranks only: the others may be blocked in a collective. */
    MPI_Abort(PETSC_COMM_WORLD, exit_code);
  }
  return exit_code;
}
