/* Coloured measurement noise of semg simulate (spec experiments.md 3, axis "SNR / noise colour").
   Every colour is added after the montage at the SNR of forward-model-ccs.md 9: the caller gives
   sigma (SemgNoiseSigma of the signal), and each channel receives noise of mean square sigma^2.
   White noise is iid N(0, sigma^2) (power sigma^2 in expectation; SemgAddNoise adds it at an SNR). The
   coloured kinds are scaled per channel to a mean square of exactly sigma^2 over the record, because
   their realised power fluctuates far more than white noise's (a 1/f or 0.5 Hz process over 40 ms).
   Draws come from SemgRng (seed, sample, NOISE): the same on any rank count. */
#ifndef SEMG_NOISE_COLOUR_H
#define SEMG_NOISE_COLOUR_H

#include <stdint.h>
#include <petscsys.h>

typedef enum { SEMG_NOISE_WHITE = 0, SEMG_NOISE_PINK = 1, SEMG_NOISE_LINE = 2, SEMG_NOISE_WANDER = 3 } SemgNoiseColour;
PETSC_EXTERN const char *const SemgNoiseColours[]; /* "white", "pink", "line", "wander", then PETSc enum tail */

typedef struct {
  SemgNoiseColour colour;
  PetscReal       line_freq;      /* line: fundamental (Hz) */
  PetscInt        line_harmonics; /* line: components h = 1..H at h * line_freq, amplitude 1/h */
  PetscReal       wander_freq;    /* wander: flat spectrum on (0, wander_freq] (Hz) */
} SemgNoiseSpec;

PETSC_EXTERN PetscErrorCode SemgNoiseSpecDefault(SemgNoiseSpec *s);
/* -noise_colour, -line_freq, -line_harmonics, -wander_freq. Between PetscOptionsBegin/End. */
PETSC_EXTERN PetscErrorCode SemgNoiseSpecOptions(PetscOptionItems *PetscOptionsObject, SemgNoiseSpec *s);
/* One-line user errors for values that cannot be generated at sampling frequency fs. */
PETSC_EXTERN PetscErrorCode SemgNoiseSpecCheck(MPI_Comm comm, const SemgNoiseSpec *s, PetscReal fs);
/* x (nc x nt, channel-major) += noise of the spec's colour with per-channel mean square sigma^2
   (white: in expectation). sigma <= 0 adds nothing. */
PETSC_EXTERN PetscErrorCode SemgNoiseAdd(const SemgNoiseSpec *s, PetscInt nc, PetscInt nt, PetscReal fs, PetscReal sigma, uint64_t seed, uint64_t sample, PetscReal *x);

#endif
