/* Classical conduction-velocity (CV) estimators: delay between channels in samples
   (spec estimator.md 4.2). CV = IED * fs / theta. Signals are flat and channel-major, x[c*nt + k],
   ordered along the propagation direction (channel c+1 lags channel c by theta > 0).
   Pure functions: no I/O, no MPI; FFTs with FFTW (plans checked with SemgCheckFFTWPlan). */
#ifndef SEMG_BASELINES_CV_H
#define SEMG_BASELINES_CV_H

#include <petscsys.h>

/* Newton safeguards shared by the spectral and ML estimators (spec values). */
#define SEMG_DELAY_MAX_IT   30
#define SEMG_DELAY_TOL      5e-5
#define SEMG_DELAY_MAX_STEP 0.5

/* Integer lag range [lag_lo, lag_hi] for a CV range (IED d in m): [floor(d fs / v_max), ceil(d fs / v_min)]. */
PETSC_EXTERN PetscErrorCode SemgDelayLagRange(PetscReal ied, PetscReal fs, PetscReal v_min, PetscReal v_max, PetscInt *lag_lo, PetscInt *lag_hi);

/* a. Cross-correlation r(L) = sum_n a[n] b[n+L] over L in [lag_lo, lag_hi], parabola through the best
   three. at_bound (may be NULL) flags a peak at the end of the lag range (no refinement). */
PETSC_EXTERN PetscErrorCode SemgDelayXcorr(PetscInt nt, const PetscReal *a, const PetscReal *b, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta,
                                           PetscBool *at_bound);

/* Spectra of nc real signals of length nt: X[(c*(nt/2+1) + k)*2 + {0,1}] = (Re, Im) of DFT bin k. */
PETSC_EXTERN PetscErrorCode SemgSpectraCompute(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal *X);

/* b. Two-channel spectral matching (McGill & Dorfman 1984): Newton on
   e(theta) = sum_{k=1}^{nt/2} |X_2(k) - X_1(k) exp(-j w_k theta)|^2 from the integer xcorr peak within
   +-10 lags; its (may be NULL) = Newton iterations. */
PETSC_EXTERN PetscErrorCode SemgDelaySpectral(PetscInt nt, const PetscReal *a, const PetscReal *b, PetscReal *theta, PetscInt *its);

/* The two-channel cost and its first two derivatives at theta (for tests). */
PETSC_EXTERN PetscErrorCode SemgDelaySpectralCost(PetscInt nt, const PetscReal *X1, const PetscReal *X2, PetscReal theta, PetscReal *e, PetscReal *de,
                                                  PetscReal *d2e);

/* c. Multichannel maximum likelihood (Farina et al. 2001): Newton on E(theta) = sum_r e_r(theta) over
   every reference channel r, started from the xcorr of channels 1 and 2 (0 and 1 when nc <= 3) over
   [lag_lo, lag_hi]. quality = mean correlation coefficient of neighbouring channels after alignment by
   theta (1 = identical shapes). its (may be NULL) = Newton iterations. Needs nc >= 2. */
PETSC_EXTERN PetscErrorCode SemgDelayMLE(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta,
                                         PetscReal *quality, PetscInt *its);

/* E(theta) and derivatives on precomputed spectra X (nc x (nt/2+1) complex; for tests). */
PETSC_EXTERN PetscErrorCode SemgDelayMLECost(PetscInt nc, PetscInt nt, const PetscReal *X, PetscReal theta, PetscReal *E, PetscReal *dE, PetscReal *d2E);

#endif
