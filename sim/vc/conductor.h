/* Cell-centred finite-volume volume conductor on a PETSc DMDA (spec volume-conductor.md 2, 6, 7).
   Unknown: potential per cell (V); equation: flux balance -sum_faces sigma_f A_f (phi_Q - phi_P)/d_PQ = b_P
   with b in amperes per cell. Fibres along x; diagonal tensors; harmonic face means; insulated skin
   (z = 0); far faces insulated (constant null space), phi = 0, phi = half-space monopole of a point
   source (for point-source validation), or the asymptotic Robin condition (spec 2.5, no null space). The operator and its preconditioner are built once and reused
   for every right-hand side. KSP options prefix: vc_ (default CG + geometric MG with Galerkin coarse
   operators on the DMDA hierarchy; e.g. -vc_pc_type gamg). */
#ifndef SEMG_VC_CONDUCTOR_H
#define SEMG_VC_CONDUCTOR_H

#include <petscdmda.h>
#include <petscksp.h>
#include "sim/vc/tissue.h"
#include "sim/vc/grid.h"
#include "sim/vc/inhomog.h"

typedef enum {
  SEMG_VC_STAGE_MESH,
  SEMG_VC_STAGE_ASSEMBLE,
  SEMG_VC_STAGE_SOLVE,
  SEMG_VC_STAGE_LEADFIELD,
  SEMG_VC_STAGE_IO,
  SEMG_VC_NSTAGES
} SemgVCStage;
/* The fixed log stages Mesh, Assemble, Solve, LeadField, IO (registered once). */
PETSC_EXTERN PetscErrorCode SemgVCStageGet(SemgVCStage which, PetscLogStage *stage);

typedef struct _p_SemgConductor *SemgConductor;

PETSC_EXTERN PetscErrorCode SemgConductorCreate(MPI_Comm comm, const SemgVCGrid *grid, const SemgTissue *t, const SemgInhomogeneity *inh, SemgConductor *c);
/* Mesh, conductivities, operator, KSP set-up (preconditioner built here, once). */
PETSC_EXTERN PetscErrorCode SemgConductorSetUp(SemgConductor c);
PETSC_EXTERN PetscErrorCode SemgConductorDestroy(SemgConductor *c);
PETSC_EXTERN PetscErrorCode SemgConductorGetDM(SemgConductor c, DM *da);
PETSC_EXTERN PetscErrorCode SemgConductorGetKSP(SemgConductor c, KSP *ksp);
/* Face coordinates per axis (n[d] + 1 values, identical on all ranks; not to be freed). */
PETSC_EXTERN PetscErrorCode SemgConductorGetFaces(SemgConductor c, const PetscReal *faces[3], PetscInt n[3]);
PETSC_EXTERN PetscErrorCode SemgConductorCreateVec(SemgConductor c, Vec *v);
/* w += cur * trilinear weights at cell centres around point p (constant extrapolation beyond the
   outermost centres). Used for point sources (b) and for point read-outs (phi . w). With far_bc
   monopole and add_bc, the boundary data of the half-space monopole of cur at p are added too. */
PETSC_EXTERN PetscErrorCode SemgConductorAddPoint(SemgConductor c, const PetscReal p[3], PetscReal cur, PetscBool add_bc, Vec w);
/* w += weights of a skin electrode at (x, y): point (radius = 0, bilinear over top cells) or a disc of
   the given radius (area-averaged over the top cells, 64 x 64 sub-samples). Weights sum to 1. */
PETSC_EXTERN PetscErrorCode SemgConductorAddElectrode(SemgConductor c, PetscReal x, PetscReal y, PetscReal radius, Vec w);
/* w += weights of an a x b rectangle (a along x, b along y, axis-aligned) centred at skin point (x, y):
   exact overlap area with each top cell / (a b) (spec 4, ideal averaging). Weights sum to 1; a footprint
   reaching beyond the top face is a user error. */
PETSC_EXTERN PetscErrorCode SemgConductorAddElectrodeRect(SemgConductor c, PetscReal x, PetscReal y, PetscReal a, PetscReal b, Vec w);
/* The rectangle turned by angle (rad) about its centre, e.g. with the array by -misalign_rotation: area
   sampled at 128 x 128 points (weights sum to 1); angle 0 = SemgConductorAddElectrodeRect. */
PETSC_EXTERN PetscErrorCode SemgConductorAddElectrodeRectRotated(SemgConductor c, PetscReal x, PetscReal y, PetscReal a, PetscReal b, PetscReal angle, Vec w);
/* Solve A phi = b. For insulated far faces the right-hand side must satisfy |sum b| <= 1e-12 sum |b|
   (spec 2.6) unless remove_mean is set (reciprocity with the mean reference), and phi is returned
   with zero mean; b is modified (its rounding-level mean removed). its (may be NULL) returns the
   iteration count. */
PETSC_EXTERN PetscErrorCode SemgConductorSolve(SemgConductor c, Vec b, PetscBool remove_mean, Vec phi, PetscInt *its);
/* Global number of cells, and whether the problem has the constant null space. */
PETSC_EXTERN PetscErrorCode SemgConductorGetInfo(SemgConductor c, PetscCount *ncells, PetscBool *singular);
/* The tissue and grid the conductor was created with (for provenance). */
PETSC_EXTERN PetscErrorCode SemgConductorGetParams(SemgConductor c, SemgTissue *t, SemgVCGrid *g);
/* Uniform core of the x and y axes around the grid centre: half-widths and cell sizes (m). Outside it
   the cells grow by a constant ratio <= -vc_stretch_max towards the far faces. */
PETSC_EXTERN PetscErrorCode SemgConductorGetCore(SemgConductor c, PetscReal halfwidth[2], PetscReal spacing[2]);
/* Cell centres per axis (n[d] values; not to be freed). */
PETSC_EXTERN PetscErrorCode SemgConductorGetCentres(SemgConductor c, const PetscReal *cen[3]);
/* Per-cell principal conductivities (dof 3 on a DMDA compatible with the potential's; not to be destroyed). */
PETSC_EXTERN PetscErrorCode SemgConductorGetSigma(SemgConductor c, Vec *sigma);
/* Common start of the volume-conductor commands, after their ProcessOptions: reject unknown options
   (PETSc solver options with the vc_ prefix are allowed), check the electrode and output paths, and
   read the electrode table (x, y, z[, column]). */
PETSC_EXTERN PetscErrorCode SemgVCCommandSetUp(MPI_Comm comm, const char electrodes[], const char output[], PetscInt *ne, PetscReal **xyz, PetscInt **column);

#endif
