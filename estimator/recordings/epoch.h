/* Interference recordings: cut a continuous recording into epochs and build a propagation template per
   epoch by peak-triggered averaging across channels (used by `semg import -epoch SECONDS -template peak`).
   Continuous input is time-major as stored in /emg/data of a continuous recording: x[k*nc + c];
   epochs and templates are channel-major examples: out[c*len + k]. */
#ifndef SEMG_RECORDINGS_EPOCH_H
#define SEMG_RECORDINGS_EPOCH_H

#include <petscsys.h>

/* Non-overlapping epochs of `seconds`: len = round(seconds * fs) samples, n_epochs = floor(n / len)
   (a partial last epoch is dropped). SEMG_ERR_USER when the recording is shorter than one epoch. */
PETSC_EXTERN PetscErrorCode SemgEpochCount(PetscCount n_samples, PetscReal fs, PetscReal seconds, PetscCount *n_epochs, PetscInt *len);
/* Epoch k (channel-major nc x len) of a time-major recording x (n_samples x nc). */
PETSC_EXTERN PetscErrorCode SemgEpochExtract(PetscInt nc, PetscCount n_samples, const PetscReal *x, PetscInt len, PetscCount k, PetscReal *out);

typedef struct {
  PetscReal pre, post; /* template window around each trigger (s): [t - pre, t + post) */
  PetscReal threshold; /* triggers must exceed threshold * sigma, sigma = median|x_ref| / 0.6745 */
  PetscReal rel;       /* ... and rel * the largest peak (selects the dominant motor unit) */
  PetscReal dead;      /* minimum time between triggers (s), below one MU's inter-spike interval */
  PetscInt  ref;       /* trigger channel; -1 = the channel of largest RMS */
} SemgPeakTemplateOptions;

PETSC_EXTERN PetscErrorCode SemgPeakTemplateOptionsDefault(SemgPeakTemplateOptions *o);
/* Options -template_pre, -template_post, -template_threshold, -template_rel, -template_dead, -template_ref. */
PETSC_EXTERN PetscErrorCode SemgPeakTemplateOptionsSetFromOptions(MPI_Comm comm, SemgPeakTemplateOptions *o);
/* Template length in samples for these options at fs. */
PETSC_EXTERN PetscInt SemgPeakTemplateLength(const SemgPeakTemplateOptions *o, PetscReal fs);

/* Peak-triggered average of one epoch x (channel-major nc x nt): triggers are the local extrema of the
   reference channel with the polarity of its largest sample, above both thresholds, taken largest first
   and at least `dead` apart, whole window inside the epoch; every channel is averaged over the windows.
   tmpl: nc x SemgPeakTemplateLength (zero when no trigger); ntrig = triggers used; trig (may be NULL,
   room for nt entries) = their sample indices in increasing order. */
PETSC_EXTERN PetscErrorCode SemgPeakTemplate(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, const SemgPeakTemplateOptions *o, PetscReal *tmpl, PetscInt *ntrig, PetscInt *trig);

#endif
