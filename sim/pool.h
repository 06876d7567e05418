/* Motor-unit pool of a muscle under an electrode array (interface C of COORDINATION.md): recruitment
   thresholds spread exponentially (Fuglevand et al. 1993), innervation numbers growing with the
   threshold, territories at random depths and lateral positions, CV growing with size, and Fuglevand
   rate coding with Gaussian inter-spike variability at a constant excitation (fraction of maximal
   contraction). Every draw comes from SemgRng keyed by (seed, unit index): a pool and its firing trains
   are the same whatever the number of ranks or the order in which units are made. */
#ifndef SEMG_POOL_H
#define SEMG_POOL_H

#include <petscsys.h>
#include "sim/fibres.h"

typedef struct {
  PetscInt  n_units;                         /* units whose territories lie under the array (120) */
  PetscReal recruit_range;                   /* ratio of the largest to the smallest threshold (30) */
  PetscReal recruit_max;                     /* excitation at which the last unit is recruited (0.6) */
  PetscReal rate_min;                        /* firing rate at recruitment (8 Hz) */
  PetscReal rate_gain;                       /* rate increase per unit of excitation above threshold (40 Hz = 0.4 Hz per % MVC) */
  PetscReal peak_rate_first, peak_rate_last; /* peak rates of the first and last unit (35, 25 Hz) */
  PetscReal isi_cov;                         /* coefficient of variation of the inter-spike intervals (0.15) */
  PetscReal fibres_first, fibres_last;       /* innervation numbers of the first and last unit (25, 500) */
  PetscReal fibre_density;                   /* fibres per m^2 of territory (20 / mm^2 = 2e7) */
  PetscReal depth[2];                        /* territory centre depth below the electrode plane (5, 20 mm) */
  PetscReal lateral[2];                      /* territory centre y (-8, 8 mm) */
  PetscReal iz_x[2];                         /* IZ centre x (-7.5, 7.5 mm) */
  PetscReal cv[2];                           /* mean CV of the first and last unit (3.0, 5.0 m/s), +- cv_jitter */
  PetscReal cv_jitter;                       /* uniform +- jitter of a unit's CV (0.3 m/s) */
  PetscReal iz_spread;                       /* IP spread W_I of every unit (5 mm) */
} SemgPoolSpec;

typedef struct {
  PetscReal threshold; /* recruitment excitation (fraction of maximal contraction) */
  PetscReal peak_rate; /* Hz */
  PetscReal iz[3];     /* IZ centre x, y, z (z = -depth) */
  PetscReal radius;    /* territory radius (m) */
  PetscReal cv;        /* mean conduction velocity (m/s) */
  PetscInt  n_fibres;
} SemgPoolUnit;

PETSC_EXTERN PetscErrorCode SemgPoolSpecDefault(SemgPoolSpec *s);
/* Options -pool_* inside an open PetscOptionsBegin/End block; checks the values. */
PETSC_EXTERN PetscErrorCode SemgPoolSpecOptions(PetscOptionItems *PetscOptionsObject, SemgPoolSpec *s);
PETSC_EXTERN PetscErrorCode SemgPoolSpecCheck(MPI_Comm comm, const SemgPoolSpec *s);
/* Unit i (0 = lowest threshold) of the pool. */
PETSC_EXTERN PetscErrorCode SemgPoolUnitMake(const SemgPoolSpec *s, uint64_t seed, PetscInt i, SemgPoolUnit *u);
/* Mean firing rate at excitation e (0 below threshold). */
PETSC_EXTERN PetscReal SemgPoolRate(const SemgPoolSpec *s, const SemgPoolUnit *u, PetscReal e);
/* Firing instants in [0, duration) at constant excitation e: first firing at a random phase of the
   first interval, then intervals N(1/rate, (cov/rate)^2) redrawn below 0.2/rate. *times PetscMalloc'ed
   (NULL and n = 0 when the unit is not recruited). */
PETSC_EXTERN PetscErrorCode SemgPoolFiringTrain(const SemgPoolSpec *s, const SemgPoolUnit *u, PetscReal e, PetscReal duration, uint64_t seed, PetscInt i, PetscInt *n, PetscReal **times);
/* Fibres of unit i (Merletti placement in its territory, fibre CVs sd 0.1 m/s); *f PetscMalloc'ed. */
PETSC_EXTERN PetscErrorCode SemgPoolUnitFibres(const SemgPoolSpec *s, const SemgPoolUnit *u, uint64_t seed, PetscInt i, SemgFibre **f);

#endif
