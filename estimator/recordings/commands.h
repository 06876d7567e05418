/* The commands of recordings/ (recordings and datasets in and out): one line X(name, function, summary) each (core/semg_command.h). */
#ifndef SEMG_RECORDINGS_COMMANDS_H
#define SEMG_RECORDINGS_COMMANDS_H

#include "core/semg_command.h"

#define SEMG_RECORDINGS_COMMANDS(X) \
  X("import", SemgCmdImport, "CSV recordings/simulations into the semg dataset format") \
  X("export", SemgCmdExport, "semg dataset to CSV") \
  X("info", SemgCmdInfo, "validate a semg HDF5 file and print its summary") \
  /* end of the list */

SEMG_RECORDINGS_COMMANDS(SEMG_COMMAND_PROTOTYPE)
PETSC_EXTERN const SemgCommand SemgRecordingsCommands[];

#endif
