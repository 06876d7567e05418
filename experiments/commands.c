/* The table of experiments/ (study drivers) for the program (semg.c); the list is in commands.h. */
#include "experiments/commands.h"

const SemgCommand SemgExperimentsCommands[] = {SEMG_EXPERIMENTS_COMMANDS(SEMG_COMMAND_ENTRY) SEMG_COMMAND_END};
