/* Counter-based random numbers (Random123 Philox4x32-10).
   A draw is a pure function of (seed, sample index, stream, draw number): the value a sample sees does
   not depend on how many ranks there are or in which order samples are processed. */
#ifndef SEMG_RNG_H
#define SEMG_RNG_H

#include <stdint.h>
#include <petscsys.h>

/* Streams separate independent uses of one (seed, sample) pair. Never renumber: datasets depend on it. */
typedef enum {
  SEMG_STREAM_PARAMS       = 1,  /* sample parameters drawn from ranges (IZ, CV, depth, ...) */
  SEMG_STREAM_FIBRES       = 2,  /* fibre geometry (Merletti generator) */
  SEMG_STREAM_FIBRE_CV     = 3,  /* per-fibre conduction velocities */
  SEMG_STREAM_NOISE        = 4,  /* additive measurement noise */
  SEMG_STREAM_FIRING       = 5,  /* firing trains (ISI variability) */
  SEMG_STREAM_MISALIGN     = 6,  /* electrode misalignment, contact gains */
  SEMG_STREAM_TISSUE       = 7,  /* random conductivity / thickness fields */
  SEMG_STREAM_SAMPLER      = 8,  /* training-set permutation (sample index = epoch) */
  SEMG_STREAM_INIT         = 9,  /* network weight initialisation */
  SEMG_STREAM_AUGMENT      = 10, /* per-sample augmentation during training */
  SEMG_STREAM_SPLIT        = 11, /* train/validation split */
  SEMG_STREAM_INTERFERENCE = 12, /* interfering motor units (positions, sizes, firing window) */
  SEMG_STREAM_DOMAIN       = 13, /* domain randomisation of semg simulate (forward model, tissue, generator) */
  SEMG_STREAM_USER         = 100
} SemgRngStream;

typedef struct {
  uint32_t key[2];      /* seed */
  uint32_t ctr[4];      /* sample (2 words), stream, block counter */
  uint32_t buf[4];      /* current output block */
  int      used;        /* words of buf already consumed */
  int      have_normal; /* Box-Muller spare */
  double   spare;
} SemgRng;

PETSC_EXTERN void     SemgRngInit(SemgRng *rng, uint64_t seed, uint64_t sample, uint32_t stream);
PETSC_EXTERN uint32_t SemgRngUint32(SemgRng *rng);
PETSC_EXTERN double   SemgRngUniform(SemgRng *rng); /* [0, 1), 53 random bits */
PETSC_EXTERN double   SemgRngUniformRange(SemgRng *rng, double lo, double hi);
PETSC_EXTERN double   SemgRngNormal(SemgRng *rng);                                      /* N(0, 1), Box-Muller */
PETSC_EXTERN uint64_t SemgRngBelow(SemgRng *rng, uint64_t n);                           /* uniform integer in [0, n), unbiased */
PETSC_EXTERN void     SemgRngPermutation(SemgRng *rng, PetscCount n, PetscCount *perm); /* Fisher-Yates */

#endif
