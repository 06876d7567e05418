static char help[] = "semg: surface-EMG simulation and motor-unit parameter estimation.\n"
                     "Usage: semg COMMAND [options]   (semg COMMAND -help lists the command's options)\n";

#include <signal.h>
#include <string.h>
#include <petscsys.h>
#include "core/semg_error.h"
#include "core/semg_commands.h"
#include "core/semg_options.h"
#include "core/semg_log.h"
#include "core/semg_input.h"

/* Every subcommand of the program. Keep alphabetical within each part. */
static const SemgCommand semg_commands[] = {
  {"muap",     SemgCmdMuap,     "monopolar/SD/DD MUAP of listed or generated fibres (CCS model)"},
  {"simulate", SemgCmdSimulate, "dataset of N motor-unit samples with ground truth (HDF5)"},
  {"leadfield",  SemgCmdLeadfield,  "volume-conductor lead fields of an electrode array (reciprocity, HDF5)"},
  {"pointsource", SemgCmdPointsource, "potential of a 1 A point source at electrodes (infinite|halfspace|layered|fdm)"},
  {"import",   SemgCmdImport,   "CSV recordings/simulations into the semg dataset format"},
  {"export",   SemgCmdExport,   "semg dataset to CSV"},
  {"info",     SemgCmdInfo,     "validate a semg HDF5 file and print its summary"},
  {"baseline", SemgCmdBaseline, "white-box IZ/CV estimators and per-sample physics fit on a dataset"},
  {"train",    SemgCmdTrain,    "train the informed autoencoder (data-parallel, checkpoint/restart)"},
  {"estimate", SemgCmdEstimate, "IZ/CV estimates of a dataset with a trained autoencoder (.h5 or .csv)"},
};
static const int semg_ncommands = (int)(sizeof(semg_commands) / sizeof(semg_commands[0]));

static void PrintUsage(FILE *fp)
{
  fprintf(fp, "%s\nCommands:\n", help);
  for (int i = 0; i < semg_ncommands; i++) fprintf(fp, "  %-12s %s\n", semg_commands[i].name, semg_commands[i].summary);
}

static const SemgCommand *FindCommand(const char *name)
{
  for (int i = 0; i < semg_ncommands; i++)
    if (!strcmp(semg_commands[i].name, name)) return &semg_commands[i];
  return NULL;
}

int main(int argc, char **argv)
{
  const SemgCommand *cmd;
  PetscErrorCode     ierr;
  int                exit_code;

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
  exit_code = SemgPreInitialize(cmd->name, argc, argv); /* options files, MPI-IO component */
  if (exit_code) return exit_code;
  ierr = PetscInitialize(&argc, &argv, NULL, help);
  if (ierr) return SemgInitializeFailed(cmd->name, argc, argv);
  /* Output piped into a reader that stops early (| head, | grep -q) ends the output, not the run. */
  signal(SIGPIPE, SIG_IGN);
  ierr = SemgErrorHandlerPush();
  if (!ierr) ierr = cmd->run(PETSC_COMM_WORLD);
  exit_code = SemgExitCode(PETSC_COMM_WORLD, ierr);
  if (exit_code == 0 || exit_code == 2 || exit_code == 99) {
    (void)PetscFinalize();
  } else {
    /* An internal error on some ranks only: the others may be blocked in a collective. */
    MPI_Abort(PETSC_COMM_WORLD, exit_code);
  }
  return exit_code;
}
