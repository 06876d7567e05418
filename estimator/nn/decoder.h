/* Decoder D of the informed autoencoder (spec estimator.md 2.4-2.5): the CCS model of one fixed template
   motor unit, translated rigidly to the latent IZ (and optionally depth), its fibres propagating at the
   latent CV plus their fixed per-fibre offsets, seen through the dataset's channel montage. The Jacobian
   d y / d theta comes from analytic forward-mode tangents in the same pass as the potential, and the loss
   uses the closed-form gain g* = <x, y>/<y, y> (clamped >= 0). */
#ifndef SEMG_NN_DECODER_H
#define SEMG_NN_DECODER_H

#include <petscsys.h>
#include "sim/ccs.h"
#include "sim/fibres.h"
#include "estimator/nn/scaler.h"
#include "estimator/nn/dectable.h"

/* Latent order: iz, cv, then depth when enabled. */
enum { SEMG_LATENT_IZ = 0, SEMG_LATENT_CV = 1, SEMG_LATENT_DEPTH = 2 };

typedef struct {
  SemgMotorUnitSpec   mu;                                       /* template MU (IZ centre at x = 0) */
  uint64_t            template_seed;                            /* template = SemgMotorUnitGenerate(mu, seed, sample 0) */
  PetscReal           depth;                                    /* template MU axis below the electrode plane, m */
  PetscBool           latent_depth;                             /* depth as a nuisance latent */
  PetscBool           centre;                                   /* shift the template so that its mean end-plate x is 0 (IZ = centroid of the IPs) */
  PetscReal           iz_range[2], cv_range[2], depth_range[2]; /* scaler bounds; iz_range empty -> electrode span */
  SemgDecTableOptions table;                                    /* -dec_table: decode through a tabulated forward model (not stored in checkpoints) */
} SemgDecoderSpec;

/* Recording geometry the decoder reproduces (taken from the dataset). */
typedef struct {
  PetscInt         ne, nc, nt;
  PetscReal        fs;
  const PetscReal *exyz; /* ne x 3 */
  const PetscInt  *ch_e; /* nc x 3, -1 unused */
  const PetscReal *ch_w; /* nc x 3 */
} SemgDecoderGeometry;

typedef struct {
  SemgDecoderSpec spec;
  SemgCCSParams   par;
  PetscInt        nf;
  SemgFibre      *tmpl; /* template fibres (cv = cv_mean + offset) */
  PetscReal      *dcv;  /* per-fibre CV offsets (kept when the latent CV changes) */
  PetscInt        ne, nc, nt, K;
  PetscReal       dt, ez_plane;
  PetscReal      *ex, *ey, *ez;
  PetscInt       *ch_e;
  PetscReal      *ch_w;
  SemgScaler      scaler; /* bounds of the latents */
  uint64_t        hash;   /* FNV-1a of the template table and geometry */
  /* work */
  SemgFibre              *fib;
  PetscReal              *sI, *sx, *sy, *sz, *stI, *stx, *sty, *stz; /* sources of one time step (SoA) */
  PetscReal              *phi, *dphi;                                /* ne*nt potential; K x ne*nt tangents */
  PetscReal              *y, *J;                                     /* nc*nt output; K x nc*nt Jacobian */
  PetscReal              *acc;                                       /* 4 x ne accumulators of one time step */
  PetscReal              *fdir;                                      /* fibre directions, nf x 3 */
  PetscReal               full_I[3], full_zbar[3];                   /* sections of a complete (unclipped) AP */
  struct _p_SemgDecTable *table;                                     /* when set, potentials come from this table (estimator/nn/dectable.h) */
} SemgDecoder;

PETSC_EXTERN PetscErrorCode SemgDecoderSpecDefault(SemgDecoderSpec *spec);
/* Options -dec_* (template MU, depth, latent bounds); documented in -help. */
PETSC_EXTERN PetscErrorCode SemgDecoderSpecSetFromOptions(MPI_Comm comm, SemgDecoderSpec *spec);
PETSC_EXTERN PetscErrorCode SemgDecoderCreate(const SemgDecoderSpec *spec, const SemgDecoderGeometry *geo, SemgDecoder **dec);
PETSC_EXTERN PetscErrorCode SemgDecoderDestroy(SemgDecoder **dec);
/* CCS model parameters (default: SemgCCSParamsDefault, the reference model the autoencoder uses). The
   anisotropic medium goes through SemgCCSPotentialTangents, charge conservation skips the fast path. */
PETSC_EXTERN PetscErrorCode SemgDecoderSetCCSParams(SemgDecoder *dec, const SemgCCSParams *par);
/* y = D(theta) (nc*nt, gain 1) and, when J != NULL, J[j][nc*nt] = d y / d theta_j. Outputs may alias
   dec->y / dec->J. */
PETSC_EXTERN PetscErrorCode SemgDecoderApply(SemgDecoder *dec, const PetscReal *theta, PetscReal *y, PetscReal *J);
/* out[c][k] = sum_j w_cj in[e_cj][k]: the channel montage of electrode-major signals (ne x nt). */
PETSC_EXTERN void SemgDecoderMontage(const SemgDecoder *dec, const PetscReal *in, PetscReal *out);
/* Closed-form-gain loss of one sample x (nc*nt): loss = ||x - g* y||^2/(nc nt); dtheta (K, overwritten;
   may be NULL) = d loss / d theta; gain (may be NULL) = g*. */
PETSC_EXTERN PetscErrorCode SemgDecoderLoss(SemgDecoder *dec, const PetscReal *theta, const PetscReal *x, PetscReal *loss, PetscReal *dtheta, PetscReal *gain);

#endif
