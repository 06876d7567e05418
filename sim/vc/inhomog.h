/* Tissue inhomogeneity of the volume conductor (spec volume-conductor.md 3.3): log-normal random
   conductivity, random fat thickness, linear gradients along the fibres and spherical inclusions.
   Every random field comes from SemgRng keyed by (seed, sample, SEMG_STREAM_TISSUE) and is generated
   whole on every rank with serial FFTW, so the same seed gives the same field on any rank count. */
#ifndef SEMG_VC_INHOMOG_H
#define SEMG_VC_INHOMOG_H

#include <stdint.h>
#include <petscsys.h>
#include "sim/vc/tissue.h"

#define SEMG_VC_MAX_INCLUSIONS 8

typedef struct {
  /* parameters */
  PetscReal log_std;                    /* s_g of the log-conductivity field (0 = off) */
  PetscReal corr[3];                    /* correlation lengths l_x, l_y, l_z, m */
  PetscReal fat_std, fat_corr, fat_min; /* fat-thickness field SD, correlation length, floor, m (fat_std 0 = off) */
  PetscReal fat_sigma_gradient;         /* relative change of sigma_fat per m along x (0.3 / 0.04 m = +-30 % over 4 cm) */
  PetscReal fat_thickness_gradient;     /* relative change of the fat thickness per m along x */
  PetscReal box_lo[3], box_hi[3];       /* region covered by the random fields (outside: nominal tissue) */
  PetscInt  ninclusions;
  PetscReal inclusion[SEMG_VC_MAX_INCLUSIONS][5]; /* centre x, y, z, radius, isotropic sigma */
  uint64_t  seed, sample;
  /* generated fields */
  PetscInt   gn[3];
  PetscReal  glo[3], gh[3];
  PetscReal *g; /* log-conductivity field, gn[0]*gn[1]*gn[2], x fastest */
  PetscInt   fn[2];
  PetscReal  flo[2], fh[2];
  PetscReal *dh; /* fat-thickness deviation, fn[0]*fn[1], x fastest */
} SemgInhomogeneity;

PETSC_EXTERN PetscErrorCode SemgInhomogeneityDefault(SemgInhomogeneity *inh);
/* -tissue_log_std, -tissue_corr lx,ly,lz, -tissue_fat_std, -tissue_fat_corr, -tissue_fat_min,
   -tissue_fat_sigma_gradient, -tissue_fat_thickness_gradient, -tissue_box x0,y0,z0,x1,y1,z1,
   -tissue_inclusions x,y,z,r,sigma[,...], -tissue_seed, -tissue_sample. Between PetscOptionsBegin/End. */
PETSC_EXTERN PetscErrorCode SemgInhomogeneityOptions(PetscOptionItems *PetscOptionsObject, SemgInhomogeneity *inh);
/* Generate the random fields (collective only in the sense that every rank does the same work). */
PETSC_EXTERN PetscErrorCode SemgInhomogeneitySetUp(SemgInhomogeneity *inh);
PETSC_EXTERN PetscErrorCode SemgInhomogeneityDestroy(SemgInhomogeneity *inh);
PETSC_EXTERN PetscBool      SemgInhomogeneityActive(const SemgInhomogeneity *inh);
/* Local fat thickness at (x, y). */
PETSC_EXTERN PetscReal SemgInhomogeneityFatThickness(const SemgInhomogeneity *inh, const SemgTissue *t, PetscReal x, PetscReal y);
/* Local tissue with fat sigma gradient applied (for the cell at x). */
PETSC_EXTERN void SemgInhomogeneityLocalTissue(const SemgInhomogeneity *inh, const SemgTissue *t, PetscReal x, SemgTissue *loc);
/* Multiplicative log-normal factor exp(g - s_g^2 / 2) at a point (1 outside the box or when off). */
PETSC_EXTERN PetscReal SemgInhomogeneityFactor(const SemgInhomogeneity *inh, PetscReal x, PetscReal y, PetscReal z);
/* Volume fraction of a cell covered by inclusions, and the inclusion conductivity. */
PETSC_EXTERN PetscReal SemgInhomogeneityInclusionFraction(const SemgInhomogeneity *inh, const PetscReal lo[3], const PetscReal hi[3], PetscReal *sigma);
/* Gaussian random field on a uniform grid by FFT filtering (spec 3.3): n[0..dim-1] points, spacing h,
   correlation lengths l, standard deviation s; white noise from rng in index order (x fastest). */
PETSC_EXTERN PetscErrorCode SemgGaussianField(PetscInt dim, const PetscInt n[], const PetscReal h[], const PetscReal l[], PetscReal s, uint64_t seed, uint64_t sample, uint32_t stream_word, PetscReal *g);

#endif
