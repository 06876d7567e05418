/* Sub-sample alignment of the discharges of one motor unit before they are averaged (issue 18). A
   discharge detected at a whole sample k is the unit's waveform delayed by k + tau with |tau| <= 0.5 on a
   real recording (the firing does not fall on the sampling grid): the plain average of such windows is
   the waveform smeared by that jitter. Each discharge's delay tau is estimated against the current mean
   shape (the peak of their multichannel cross-correlation, parabolic interpolation of three values of it
   around the current estimate), the window is read at k + tau by a windowed-sinc interpolator, the mean
   re-estimated, and the whole repeated. Signals are channel-major x[c*nt + k]. */
#ifndef SEMG_TEMPLATES_ALIGN_H
#define SEMG_TEMPLATES_ALIGN_H

#include <petscsys.h>

/* Window [k + tau - pre, k + tau - pre + len) of x (nc x nt) read by a Blackman-windowed sinc of 16 taps
   each side (exact at tau = 0; samples outside [0, nt) are the nearest edge sample): w (nc x len). */
PETSC_EXTERN void SemgWindowAt(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt k, PetscReal tau, PetscInt pre, PetscInt len, PetscReal *w);

/* Delays tau[0..n) (samples, |tau| <= max_shift, mean 0 so that the train keeps its anchor) of the
   discharges at trig against their mean shape on d (nd x nt) over [trig - a, trig + b); n_iter rounds. */
PETSC_EXTERN PetscErrorCode SemgAlignSubsample(PetscInt nd, PetscInt nt, const PetscReal *d, PetscInt n, const PetscInt *trig, PetscInt a, PetscInt b, PetscInt n_iter, PetscReal max_shift, PetscReal *tau);

/* Discharges overlapped by another unit: keep[i] false where the residual energy |w_i - T_-i|^2 of the
   window on d (nd x nt, [trig + tau - a, trig + tau + b)) against the mean of the others exceeds ratio x
   the median residual of the train (ratio 0: all kept). Returns the number kept in *n_keep. */
PETSC_EXTERN PetscErrorCode SemgOverlapMask(PetscInt nd, PetscInt nt, const PetscReal *d, PetscInt n, const PetscInt *trig, const PetscReal *tau, PetscInt a, PetscInt b, PetscReal ratio, PetscBool *keep, PetscInt *n_keep);

/* Template (nc x len) of x: the windows at trig[i] + tau[i] (tau NULL: whole samples), per sample the
   mean of the values left after dropping the trim fraction at each end (trim 0: the plain mean). */
PETSC_EXTERN PetscErrorCode SemgAverageDischarges(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt n, const PetscInt *trig, const PetscReal *tau, PetscInt pre, PetscInt len, PetscReal trim, PetscReal *tmpl);

#endif
