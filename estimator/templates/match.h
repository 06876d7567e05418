/* Multichannel template matching of one epoch (issue 18): a discharge train of one motor unit is refined
   by the matched filter of its whole-array mean shape. The shape T (all filtered channels over a window
   around the discharges) is correlated with the epoch on every channel at once (FFTW), the normalised
   match s[k] = 2 <T, d_k> / (|T|^2 + |d_k|^2) (1 for an identical discharge, ~0 for another unit's or for
   noise) is taken at its local maxima above an adaptive threshold, and the mean is re-estimated from the
   new train; a few iterations pull in the unit's discharges missed by the detection threshold and drop
   other units' discharges. Signals are channel-major d[c*nt + k]. */
#ifndef SEMG_TEMPLATES_MATCH_H
#define SEMG_TEMPLATES_MATCH_H

#include <petscsys.h>

typedef struct _p_SemgMatcher *SemgMatcher;

/* The epoch's spectra on every channel, for matching windows [k - a, k + b) at k in [lo, hi). */
PETSC_EXTERN PetscErrorCode SemgMatcherCreate(PetscInt nd, PetscInt nt, const PetscReal *d, PetscInt a, PetscInt b, SemgMatcher *m);
PETSC_EXTERN PetscErrorCode SemgMatcherDestroy(SemgMatcher *m);
/* Mean shape T (nd x (a+b)) of the epoch's windows at the n samples trig. */
PETSC_EXTERN PetscErrorCode SemgMatcherMean(SemgMatcher m, PetscInt n, const PetscInt *trig, PetscReal *T);
/* s[k] for k in [lo, hi) (other entries -1) of the shape T. */
PETSC_EXTERN PetscErrorCode SemgMatcherScore(SemgMatcher m, const PetscReal *T, PetscInt lo, PetscInt hi, PetscReal *s);

typedef struct {
  PetscInt  n_iter;        /* re-estimations of the mean (3) */
  PetscReal floor;         /* lowest match accepted whatever the adaptive threshold (0.4) */
  PetscInt  dead;          /* samples between two discharges of the unit */
  PetscInt  lo, hi;        /* discharges searched in [lo, hi) */
  PetscInt  max_trig;      /* room in trig */
  PetscReal min_isi_ratio; /* of two discharges closer than this x the median interval, the worse match is dropped (0: none) */
  PetscInt  smooth;        /* half-width (samples) of the energy smoothing that anchors the train at its mean shape's energy maximum */
} SemgRefineOptions;

typedef struct {
  PetscReal threshold; /* the adaptive threshold of the last iteration */
  PetscReal snr; /* |T|^2 over the mean residual energy |d_k - T|^2 of the discharges, times their number: the averaged template's signal-to-residual ratio */
  PetscReal consistency; /* mean correlation of the discharges' windows with T */
} SemgRefineQuality;

/* Refine the train trig[0..*n) (sorted) in place; T (nd x (a+b)) receives its final mean shape. The
   threshold is Otsu's split of the local maxima of s (log scale) above `floor`, never below it. */
PETSC_EXTERN PetscErrorCode SemgMatcherRefine(SemgMatcher m, const SemgRefineOptions *o, PetscInt *n, PetscInt *trig, PetscReal *T, SemgRefineQuality *q);

/* Discharges missed in the gaps of a train (sorted trig[0..*n), room for max): where two discharges are
   more than 1.5 x the median interval apart (and before the first, after the last), the best match s of
   the train's mean shape T at least 0.6 x the median interval from its neighbours is added when it reaches
   `floor`; repeated until nothing is added. */
PETSC_EXTERN PetscErrorCode SemgMatcherFillGaps(SemgMatcher m, const PetscReal *T, PetscInt lo, PetscInt hi, PetscReal floor, PetscInt max, PetscInt *n, PetscInt *trig);

#endif
