/* Learning-rate schedules (lr_schedule.h). */
#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/lr_schedule.h"

const char *const SemgLRSchedules[] = {"constant", "cosine", "step", "SemgLRScheduleType", "SEMG_LR_", NULL};

PetscErrorCode SemgLRScheduleDefault(SemgLRSchedule *s)
{
  PetscFunctionBeginUser;
  s->type         = SEMG_LR_CONSTANT;
  s->min          = 0.0;
  s->gamma        = 0.5;
  s->step_epochs  = 10;
  s->warmup_steps = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLRScheduleOptions(PetscOptionItems *PetscOptionsObject, SemgLRSchedule *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsEnum("-lr_schedule", "learning-rate schedule: constant, cosine (to -lr_min over the run), step (x gamma every -lr_step_epochs)", "", SemgLRSchedules,
                             (PetscEnum)s->type, (PetscEnum *)&s->type, NULL));
  PetscCall(PetscOptionsReal("-lr_min", "final learning rate of the cosine schedule", "", s->min, &s->min, NULL));
  PetscCall(PetscOptionsReal("-lr_gamma", "factor of the step schedule", "", s->gamma, &s->gamma, NULL));
  PetscCall(PetscOptionsInt("-lr_step_epochs", "epochs between steps of the step schedule", "", s->step_epochs, &s->step_epochs, NULL));
  PetscCall(PetscOptionsInt("-lr_warmup_steps", "linear warm-up steps", "", s->warmup_steps, &s->warmup_steps, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal SemgLRScheduleRate(const SemgLRSchedule *s, PetscReal lr0, PetscInt64 step, PetscInt64 epoch, PetscInt64 total)
{
  PetscReal lr = lr0;

  if (s->type == SEMG_LR_COSINE && total > 0)
    lr = s->min + 0.5 * (lr0 - s->min) * (1.0 + cos(PETSC_PI * (PetscReal)PetscMin(step, total) / (PetscReal)total));
  else if (s->type == SEMG_LR_STEP) lr = lr0 * pow(s->gamma, (PetscReal)(epoch / PetscMax(s->step_epochs, 1)));
  if (s->warmup_steps > 0 && step < s->warmup_steps) lr *= (PetscReal)(step + 1) / (PetscReal)s->warmup_steps;
  return lr;
}
