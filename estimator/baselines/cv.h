/* Classical conduction-velocity (CV) estimators: delay between channels in samples
   (spec estimator.md 4.2). CV = IED * fs / theta. Signals are flat and channel-major, x[c*nt + k],
   ordered along the propagation direction (channel c+1 lags channel c by theta > 0).
   Pure functions: no I/O, no MPI; spectra through SemgSpectra (delay.h): pass the command's one plan, or
   NULL for a plan made per call. */
#ifndef SEMG_BASELINES_CV_H
#define SEMG_BASELINES_CV_H

#include "estimator/baselines/delay.h"

/* Newton safeguards shared by the spectral and ML estimators (spec values). */
#define SEMG_DELAY_MAX_IT   30
#define SEMG_DELAY_TOL      5e-5
#define SEMG_DELAY_MAX_STEP 0.5

/* b. Two-channel spectral matching (McGill & Dorfman 1984): Newton on
   e(theta) = sum_{k=1}^{nt/2} |X_2(k) - X_1(k) exp(-j w_k theta)|^2 from the integer xcorr peak within
   +-10 lags; its (may be NULL) = Newton iterations. */
PETSC_EXTERN PetscErrorCode SemgDelaySpectral(SemgSpectra sp, PetscInt nt, const PetscReal *a, const PetscReal *b, PetscReal *theta, PetscInt *its);

/* The same Newton iteration started from the integer xcorr peak within [lag_lo, lag_hi] (semg baseline:
   the lags of -cv_range, as the ML estimator; a standing component's zero-lag peak is not a start). */
PETSC_EXTERN PetscErrorCode SemgDelaySpectralRange(SemgSpectra sp, PetscInt nt, const PetscReal *a, const PetscReal *b, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta, PetscInt *its);

/* The two-channel cost and its first two derivatives at theta (for tests). */
PETSC_EXTERN PetscErrorCode SemgDelaySpectralCost(PetscInt nt, const PetscReal *X1, const PetscReal *X2, PetscReal theta, PetscReal *e, PetscReal *de, PetscReal *d2e);

/* c. Multichannel maximum likelihood (Farina et al. 2001): Newton on E(theta) = sum_r e_r(theta) over
   every reference channel r, started from the xcorr of channels 1 and 2 (0 and 1 when nc <= 3) over
   [lag_lo, lag_hi]. quality = mean correlation coefficient of neighbouring channels after alignment by
   theta (1 = identical shapes). its (may be NULL) = Newton iterations. Needs nc >= 2. */
PETSC_EXTERN PetscErrorCode SemgDelayMLE(SemgSpectra sp, PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta, PetscReal *quality, PetscInt *its);

/* E(theta) and derivatives on precomputed spectra X (nc x (nt/2+1) complex; for tests). */
PETSC_EXTERN PetscErrorCode SemgDelayMLECost(PetscInt nc, PetscInt nt, const PetscReal *X, PetscReal theta, PetscReal *E, PetscReal *dE, PetscReal *d2E);

#endif
