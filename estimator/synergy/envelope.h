/* EMG envelopes (spec synergies.md 2, defaults of musclesyneRgies filtEMG/normEMG): de-mean, zero-phase
   high-pass, rectification, zero-phase low-pass, floor at the smallest positive entry, min-max scaling per
   channel, and time normalisation of each gait cycle's phases to a fixed number of points. */
#ifndef SEMG_SYNERGY_ENVELOPE_H
#define SEMG_SYNERGY_ENVELOPE_H

#include <petscsys.h>

typedef struct {
  PetscReal hp_fc, lp_fc; /* Hz; hp_fc = 0 skips the high-pass */
  PetscInt  hp_order, lp_order;
  PetscBool half_wave;        /* half-wave instead of full-wave rectification */
  PetscInt  points_per_phase; /* per phase of a cycle (stance, swing): 100 + 100 */
  PetscBool trim;             /* drop the first and last cycle */
} SemgEnvelopeParams;

PETSC_EXTERN PetscErrorCode SemgEnvelopeParamsDefault(SemgEnvelopeParams *p);
PETSC_EXTERN PetscErrorCode SemgEnvelopeOptions(PetscOptionItems *PetscOptionsObject, SemgEnvelopeParams *p);

/* Steps 1-7 in place on x[m][t] (M channels of T samples at fs Hz). `what` names the input in errors
   (a constant or all-zero channel is a user error naming `names[m]`). */
PETSC_EXTERN PetscErrorCode SemgEnvelopeFilter(const SemgEnvelopeParams *p, PetscInt M, PetscInt T, PetscReal fs, const char *what, const char *const names[], PetscReal *x);

/* Gait events: cycle c runs from touchdown[c] to touchdown[c+1] with the phase boundary at liftoff[c]
   (ne event rows give ne - 1 cycles). Checks order and that every used event lies inside [t0, t1];
   returns the number of cycles kept after trimming (user error naming `what` when fewer than 3). */
PETSC_EXTERN PetscErrorCode SemgEnvelopeCheckEvents(const SemgEnvelopeParams *p, PetscInt ne, const PetscReal *touchdown, const PetscReal *liftoff, PetscReal t0, PetscReal t1, const char *what, PetscInt *ncycles);
/* Time normalisation: x[m][t] sampled at times time[t] (increasing) -> out[m][ncycles * 2 * points]. */
PETSC_EXTERN PetscErrorCode SemgEnvelopeNormaliseTime(const SemgEnvelopeParams *p, PetscInt M, PetscInt T, const PetscReal *time, const PetscReal *x, PetscInt ne, const PetscReal *touchdown, const PetscReal *liftoff, PetscInt ncycles, PetscReal *out);

#endif
