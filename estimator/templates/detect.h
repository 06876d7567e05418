/* Discharge detection on spatially filtered channels of an interference recording: the energy across
   the array, its local maxima, and a threshold that adapts to the distribution of those maxima (Otsu's
   two-class split of their log amplitudes) instead of a fixed multiple of a noise sigma.
   Signals are channel-major x[c*nt + k]. */
#ifndef SEMG_TEMPLATES_DETECT_H
#define SEMG_TEMPLATES_DETECT_H

#include <petscsys.h>

/* e[k] = sum_c x_c[k]^2 smoothed by a centred moving average of 2*half+1 samples. */
PETSC_EXTERN PetscErrorCode SemgArrayEnergy(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt half, PetscReal *e);
/* Local maxima of e in [lo, hi), largest first, at least `dead` samples apart: idx/amp (room for nt),
   n found. */
PETSC_EXTERN PetscErrorCode SemgEnergyPeaks(PetscInt nt, const PetscReal *e, PetscInt lo, PetscInt hi, PetscInt dead, PetscInt *n, PetscInt *idx, PetscReal *amp);
/* Otsu threshold on log(v) of n positive values: the split maximising the between-class variance;
   returns the smallest value of the upper class (v[0] if n < 2). */
PETSC_EXTERN PetscReal SemgOtsuThreshold(PetscInt n, const PetscReal *v);

#endif
