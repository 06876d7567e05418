/* Delay primitives shared by the IZ and CV estimators (iz.h, cv.h): parabolic peak refinement, lag
   ranges, cross-correlation delays, and spectra of channel sets with an FFTW plan made once per signal
   length (a command makes one SemgSpectra and passes it to every sample). Pure functions: no I/O, no MPI. */
#ifndef SEMG_BASELINES_DELAY_H
#define SEMG_BASELINES_DELAY_H

#include "core/semg_error.h"

/* Vertex offset of the parabola through (-1, a), (0, b), (1, c), in [-0.5, 0.5] for a true minimum or
   maximum at b; 0 when the three points are collinear. */
PETSC_EXTERN PetscReal SemgParabolaVertex(PetscReal a, PetscReal b, PetscReal c);

/* Integer lag range [lag_lo, lag_hi] for a CV range (IED d in m): [floor(d fs / v_max), ceil(d fs / v_min)]. */
PETSC_EXTERN PetscErrorCode SemgDelayLagRange(PetscReal ied, PetscReal fs, PetscReal v_min, PetscReal v_max, PetscInt *lag_lo, PetscInt *lag_hi);

/* a. Cross-correlation r(L) = sum_n a[n] b[n+L] over L in [lag_lo, lag_hi], parabola through the best
   three. at_bound (may be NULL) flags a peak at the end of the lag range (no refinement). */
PETSC_EXTERN PetscErrorCode SemgDelayXcorr(PetscInt nt, const PetscReal *a, const PetscReal *b, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta, PetscBool *at_bound);

/* FFTW plan and buffers for real signals of one length nt. */
typedef struct _p_SemgSpectra *SemgSpectra;
PETSC_EXTERN PetscErrorCode    SemgSpectraCreate(PetscInt nt, SemgSpectra *sp);
PETSC_EXTERN PetscErrorCode    SemgSpectraDestroy(SemgSpectra *sp);
/* Spectra of nc real signals of length nt: X[(c*(nt/2+1) + k)*2 + {0,1}] = (Re, Im) of DFT bin k.
   sp may be NULL (or of another length): a plan is then made for this call only. */
PETSC_EXTERN PetscErrorCode SemgSpectraCompute(SemgSpectra sp, PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal *X);

#endif
