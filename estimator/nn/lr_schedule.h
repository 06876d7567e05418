/* Learning-rate schedules of the trainer (spec estimator.md 3): constant, cosine to a floor over the run,
   or steps by a factor every few epochs; an optional linear warm-up on top. */
#ifndef SEMG_NN_LR_SCHEDULE_H
#define SEMG_NN_LR_SCHEDULE_H

#include "core/semg_error.h"

typedef enum { SEMG_LR_CONSTANT = 0, SEMG_LR_COSINE = 1, SEMG_LR_STEP = 2 } SemgLRScheduleType;
PETSC_EXTERN const char *const SemgLRSchedules[];

typedef struct {
  SemgLRScheduleType type;
  PetscReal          min;          /* cosine: final rate */
  PetscReal          gamma;        /* step: factor */
  PetscInt           step_epochs;  /* step: epochs between steps */
  PetscInt           warmup_steps; /* linear warm-up over the first steps (0 = none) */
} SemgLRSchedule;

PETSC_EXTERN PetscErrorCode SemgLRScheduleDefault(SemgLRSchedule *s);
/* -lr_schedule constant|cosine|step -lr_min -lr_gamma -lr_step_epochs -lr_warmup_steps (between PetscOptionsBegin/End). */
PETSC_EXTERN PetscErrorCode SemgLRScheduleOptions(PetscOptionItems *PetscOptionsObject, SemgLRSchedule *s);
/* Learning rate of global step `step` in epoch `epoch` of a run of `total_steps` steps, base rate lr0. */
PETSC_EXTERN PetscReal SemgLRScheduleRate(const SemgLRSchedule *s, PetscReal lr0, PetscInt64 step, PetscInt64 epoch, PetscInt64 total_steps);

#endif
