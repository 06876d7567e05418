/* Fibre tables and motor units: Merletti et al. (1999) placement (spec forward-model-ccs.md 6),
   the motor-unit pool of the authors' examples (spec 7), and fibre CSV files. */
#ifndef SEMG_FIBRES_H
#define SEMG_FIBRES_H

#include <petscsys.h>
#include "core/semg_rng.h"
#include "sim/ccs.h"

typedef struct {
  PetscInt  n_fibres;
  PetscReal iz[3];                                   /* IZ centre p_IZ (m) */
  PetscReal radius;                                  /* territory radius R (m) */
  PetscReal iz_spread;                               /* W_I (m) */
  PetscReal tendon_left, tendon_right;               /* L_L, L_R (m) */
  PetscReal tendon_spread_left, tendon_spread_right; /* W_TL, W_TR (m) */
  PetscReal cv_mean, cv_sd;                          /* per-fibre CV ~ N(mean, sd^2), redrawn if <= 0.5 m/s */
} SemgMotorUnitSpec;

PETSC_EXTERN PetscErrorCode SemgMotorUnitSpecDefault(SemgMotorUnitSpec *mu);
/* Options -mu_fibres, -mu_iz x,y,z, -mu_radius, -mu_iz_spread, -mu_tendon_left/right,
   -mu_tendon_spread, -mu_cv, -mu_cv_sd (prefix may be NULL). */
PETSC_EXTERN PetscErrorCode SemgMotorUnitSpecSetFromOptions(SemgMotorUnitSpec *mu, const char prefix[]);
/* Fibre geometry from five uniforms per fibre (stream FIBRES) and CVs (stream FIBRE_CV), keyed by (seed, sample). */
PETSC_EXTERN PetscErrorCode SemgMotorUnitGenerate(const SemgMotorUnitSpec *mu, uint64_t seed, uint64_t sample, SemgFibre *fibres);
/* One fibre from given uniforms (u0..u4), the spec's formula; exposed for the worked-example test. */
PETSC_EXTERN void SemgMerlettiFibre(const SemgMotorUnitSpec *mu, const PetscReal u[5], SemgFibre *f);

/* Motor-unit pool of the examples: fibres of MU i of n_mu, mean CV of MU i. */
PETSC_EXTERN PetscInt  SemgPoolFibreCount(PetscInt i, PetscInt n_mu);
PETSC_EXTERN PetscReal SemgPoolMeanCV(PetscInt i, PetscInt n_mu);

/* CSV fibre table: header then origin_x,origin_y,origin_z,ip,length,cv (+ optional rz,ry). Read on rank 0,
   broadcast; every rank gets the same table or the same error. */
PETSC_EXTERN PetscErrorCode SemgFibresReadCSV(MPI_Comm comm, const char option[], const char path[], PetscInt *nf, SemgFibre **fibres);

#endif
