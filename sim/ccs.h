/* Concentrated-current-source (CCS) sEMG model of Mechtenberg & Schneider 2023
   (spec: shared/spec/forward-model-ccs.md). phi = sum cur/r in model units.
   Arrays are flat: electrodes ne x 3 (x, y, z), signals ne x nt (electrode-major), t_k = t0 + k*dt. */
#ifndef SEMG_CCS_H
#define SEMG_CCS_H

#include <petscsys.h>

typedef struct {
  PetscReal ox, oy, oz; /* origin (left end), m */
  PetscReal ip;         /* innervation point, fibre-local distance from the origin, m */
  PetscReal length;     /* m */
  PetscReal cv;         /* conduction velocity, m/s */
  PetscReal rz, ry;     /* rotation angles, rad (direction = (cos rz cos ry, sin rz cos ry, -sin ry)) */
} SemgFibre;

typedef struct {
  PetscReal a;                       /* Rosenfalck amplitude (96) */
  PetscReal lambda;                  /* 1/m (1000) */
  PetscReal zmax;                    /* AP support Z (14e-3 m), does not scale with lambda */
  PetscReal resistance_sum;          /* R_e + R_i (1) */
  PetscBool charge_conserving;       /* add the kink and sealed-end point currents (spec 4.4 [opt]) */
  PetscBool anisotropic;             /* infinite anisotropic medium instead of 1/r */
  PetscReal sigma_long, sigma_trans; /* used when anisotropic: phi = cur / (4 pi sigma_T sqrt(x^2 + Ra (y^2+z^2))) * 4 pi sigma_T-scaled, see docs */
} SemgCCSParams;

/* Up to 6 (8 with charge conservation) point sources of one fibre at one time. */
#define SEMG_CCS_MAX_SOURCES 10
typedef struct {
  PetscInt  n;
  PetscReal current[SEMG_CCS_MAX_SOURCES];
  PetscReal p[SEMG_CCS_MAX_SOURCES][3];
  PetscReal dI_ds[SEMG_CCS_MAX_SOURCES]; /* tangents w.r.t. s = v t */
  PetscReal dp_ds[SEMG_CCS_MAX_SOURCES][3];
} SemgCCSSources;

PETSC_EXTERN PetscErrorCode SemgCCSParamsDefault(SemgCCSParams *par);
PETSC_EXTERN PetscErrorCode SemgCCSParamsSetFromOptions(SemgCCSParams *par, const char prefix[]);
/* Section current and centroid of [gamma, beta] (spec 3.2); cur = 0 for a vanished section. */
PETSC_EXTERN void SemgCCSSection(const SemgCCSParams *par, PetscReal gamma, PetscReal beta, PetscReal *current, PetscReal *zbar);
/* Sources of one fibre at propagation distance s (spec 4.1); with tangents when want_tangents. */
PETSC_EXTERN void SemgCCSFibreSources(const SemgCCSParams *par, const SemgFibre *f, PetscReal s, PetscBool want_tangents, SemgCCSSources *src);

/* phi[e*nt + k] += potential of all fibres at electrode e, time t0 + k dt. */
PETSC_EXTERN PetscErrorCode SemgCCSPotentialAdd(const SemgCCSParams *par, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *exyz, PetscInt nt, PetscReal t0, PetscReal dt, PetscReal *phi);

/* Potential and its derivatives for the estimator's decoder (spec 12, estimator 2.4). Every output
   may be NULL. d_shift: rigid translation of all fibres along x, y, z (3 arrays of ne*nt);
   d_v: common change of every fibre's CV; d_t0: shift of the firing instant (t -> t - t0).
   Outputs are overwritten, not added. */
PETSC_EXTERN PetscErrorCode SemgCCSPotentialTangents(const SemgCCSParams *par, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *exyz, PetscInt nt, PetscReal t0, PetscReal dt, PetscReal *phi, PetscReal *d_shift[3], PetscReal *d_v, PetscReal *d_t0);

/* Montage along electrode order: SD_n = phi_n - phi_{n+1}, DD_n = SD_n - SD_{n+1} (within columns via
   the dataset's channel table; this helper is for one linear array). out has ne-1 or ne-2 rows. */
PETSC_EXTERN PetscErrorCode SemgCCSCheckGeometry(MPI_Comm comm, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *exyz);

#endif
