/* Tabulated decoder (issue 19): the decoder's monopolar potentials as a smooth function of few numbers.
   For a fixed template MU in a tissue invariant along x, electrode e sees F_r(a, v, d; t_k) with
   a = x_e - IZ, v the latent CV, d the depth (when latent) and r the electrode's row (its (y, z));
   t_k is the sampling grid itself, so time is exact. F_r is filled by any forward model on a uniform
   (a, v[, d]) grid and interpolated by a tensor-product cubic B-spline (C2, O(h^4)), whose analytic
   derivatives give the decoder's tangents d/d IZ = -dF/da, d/dv, d/dd.
   Per-fibre CV offsets are inside F (every node is the whole template at common CV v); electrodes
   across the fibres or a rotated array only add rows (one per distinct (y, z)); a grid lead field is not
   invariant along x, so there every electrode is its own row. Latents outside the table's box are an
   error (PETSC_ERR_ARG_OUTOFRANGE), never clamped: every caller maps into the box (scaler, TAO bounds). */
#ifndef SEMG_NN_DECTABLE_H
#define SEMG_NN_DECTABLE_H

#include <petscsys.h>
#include "sim/vc/tissue.h"

typedef enum { SEMG_DECMODEL_CCS, SEMG_DECMODEL_LAYERED, SEMG_DECMODEL_HALFSPACE, SEMG_DECMODEL_VC } SemgDecModel;
PETSC_EXTERN const char *const SemgDecModels[];

typedef struct {
  PetscBool    use;                           /* -dec_table */
  SemgDecModel model;                         /* -dec_model */
  char         leadfield[PETSC_MAX_PATH_LEN]; /* -dec_leadfield (model vc) */
  char         cache[PETSC_MAX_PATH_LEN];     /* -dec_table_cache DIR ("" = build in memory only) */
  PetscReal    h[3];                          /* -dec_table_h: node spacing in a (m), v (m/s), depth (m) */
  PetscInt     checks;                        /* -dec_table_checks: random latents of the recorded accuracy */
  PetscReal    max_mb;                        /* -dec_table_max_mb: refuse larger tables (per rank) */
  PetscBool    line_source;                   /* -dec_line_source: lead-field models with the line source */
  SemgTissue   tissue;                        /* -dec_sigma_muscle_long ... (halfspace, layered) */
} SemgDecTableOptions;

typedef struct _p_SemgDecTable *SemgDecTable;

struct _p_SemgDecTable {
  SemgDecTableOptions          opt;
  PetscInt                     D;                    /* continuous coordinates: 2 (a, v) or 3 (a, v, depth) */
  PetscInt                     n[3];                 /* nodes per coordinate; coefficients n + 2 */
  PetscReal                    lo[3], h[3];          /* lo[0] unused: per row */
  PetscReal                    box_lo[3], box_hi[3]; /* latent box (iz, cv, depth) */
  PetscInt                     nrow, ne, nt;
  PetscReal                   *row_alo; /* a of node 0 per row */
  PetscReal                   *row_y, *row_z;
  PetscInt                    *erow;     /* electrode -> row */
  PetscReal                   *ex;       /* electrode x */
  size_t                       row_size; /* coefficients per row */
  double                      *c;        /* [row][d][v][a][t] */
  uint64_t                     key;      /* hash of template, model, geometry, grid */
  PetscReal                    err_max;  /* max |table - exact| / max |exact| over the check latents (monopolar) */
  PetscReal                    build_seconds;
  PetscBool                    from_cache;
  struct _p_SemgDecTableModel *model; /* the forward model (exact reference) */
};

PETSC_EXTERN PetscErrorCode SemgDecTableOptionsDefault(SemgDecTableOptions *o);
/* -dec_table, -dec_model, -dec_leadfield, -dec_table_cache, -dec_table_h, -dec_table_checks,
   -dec_line_source and the tissue options with prefix dec_. */
PETSC_EXTERN PetscErrorCode SemgDecTableOptionsSetFromOptions(MPI_Comm comm, SemgDecTableOptions *o);
/* Potentials and tangents in the exact decoder's layout: phi[e nt + k]; dphi = NULL or
   {d/d shift_x, d/dv, d/d shift_z} each ne nt (shift_x = IZ, shift_z = template depth - depth). */
PETSC_EXTERN PetscErrorCode SemgDecTablePotential(SemgDecTable tab, const PetscReal *theta, PetscReal *phi, PetscReal *dphi);
/* Frees the table and its forward model (defined in dectable_build.c, which owns the model). */
PETSC_EXTERN PetscErrorCode SemgDecTableDestroy(SemgDecTable *tab);
PETSC_EXTERN PetscErrorCode SemgDecTableBytes(SemgDecTable tab, size_t *bytes);

#endif
