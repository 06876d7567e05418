/* Electrode misalignment and contact gains (spec volume-conductor.md 4):
   p_e = c + D + R(alpha) (1 + eps) (p_e^nom - c) + eta_e,  g_e = exp(s_g N(0,1)).
   Each of D, alpha, eps is a fixed value plus a uniform draw in [-range, range]; eta ~ N(0, jitter^2)
   per axis. Draws come from SemgRng (seed, sample, SEMG_STREAM_MISALIGN) in a fixed order, so a sample
   gets the same electrodes on any rank. */
#ifndef SEMG_VC_MISALIGN_H
#define SEMG_VC_MISALIGN_H

#include <stdint.h>
#include <petscsys.h>

typedef struct {
  PetscReal shift[2], shift_range[2];   /* along (x) and across (y) the fibres, m */
  PetscReal rotation, rotation_range;   /* in-plane rotation, rad */
  PetscReal ied_scale, ied_scale_range; /* relative IED error eps */
  PetscReal jitter;                     /* per-electrode SD per axis, m */
  PetscReal gain_log_std;               /* SD of log contact gain */
} SemgMisalignParams;

typedef struct {
  PetscReal shift[2], rotation, ied_scale; /* the values drawn (record with the sample) */
} SemgMisalignDrawn;

/* All zero: no misalignment, unit gains. */
PETSC_EXTERN PetscErrorCode SemgMisalignParamsDefault(SemgMisalignParams *p);
/* -misalign_shift dx,dy -misalign_shift_range rx,ry -misalign_rotation deg -misalign_rotation_range deg
   -misalign_ied_scale eps -misalign_ied_scale_range r -misalign_jitter m -misalign_gain_log_std s */
PETSC_EXTERN PetscErrorCode SemgMisalignOptions(PetscOptionItems *PetscOptionsObject, SemgMisalignParams *p);
/* nominal/out: ne x 3 (z copied); centre: rotation/scaling centre (x, y); gain (may be NULL): ne. */
PETSC_EXTERN PetscErrorCode SemgMisalignApply(const SemgMisalignParams *p, uint64_t seed, uint64_t sample, PetscInt ne, const PetscReal *nominal, const PetscReal centre[2], PetscReal *out, PetscReal *gain, SemgMisalignDrawn *drawn);

#endif
