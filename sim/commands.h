/* The commands of sim/ (forward models, volume conductor): one line X(name, function, summary) each (core/semg_command.h). */
#ifndef SEMG_SIM_COMMANDS_H
#define SEMG_SIM_COMMANDS_H

#include "core/semg_command.h"

#define SEMG_SIM_COMMANDS(X) \
  X("muap", SemgCmdMuap, "monopolar/SD/DD MUAP of listed or generated fibres (CCS model)") \
  X("simulate", SemgCmdSimulate, "dataset of N motor-unit samples with ground truth (HDF5)") \
  X("leadfield", SemgCmdLeadfield, "volume-conductor lead fields of an electrode array (reciprocity, HDF5)") \
  X("pointsource", SemgCmdPointsource, "potential of a 1 A point source at electrodes (infinite|halfspace|layered|fdm)") \
  /* end of the list */

SEMG_SIM_COMMANDS(SEMG_COMMAND_PROTOTYPE)
PETSC_EXTERN const SemgCommand SemgSimCommands[];

#endif
