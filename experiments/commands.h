/* The commands of experiments/ (study drivers): one line X(name, function, summary) each (core/semg_command.h). */
#ifndef SEMG_EXPERIMENTS_COMMANDS_H
#define SEMG_EXPERIMENTS_COMMANDS_H

#include "core/semg_command.h"

#define SEMG_EXPERIMENTS_COMMANDS(X) \
  /* end of the list */

SEMG_EXPERIMENTS_COMMANDS(SEMG_COMMAND_PROTOTYPE)
PETSC_EXTERN const SemgCommand SemgExperimentsCommands[];

#endif
