/* Per-sample physics fit (spec estimator.md 4.3): theta = argmin 1/2 ||x - g* y(theta)||^2 over the box
   lo <= theta <= hi, y = the autoencoder's decoder SemgDecoder (estimator/nn/decoder.h) without gain: the template motor unit translated
   along x by (x_IZ - x_IZ_tmpl) (and along z by the depth change when depth is fitted), every fibre's CV
   v + (v_f - v_tmpl), CCS potentials at the electrodes, the dataset's channel table applied;
   g* = <x,y>/<y,y> clamped >= 0 (estimator.md 2.5). PETSc TAO on PETSC_COMM_SELF (default TAOBQNLS,
   options prefix physfit_), multi-start: grid x_IZ every IED, v = 2.5, 3.0, ... within the bounds; the
   best n_starts grid points are refined and the best result kept. Hybrid (SemgPhysFitSolveFrom): one TAO
   run of at most init_max_it iterations from a given start (the autoencoder's estimate), no grid.
   Uncertainty: SemgPhysFitCovariance (estimator/nn/laplace.h) at the estimate. Status of the last solve
   (estimator/result.h): IZ or CV at its bound, else not converged (TAO's reason < 0: line search or
   iteration cap, with a last step above 1e-3 of the range), else OK. */
#ifndef SEMG_BASELINES_PHYSFIT_H
#define SEMG_BASELINES_PHYSFIT_H

#include <petsctao.h>
#include "estimator/nn/decoder.h"
#include "estimator/nn/laplace.h"
#include "estimator/result.h"

#define SEMG_PHYSFIT_MAX_K 3 /* x_IZ, v, depth */

/* Hybrid fallback (-physfit_fallback): what SemgPhysFitSolveFrom does with a sample whose short run
   signals an unreliable start (SemgPhysFitSolveFrom below): nothing, more TAO iterations from where the
   short run stopped, or the multi-start fit (the better objective of both kept). */
typedef enum { SEMG_PHYSFIT_FALLBACK_NONE, SEMG_PHYSFIT_FALLBACK_CONTINUE, SEMG_PHYSFIT_FALLBACK_MULTISTART } SemgPhysFitFallback;
PETSC_EXTERN const char *const SemgPhysFitFallbacks[];

typedef struct {
  /* template (decoder options) and geometry, copied in by the setters; the decoder is built in SetUp */
  SemgDecoderSpec spec;
  SemgCCSParams   par;
  PetscBool       has_template;
  PetscInt        ne, nc, nt;
  PetscReal       fs, ied;
  PetscReal      *exyz;  /* ne x 3 */
  PetscInt       *ch_el; /* nc x 3, -1 unused */
  PetscReal      *ch_w;  /* nc x 3 */
  SemgDecoder    *dec;   /* the autoencoder's decoder (owned), latents in the same order as theta */
  /* unknowns theta = (x_IZ, v[, depth below the mean electrode z]) and their box */
  PetscInt            K;
  PetscBool           fit_depth;
  PetscReal           lo[SEMG_PHYSFIT_MAX_K], hi[SEMG_PHYSFIT_MAX_K];
  PetscInt            n_starts;
  PetscReal           grid_v_step;
  PetscInt            init_max_it;     /* TAO iterations of SemgPhysFitSolveFrom (-physfit_init_max_it) */
  PetscInt            max_it;          /* TAO iterations of the multi-start refinement (after -physfit_tao_max_it) */
  SemgPhysFitFallback fallback;        /* hybrid: action on an unreliable start (-physfit_fallback) */
  PetscReal           fallback_step;   /* trigger: the short run's last step above this share of the box (-physfit_fallback_step) */
  PetscReal           fallback_moved;  /* trigger: the short run moved IZ by more than this (m) (-physfit_fallback_moved) */
  PetscInt            fallback_max_it; /* TAO iterations of the continue fallback (-physfit_fallback_max_it) */
  PetscBool           fell_back;       /* the last SemgPhysFitSolveFrom fell back */
  SemgLaplaceOptions  unc;             /* covariance of the estimates */
  /* solver */
  Tao              tao;
  Vec              u, ulo, uhi;
  const PetscReal *x;                                     /* current sample */
  SemgResultStatus status;                                /* of the last SemgPhysFitSolve / SolveFrom */
  PetscReal        u_prev[SEMG_PHYSFIT_MAX_K], last_step; /* TAO monitor: the last iteration's largest change of u */
} SemgPhysFit;

PETSC_EXTERN PetscErrorCode SemgPhysFitCreate(SemgPhysFit **pf);
/* Template motor unit from the decoder spec (the -dec_* options, as semg train) and the CCS parameters;
   its IZ is at x = 0, spec->depth below the mean electrode z. spec->latent_depth is not used (see fit_depth). */
PETSC_EXTERN PetscErrorCode SemgPhysFitSetTemplate(SemgPhysFit *pf, const SemgDecoderSpec *spec, const SemgCCSParams *par);
/* Electrodes ne x 3, channel table nc x 3 (electrode index, -1 = unused) with weights, nt samples at fs. */
PETSC_EXTERN PetscErrorCode SemgPhysFitSetGeometry(SemgPhysFit *pf, PetscInt ne, const PetscReal *exyz, PetscInt nc, const PetscInt *ch_el, const PetscReal *ch_w, PetscInt nt, PetscReal fs);
PETSC_EXTERN PetscErrorCode SemgPhysFitSetFromOptions(MPI_Comm comm, SemgPhysFit *pf);
/* Builds the decoder (K = 2 or 3 latents after fit_depth) and the Tao. Gain-free decoder output:
   SemgDecoderApply(pf->dec, theta, y, dy). */
PETSC_EXTERN PetscErrorCode SemgPhysFitSetUp(SemgPhysFit *pf);
/* Normalised objective f = 1/2 ||x - g* y||^2 / ||x||^2 and its gradient w.r.t. theta (may be NULL). */
PETSC_EXTERN PetscErrorCode SemgPhysFitObjective(SemgPhysFit *pf, const PetscReal *x, const PetscReal *theta, PetscReal *f, PetscReal *grad, PetscReal *gain);
/* Fit one sample x (nc x nt). theta (K values), gain, nrmse = ||x - g* y|| / ||x||, its = TAO iterations summed. */
PETSC_EXTERN PetscErrorCode SemgPhysFitSolve(SemgPhysFit *pf, const PetscReal *x, PetscReal *theta, PetscReal *gain, PetscReal *nrmse, PetscInt *its);
/* Hybrid fit of one sample: TAO from theta0 (clamped into the box), at most init_max_it iterations, no
   multi-start grid; outputs as SemgPhysFitSolve (gain may be NULL: then the optimum is not decoded again,
   SemgPhysFitCovariance gives the gain). Fallback: when that short run ends with IZ or CV at a bound of the
   box, or stopped by its cap (or a line search) while its last iteration still moved a scaled unknown by
   more than fallback_step, or moved IZ by more than fallback_moved (m) from theta0, the start counts as
   unreliable and pf->fallback runs (pf->fell_back set); the status is then the fallback's (docs/baselines.md
   "Hybrid fallback": rule and constants chosen on a tuning set). */
PETSC_EXTERN PetscErrorCode SemgPhysFitSolveFrom(SemgPhysFit *pf, const PetscReal *x, const PetscReal *theta0, PetscReal *theta, PetscReal *gain, PetscReal *nrmse, PetscInt *its);
/* Status of the last SemgPhysFitSolve or SemgPhysFitSolveFrom (SEMG_STATUS_OK, _BOUND or _NONCONV). */
PETSC_EXTERN PetscErrorCode SemgPhysFitGetStatus(SemgPhysFit *pf, SemgResultStatus *status);
/* Whether the last SemgPhysFitSolveFrom fell back (its start judged unreliable). */
PETSC_EXTERN PetscErrorCode SemgPhysFitGetFellBack(SemgPhysFit *pf, PetscBool *fell_back);
/* Covariance (K x K) of theta at the estimate for the sample x (laplace.h, options pf->unc); gain (may be
   NULL) = g* there. */
PETSC_EXTERN PetscErrorCode SemgPhysFitCovariance(SemgPhysFit *pf, const PetscReal *x, const PetscReal *theta, PetscReal *cov, PetscReal *gain);
PETSC_EXTERN PetscErrorCode SemgPhysFitDestroy(SemgPhysFit **pf);

#endif
