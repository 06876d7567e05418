/* Classical innervation-zone (IZ) estimators on one linear array (spec estimator.md 4.1).
   Signals are flat, channel-major: x[c*nt + k], nc channels in ascending position order,
   centre[c] = x coordinate of channel c's derivation centre (m). Pure functions: no I/O, no MPI. */
#ifndef SEMG_BASELINES_IZ_H
#define SEMG_BASELINES_IZ_H

#include "estimator/baselines/delay.h"

/* a. Minimum-amplitude single-differential channel: RMS per channel, argmin, parabolic refinement
   x = c_n* + delta * (c_{n*+1} - c_{n*-1})/2. at_edge (may be NULL) is set when n* is the first or last
   channel (no refinement possible). */
PETSC_EXTERN PetscErrorCode SemgIZMinAmplitude(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal *iz, PetscBool *at_edge);

typedef enum { SEMG_IZ_PHASE_AUTO = 0, SEMG_IZ_PHASE_MINIMUM = 1, SEMG_IZ_PHASE_CROSSING = 2 } SemgIZPhaseMode;

/* b. Phase reversal: rho_n = Pearson correlation of channels n and n+1 (max_lag = 0) or the signed peak
   of their normalised cross-correlation within +-max_lag samples, located at (c_n + c_{n+1})/2.
   MINIMUM: IZ at the minimum of rho with parabolic refinement. CROSSING: midpoint of the interpolated
   downward and the following upward zero crossing of rho (found = FALSE and the minimum is used when rho
   does not change sign). AUTO: crossing when there is one, else minimum. rho (nc-1 values) may be NULL. */
PETSC_EXTERN PetscErrorCode SemgIZPhaseReversal(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, SemgIZPhaseMode mode, PetscInt max_lag, PetscReal *iz, PetscBool *found, PetscReal *rho);

/* Latency of each channel: time (s) of the peak of |x_c| with parabolic refinement; weight = peak^2. */
PETSC_EXTERN PetscErrorCode SemgLatencyPeak(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, PetscReal *tau, PetscReal *weight);

/* Latency of each channel as its delay (s) to the reference channel of largest peak: cross-correlation
   over lags -max_lag..max_lag with parabolic refinement; weight = peak^2. */
PETSC_EXTERN PetscErrorCode SemgLatencyXcorr(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, PetscInt max_lag, PetscReal *tau, PetscReal *weight);

typedef enum { SEMG_LATENCY_PEAK = 0, SEMG_LATENCY_XCORR = 1, SEMG_LATENCY_CHAIN = 2 } SemgLatencyType; /* chain: latency.h */

/* c. V-shaped latency fit (joint IZ and CV): tau_c = tau_0 + |c_c - x_IZ|/v, weighted least squares
   (w_c = peak^2), x_IZ scanned over the channel span in 0.01 * IED steps and refined by a parabola; the
   channels within one IED of the first estimate are then dropped and the fit repeated once.
   The refit needs 2 channels on each side after the drop, else the first-pass fit is returned.
   iz = cv = NaN when no x_IZ gives a positive slope.
   sse (may be NULL): weighted residual sum of squares (s^2) of the final fit. */
PETSC_EXTERN PetscErrorCode SemgIZVFit(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal fs, PetscReal *iz, PetscReal *cv, PetscReal *sse);
/* The same with a choice of latency (peak: as SemgIZVFit; xcorr: SemgLatencyXcorr with max_lag). */
PETSC_EXTERN PetscErrorCode SemgIZVFitLatency(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal fs, SemgLatencyType type, PetscInt max_lag, PetscReal *iz, PetscReal *cv, PetscReal *sse);

/* The V-fit on given latencies (for tests and for other latency definitions); use[c] = 0 excludes c. */
PETSC_EXTERN PetscErrorCode SemgVFitLatencies(PetscInt nc, const PetscReal *tau, const PetscReal *w, const PetscInt *use, const PetscReal *centre, PetscReal *iz, PetscReal *cv, PetscReal *sse);

#endif
