/* Per-sample physics fit (spec estimator.md 4.3): theta = argmin 1/2 ||x - g* y(theta)||^2 over the box
   lo <= theta <= hi, y = the autoencoder's decoder without gain: the template motor unit translated
   along x by (x_IZ - x_IZ_tmpl) (and along z by the depth change when depth is fitted), every fibre's CV
   v + (v_f - v_tmpl), CCS potentials at the electrodes, the dataset's channel table applied;
   g* = <x,y>/<y,y> clamped >= 0 (estimator.md 2.5). PETSc TAO on PETSC_COMM_SELF (default TAOBQNLS,
   options prefix physfit_), multi-start: grid x_IZ every IED, v = 2.5, 3.0, ... within the bounds; the
   best n_starts grid points are refined and the best result kept. */
#ifndef SEMG_BASELINES_PHYSFIT_H
#define SEMG_BASELINES_PHYSFIT_H

#include <petsctao.h>
/* PETSc pulls in <complex.h>, whose macro I collides with the field name I of sim/ccs.h. */
#ifdef I
  #undef I
#endif
#include "sim/ccs.h"

#define SEMG_PHYSFIT_MAX_K 3 /* x_IZ, v, depth */

typedef struct {
  /* decoder: template MU and geometry (copied in by the setters) */
  SemgCCSParams par;
  PetscInt      nf;
  SemgFibre    *tmpl, *fib;     /* template table; work copy moved to theta */
  PetscReal     tmpl_iz, tmpl_z, tmpl_v; /* template IZ centre x, z and reference CV */
  PetscInt      ne, nc, nt;
  PetscReal     fs, ied, ez_mean;
  PetscReal    *exyz;           /* ne x 3 */
  PetscInt     *ch_el;          /* nc x 3, -1 unused */
  PetscReal    *ch_w;           /* nc x 3 */
  /* unknowns theta = (x_IZ, v[, depth below the mean electrode z]) and their box */
  PetscInt      K;
  PetscBool     fit_depth;
  PetscReal     lo[SEMG_PHYSFIT_MAX_K], hi[SEMG_PHYSFIT_MAX_K];
  PetscInt      n_starts;
  PetscReal     grid_v_step;
  /* solver and work */
  Tao           tao;
  Vec           u, ulo, uhi;
  PetscReal    *phi, *dphi, *y, *dy; /* ne*nt, 3*ne*nt, nc*nt, K*nc*nt */
  const PetscReal *x;           /* current sample */
  PetscReal     xx;             /* <x, x> */
  PetscInt      n_decodes;
  PetscBool     setup;
} SemgPhysFit;

PETSC_EXTERN PetscErrorCode SemgPhysFitCreate(SemgPhysFit **pf);
/* Template fibres (copied) with its IZ centre (x, z) and the CV its fibres' offsets refer to. */
PETSC_EXTERN PetscErrorCode SemgPhysFitSetTemplate(SemgPhysFit *pf, const SemgCCSParams *par, PetscInt nf, const SemgFibre *fibres, PetscReal iz_x,
                                                   PetscReal iz_z, PetscReal v_ref);
/* Electrodes ne x 3, channel table nc x 3 (electrode index, -1 = unused) with weights, nt samples at fs. */
PETSC_EXTERN PetscErrorCode SemgPhysFitSetGeometry(SemgPhysFit *pf, PetscInt ne, const PetscReal *exyz, PetscInt nc, const PetscInt *ch_el,
                                                   const PetscReal *ch_w, PetscInt nt, PetscReal fs);
/* Options -physfit_* and the Tao's own (prefix physfit_, e.g. -physfit_tao_type blmvm). Call after the setters. */
PETSC_EXTERN PetscErrorCode SemgPhysFitSetFromOptions(MPI_Comm comm, SemgPhysFit *pf);
PETSC_EXTERN PetscErrorCode SemgPhysFitSetUp(SemgPhysFit *pf);
/* Gain-free decoder output y (nc x nt) and, when dy != NULL, dy/dtheta_j (K blocks of nc x nt). */
PETSC_EXTERN PetscErrorCode SemgPhysFitDecode(SemgPhysFit *pf, const PetscReal *theta, PetscReal *y, PetscReal *dy);
/* Normalised objective f = 1/2 ||x - g* y||^2 / ||x||^2 and its gradient w.r.t. theta (may be NULL). */
PETSC_EXTERN PetscErrorCode SemgPhysFitObjective(SemgPhysFit *pf, const PetscReal *x, const PetscReal *theta, PetscReal *f, PetscReal *grad, PetscReal *gain);
/* Fit one sample x (nc x nt). theta (K values), gain, nrmse = ||x - g* y|| / ||x||, its = TAO iterations summed. */
PETSC_EXTERN PetscErrorCode SemgPhysFitSolve(SemgPhysFit *pf, const PetscReal *x, PetscReal *theta, PetscReal *gain, PetscReal *nrmse, PetscInt *its);
PETSC_EXTERN PetscErrorCode SemgPhysFitDestroy(SemgPhysFit **pf);

#endif
