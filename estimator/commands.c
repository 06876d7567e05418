/* The table of estimator/ (white-box baselines, informed autoencoder) for the program (semg.c); the list is in commands.h. */
#include "estimator/commands.h"

const SemgCommand SemgEstimatorCommands[] = {SEMG_ESTIMATOR_COMMANDS(SEMG_COMMAND_ENTRY) SEMG_COMMAND_END};
