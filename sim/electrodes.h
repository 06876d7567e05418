/* Electrode arrays and channel derivations (spec forward-model-ccs.md 5, volume-conductor.md 4). */
#ifndef SEMG_ELECTRODES_H
#define SEMG_ELECTRODES_H

#include <petscsys.h>

typedef struct {
  PetscInt  n_along, n_across;     /* electrodes along the fibres (x) and columns across (y); 16 x 1 = linear */
  PetscReal ied_along, ied_across; /* m */
  PetscReal centre[3];             /* array centre (m); skin plane z */
} SemgArraySpec;

PETSC_EXTERN PetscErrorCode SemgArraySpecDefault(SemgArraySpec *a);
/* Options -array_n along[,across], -array_ied along[,across], -array_centre x,y,z. */
PETSC_EXTERN PetscErrorCode SemgArraySpecSetFromOptions(SemgArraySpec *a, const char prefix[]);
/* Positions ne x 3 in column-major order (a whole column along x, then the next column); column index per electrode. */
PETSC_EXTERN PetscErrorCode SemgArrayBuild(const SemgArraySpec *a, PetscInt *ne, PetscReal **xyz, PetscInt **column);

/* An SNR at or above this (dB) means no noise: datasets without noise set e.g. -snr_range 1000. */
#define SEMG_SNR_NO_NOISE_DB 300
/* Noise at a given SNR (dB) of signal power, sigma = median over channels (spec 9); draws from
   SemgRng (seed, sample, NOISE). snr >= SEMG_SNR_NO_NOISE_DB (or +inf) adds nothing. Other colours: SemgNoiseAdd. */
PETSC_EXTERN PetscErrorCode SemgAddNoise(PetscInt nc, PetscInt nt, PetscReal snr_db, uint64_t seed, uint64_t sample, PetscReal *x);
PETSC_EXTERN PetscReal      SemgNoiseSigma(PetscInt nc, PetscInt nt, PetscReal snr_db, const PetscReal *x);

#endif
