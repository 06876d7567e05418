/* semg train: the informed autoencoder trained data-parallel over MPI (docs/estimator.md). */
#include "core/semg_error.h"
#include "estimator/commands.h"
#include "core/semg_options.h"
#include "estimator/nn/trainer.h"

static PetscErrorCode ProcessOptions(MPI_Comm comm, SemgTrainer *tr)
{
  PetscFunctionBeginUser;
  PetscCall(SemgTrainerSetFromOptions(comm, tr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdTrain(MPI_Comm comm)
{
  SemgTrainer tr;
  PetscBool   final;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&tr, sizeof(tr)));
  PetscCall(ProcessOptions(comm, &tr));
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckInputPath(comm, "-data", tr.data));
  PetscCall(SemgCheckOutputPath(comm, "-output", tr.output));
  PetscCall(SemgTrainerSetUp(&tr, &final));
  if (final) {
    /* idempotent requeue: a finished run does nothing */
    PetscCall(PetscPrintf(comm, "semg train: %s/FINAL exists, the run is complete (%s)\n", tr.ckpt_dir, tr.output));
  } else PetscCall(SemgTrainerRun(&tr));
  PetscCall(SemgTrainerDestroy(&tr));
  PetscFunctionReturn(PETSC_SUCCESS);
}
