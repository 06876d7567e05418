/* The commands of estimator/ (white-box baselines, informed autoencoder): one line X(name, function, summary) each (core/semg_command.h). */
#ifndef SEMG_ESTIMATOR_COMMANDS_H
#define SEMG_ESTIMATOR_COMMANDS_H

#include "core/semg_command.h"

#define SEMG_ESTIMATOR_COMMANDS(X) \
  X("baseline", SemgCmdBaseline, "white-box IZ/CV estimators and per-sample physics fit on a dataset") \
  X("train", SemgCmdTrain, "train the informed autoencoder (data-parallel, checkpoint/restart)") \
  X("estimate", SemgCmdEstimate, "IZ/CV estimates of a dataset with a trained autoencoder (.h5 or .csv)") \
  /* end of the list */

SEMG_ESTIMATOR_COMMANDS(SEMG_COMMAND_PROTOTYPE)
PETSC_EXTERN const SemgCommand SemgEstimatorCommands[];

#endif
