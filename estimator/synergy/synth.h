/* Synthetic envelopes with planted synergies (spec synergies.md 6): sparse unit-norm synergies W_true,
   Gaussian-bump activations H_true over gait cycles of 200 points, linear or saturating mixing, optional
   agonist-antagonist weights, noise at envelope level or at signal level through the full envelope
   pipeline, and each muscle scaled to maximum 1. Deterministic in the seed (Random123). */
#ifndef SEMG_SYNERGY_SYNTH_H
#define SEMG_SYNERGY_SYNTH_H

#include <petscsys.h>
#include "estimator/synergy/envelope.h"

typedef enum { SEMG_MIX_LINEAR = 0, SEMG_MIX_SATURATING = 1 } SemgSynthMixing;
PETSC_EXTERN const char *const SemgSynthMixings[];
typedef enum { SEMG_NOISE_ENVELOPE = 0, SEMG_NOISE_SIGNAL = 1 } SemgSynthNoise;
PETSC_EXTERN const char *const SemgSynthNoises[];

typedef struct {
  PetscInt        M, N, cycles; /* muscles 13, synergies 4, cycles 10 */
  PetscInt        points;       /* per cycle: 200 */
  SemgSynthMixing mixing;
  PetscBool       agonist;    /* one negative weight per synergy */
  PetscBool       background; /* inactive muscles get U(0, 0.05) */
  PetscReal       snr_db;     /* PETSC_INFINITY: noise-free */
  SemgSynthNoise  noise;
  PetscReal       fs;       /* signal-level noise: sampling rate, Hz (one cycle lasts 1 s) */
  PetscReal       bump_cut; /* bumps are 0 beyond bump_cut widths (0: Gaussian tails everywhere) */
  PetscBool       distinct; /* activations redrawn until none lies inside another (identifiable) */
  PetscInt64      seed;
} SemgSynthParams;

/* Identifiability of the activations: a sample counts as active above SEMG_SYNTH_ACTIVE of the row maximum;
   activations are redrawn while the containment (below) is >= SEMG_SYNTH_CONTAINMENT. */
#define SEMG_SYNTH_ACTIVE      1e-3
#define SEMG_SYNTH_CONTAINMENT 0.01
/* The largest e with H_b - e H_a >= 0 where H_a is active (rows scaled to maximum 1), over ordered pairs
   (a, b): e > 0 makes (W_a + e W_b, H_b - e H_a) another exact factorisation. H is N x T. */
PETSC_EXTERN PetscReal SemgSynthActivationContainment(PetscInt N, PetscInt T, const PetscReal *H);

PETSC_EXTERN PetscErrorCode SemgSynthParamsDefault(SemgSynthParams *p);
PETSC_EXTERN PetscErrorCode SemgSynthOptions(PetscOptionItems *PetscOptionsObject, SemgSynthParams *p);

/* V (M x T), W_true (M x N, unit columns, in the scale of the normalised V), H_true (N x T), T = cycles *
   points; allocated here (PetscFree each). env: pipeline used for signal-level noise. */
PETSC_EXTERN PetscErrorCode SemgSynthGenerate(const SemgSynthParams *p, const SemgEnvelopeParams *env, PetscInt *T, PetscReal **V, PetscReal **W, PetscReal **H);

#endif
