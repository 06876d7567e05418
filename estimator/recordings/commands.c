/* The table of recordings/ (recordings and datasets in and out) for the program (semg.c); the list is in commands.h. */
#include "estimator/recordings/commands.h"

const SemgCommand SemgRecordingsCommands[] = {SEMG_RECORDINGS_COMMANDS(SEMG_COMMAND_ENTRY) SEMG_COMMAND_END};
