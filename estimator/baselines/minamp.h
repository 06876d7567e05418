/* Minimum-amplitude IZ between the propagating maxima (issue 18, default of iz_minamp): the argmin of
   the SD channels' RMS is searched only between the first and the last channel whose RMS reaches `frac`
   of the largest, then refined by a parabola as SemgIZMinAmplitude. The global argmin of the spec's
   method lands on a far channel whenever the potential fades towards an end of the array (shallow or
   laterally offset units, residual interference in a template); the IZ is the dip between the two
   propagating maxima. frac = 0 gives the global argmin. */
#ifndef SEMG_BASELINES_MINAMP_H
#define SEMG_BASELINES_MINAMP_H

#include <petscsys.h>

PETSC_EXTERN PetscErrorCode SemgIZMinAmplitudeBetween(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal frac, PetscReal *iz);

#endif
