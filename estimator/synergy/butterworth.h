/* Butterworth filters as cascades of second-order sections (spec synergies.md 2): design by the
   bilinear transform with pre-warping, and zero-phase (forward-backward) filtering with odd extension
   and steady-state initial conditions. */
#ifndef SEMG_SYNERGY_BUTTERWORTH_H
#define SEMG_SYNERGY_BUTTERWORTH_H

#include <petscsys.h>

#define SEMG_BUTTER_MAX_ORDER 16

typedef enum { SEMG_BUTTER_LOWPASS = 0, SEMG_BUTTER_HIGHPASS = 1 } SemgButterKind;

/* Section s: y = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) x, stored sos[s] = {b0,b1,b2,a1,a2};
   a first-order section (odd orders) has b2 = a2 = 0. */
typedef struct {
  PetscInt  order, nsec;
  PetscReal sos[(SEMG_BUTTER_MAX_ORDER + 1) / 2][5];
} SemgButter;

/* Order n (1..16), cut-off fc (Hz) strictly between 0 and fs/2; user error naming `what` otherwise. */
PETSC_EXTERN PetscErrorCode SemgButterDesign(SemgButterKind kind, PetscInt order, PetscReal fc, PetscReal fs, const char *what, SemgButter *f);
/* Expanded transfer function b[0..n], a[0..n] (a[0] = 1), for comparison with a reference design. */
PETSC_EXTERN PetscErrorCode SemgButterTransferFunction(const SemgButter *f, PetscReal *b, PetscReal *a);
/* Zero-phase filtering of x[0..n) in place: odd extension by 3(2 order + 1) samples at each end,
   steady-state initial conditions scaled by the first sample, forward pass, backward pass.
   Needs n > 3(2 order + 1). work holds n + 2 * 3(2 order + 1) values. */
PETSC_EXTERN PetscErrorCode SemgButterFiltFilt(const SemgButter *f, PetscInt n, PetscReal *x, PetscReal *work);
PETSC_EXTERN PetscInt       SemgButterPadLength(const SemgButter *f);

#endif
