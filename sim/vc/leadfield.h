/* Reciprocity lead fields (spec volume-conductor.md 5): one solve per electrode, A l_e = r_e - r_ref,
   stored in HDF5 and reused; MUAPs of any fibre set are then sums over sources, no new solve.
   Lead field l_e(x): potential at electrode e per unit current injected at x (V/A). */
#ifndef SEMG_VC_LEADFIELD_H
#define SEMG_VC_LEADFIELD_H

#include <petscsys.h>
#include "sim/ccs.h"
#include "sim/vc/conductor.h"
#include "sim/vc/layeredtable.h"

/* schema_version attribute of the lead-field files semg leadfield writes (docs/data-format.md) */
#define SEMG_LEADFIELD_SCHEMA_VERSION 1

typedef enum { SEMG_LF_GRID, SEMG_LF_INFINITE, SEMG_LF_HALFSPACE, SEMG_LF_LAYERED } SemgLeadfieldType;

typedef struct _p_SemgLeadfield *SemgLeadfield;

/* Line-source (bidomain) parameters of spec 2.4 / 5.2. */
typedef struct {
  PetscReal gf;     /* sigma_if pi a_f^2, S m (1.983e-9) */
  PetscReal amp;    /* Rosenfalck A, V (0.096) */
  PetscReal lambda; /* 1/m (1000) */
  PetscReal dxi;    /* largest node spacing along the fibre, m (1e-4) */
} SemgLineSourceParams;

PETSC_EXTERN PetscErrorCode SemgLineSourceParamsDefault(SemgLineSourceParams *p);
/* Rosenfalck Delta V(z) = A (lambda z)^3 exp(-lambda z), z >= 0. */
PETSC_EXTERN PetscReal SemgRosenfalck(const SemgLineSourceParams *p, PetscReal z);
/* Z: SemgRosenfalck(p, z) is 0 unless 0 < z <= Z (to rounding). */
PETSC_EXTERN PetscReal SemgRosenfalckSupport(const SemgLineSourceParams *p);

/* Solve and store the lead fields of ne skin electrodes (x, y per electrode, exyz ne x 3 with z ignored;
   radius[e] = 0: point electrode, > 0: disc, area-averaged). ref < 0: mean reference (the constant
   null-space component removed), else electrode index ref. The operator and preconditioner of c are
   reused for every electrode. its_out (ne entries, may be NULL) receives the iteration counts. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldComputeAndStore(SemgConductor c, PetscInt ne, const PetscReal *exyz, const PetscReal *radius, PetscInt ref, const char path[], PetscInt *its_out);

/* Electrode footprints and stored region (spec 4, 5.3) for SemgLeadfieldComputeAndStoreWithParams. */
typedef struct {
  const PetscReal *radius;  /* ne disc radii (0: point electrode), or NULL: all points */
  const PetscReal *size;    /* ne x 2 rectangle sides (a along x, b along y), used where both > 0; or NULL */
  const PetscReal *angle;   /* ne rectangle rotations about their centres, rad (the array's), or NULL: 0 */
  const PetscReal *nominal; /* ne x 3 positions the user believes (semg leadfield -misalign_*), stored as
                               electrodes_nominal when they differ from exyz; or NULL */
  PetscBool        box_set; /* store only the cells meeting box plus one cell on every side */
  PetscReal        box[6];  /* xlo, xhi, ylo, yhi, zlo, zhi, m */
  /* electrode groups (SemgLeadfieldGroupsSplit): the conductor lives on this rank's group; the file and
     the progress on file_comm, the communicator of all groups */
  MPI_Comm file_comm; /* MPI_COMM_NULL: the conductor's */
  PetscInt group, ngroups;
} SemgLeadfieldStoreParams;

/* Electrode groups: the ranks of comm are split into ngroups contiguous groups; each builds the whole
   conductor on its group communicator gcomm and solves every ngroups-th electrode. Independent solves
   scale better than one domain-decomposed solve (docs/performance.md), at the cost of one copy of the
   grid per group. requested <= 0: min(size, ne), lowered so that a group holds at most 2.5 M cells per
   rank. Free gcomm with MPI_Comm_free after the conductor is destroyed. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldGroupsSplit(MPI_Comm comm, PetscInt ne, PetscInt ncells, PetscInt requested, SemgLeadfieldStoreParams *par, MPI_Comm *gcomm);

PETSC_EXTERN PetscErrorCode SemgLeadfieldStoreParamsDefault(SemgLeadfieldStoreParams *p);
/* SemgLeadfieldComputeAndStore with rectangular electrodes and/or a stored sub-box: a box-stored file
   holds the values, centres and faces of the stored cells only, with their index offset in the grid;
   SemgLeadfieldLoad reads it like a full file and refuses read-outs outside it. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldComputeAndStoreWithParams(SemgConductor c, PetscInt ne, const PetscReal *exyz, const SemgLeadfieldStoreParams *par, PetscInt ref, const char path[], PetscInt *its_out);

/* Analytic lead fields: infinite medium diag(sl, st, st) or insulated half-space (electrodes on the skin). */
PETSC_EXTERN PetscErrorCode SemgLeadfieldCreateAnalytic(SemgLeadfieldType type, PetscInt ne, const PetscReal *exyz, PetscReal sl, PetscReal st, SemgLeadfield *lf);
/* Planar three-layer lead field (volume-conductor.md 8.4, insulated skin at z = 0): the tabulated
   Green's function of sim/vc/layeredtable.h, built here (owned by lf) to cover spec's offsets and depths. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldCreateLayered(const SemgTissue *t, const SemgLayeredTableSpec *spec, PetscInt ne, const PetscReal *exyz, SemgLeadfield *lf);
/* Analytic and layered lead fields: move the ne electrodes (same count; per-sample misalignment). */
PETSC_EXTERN PetscErrorCode SemgLeadfieldSetElectrodes(SemgLeadfield lf, PetscInt ne, const PetscReal *exyz);
/* The table of a layered lead field (not to be destroyed). */
PETSC_EXTERN PetscErrorCode SemgLeadfieldGetLayeredTable(SemgLeadfield lf, SemgLayeredTable *tab);
/* Read a stored lead field (collective over comm; every rank gets the same copy). Only cells within
   the box lo..hi (m; NULL = everything) plus one cell are kept: choose it to cover the fibres. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldLoad(MPI_Comm comm, const char path[], const PetscReal lo[3], const PetscReal hi[3], SemgLeadfield *lf);
PETSC_EXTERN PetscErrorCode SemgLeadfieldDestroy(SemgLeadfield *lf);
PETSC_EXTERN PetscErrorCode SemgLeadfieldGetElectrodes(SemgLeadfield lf, PetscInt *ne, const PetscReal **exyz);
/* The nominal positions of a misaligned file's electrodes (what a dataset records); exyz otherwise. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldGetNominalElectrodes(SemgLeadfield lf, PetscInt *ne, const PetscReal **xyz);
/* l_e at point p (trilinear between cell centres for grid lead fields). A point outside the loaded
   cells of a box-stored or box-loaded file is a user error (SEMG_ERR_USER), as is such a fibre in
   SemgLeadfieldMUAP. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldEval(SemgLeadfield lf, PetscInt e, const PetscReal p[3], PetscReal *val);
/* l_e(p) for every electrode (val: ne values). */
PETSC_EXTERN PetscErrorCode SemgLeadfieldEvalAll(SemgLeadfield lf, const PetscReal p[3], PetscReal *val);
/* Grid lead fields: the kept box of cells, n[d] centres and n[d] + 1 faces per axis, and the values
   val[((e n[1] + j) n[0] + i) n[2] + k] of electrode e at cell (i, j, k) (z fastest). Any output may be
   NULL; nothing is to be freed. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldGetGrid(SemgLeadfield lf, PetscInt n[3], const PetscReal *cen[3], const PetscReal *face[3], const double **val);
PETSC_EXTERN PetscErrorCode SemgLeadfieldSetCCSParams(SemgLeadfield lf, const SemgCCSParams *par);
PETSC_EXTERN PetscErrorCode SemgLeadfieldSetLineSourceParams(SemgLeadfield lf, const SemgLineSourceParams *par);

/* Monopolar MUAP (V) of a fibre set from the lead field: phi[e*nt + k], t_k = k dt after the firing
   (overwritten). ccs_sources: the CCS point sources of sim/ccs.h interpolated into the lead field;
   otherwise the charge-conserving line source of spec 5.2 with the Rosenfalck V_m. */
PETSC_EXTERN PetscErrorCode SemgLeadfieldMUAP(SemgLeadfield lf, PetscInt nf, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscBool ccs_sources, PetscReal *phi);

#endif
