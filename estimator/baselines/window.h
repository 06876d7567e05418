/* Automatic analysis window of the classical estimators (issue 18): the part of an example in which the
   motor-unit potential propagates. Non-propagating components - the CCS generation transient at the IZ
   and the extinction at the tendons - are bursts of energy that reach neighbouring channels with no
   delay, while a propagating potential reaches them IED/v later. The window starts as the whole example;
   repeatedly, the largest energy burst is tested: if the median |delay| between neighbouring channels
   within it is below half the smallest physiological delay (IED fs / v_max), it is standing and is cut
   off, keeping the side of the window with more energy. A burst is the hill of the energy (smoothed
   over -+ the shortest delay) around its peak, down to the local minima on either side. Signals are channel-major x[c*nt + k], channels of one column in order. */
#ifndef SEMG_BASELINES_WINDOW_H
#define SEMG_BASELINES_WINDOW_H

#include <petscsys.h>

/* n_columns columns, col_start[n_columns + 1] offsets of their channels in x; lag_lo, lag_hi the delay
   range (samples) of the CV search range. [*k0, *k1): the window; a cut that would leave fewer than
   min_len samples is not made. */
PETSC_EXTERN PetscErrorCode SemgAutoWindow(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt n_columns, const PetscInt *col_start, PetscReal lag_lo, PetscReal lag_hi, PetscInt min_len, PetscInt *k0, PetscInt *k1);

/* Onset of a discharge: the first sample at which the smoothed energy e exceeds its median by frac of
   its range (0 when none; e of nt samples). */
#define SEMG_ONSET_FRACTION 0.1
PETSC_EXTERN PetscInt SemgEnergyOnset(PetscInt nt, const PetscReal *e, PetscReal frac);

/* Onset-anchored window of the delay methods and the V-fit: from the discharge onset (SemgEnergyOnset
   of the summed channel energy smoothed over -+lag_lo) + start to onset + start + len samples, skipping
   the generation transient at the onset; ended early before the largest later burst when it is standing
   (the extinction at the fibre ends). A discharge too late for the window gets its last min_len samples.
   onset (may be NULL): the detected onset sample. */
PETSC_EXTERN PetscErrorCode SemgOnsetWindow(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt n_columns, const PetscInt *col_start, PetscReal lag_lo, PetscReal lag_hi, PetscInt start, PetscInt len, PetscInt min_len, PetscInt *k0, PetscInt *k1, PetscInt *onset);

#endif
