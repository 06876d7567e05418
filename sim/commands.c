/* The table of sim/ (forward models, volume conductor) for the program (semg.c); the list is in commands.h. */
#include "sim/commands.h"

const SemgCommand SemgSimCommands[] = {SEMG_SIM_COMMANDS(SEMG_COMMAND_ENTRY) SEMG_COMMAND_END};
