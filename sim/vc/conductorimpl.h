/* Private to the volume conductor's files (sim/vc/conductor.c, assembly.c, solver.c, footprint.c): the
   object and the steps of SemgConductorSetUp, as PETSc keeps an object's struct in its impl header. */
#ifndef SEMG_VC_CONDUCTORIMPL_H
#define SEMG_VC_CONDUCTORIMPL_H

#include "sim/vc/conductor.h"

struct _p_SemgConductor {
  MPI_Comm                 comm;
  SemgVCGrid               grid;
  SemgTissue               tissue;
  const SemgInhomogeneity *inh;
  DM                       da, sda; /* potential (dof 1) and conductivity (dof 3) */
  PetscReal               *face[3]; /* n[d] + 1 face coordinates */
  PetscReal               *cen[3];  /* n[d] cell centres */
  Vec                      sigma;   /* principal conductivities per cell */
  Mat                      A;
  Mat                      P; /* preconditioning matrix when it differs from A (grounded copy), else NULL */
  MatNullSpace             ns;
  KSP                      ksp;
  PetscReal                core[2], hcore[2]; /* uniform core half-widths and spacings in x and y */
};

/* The DMDA's axes are (z, x, y): z, the direction of the thin skin and fat cells and hence of the
   strongest coupling, is the fastest index, so block-ILU / SOR smoothers sweep along it. Arrays are
   indexed a[y][x][z]. This returns the owned range in physical order (x, y, z). */
static inline PetscErrorCode SemgConductorGetCorners(SemgConductor c, PetscInt *xs, PetscInt *ys, PetscInt *zs, PetscInt *xm, PetscInt *ym, PetscInt *zm)
{
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(c->da, zs, xs, ys, zm, xm, ym));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Conductance from cell centre P to a far face (Dirichlet): the operator and the far-face data of
   point sources (footprint.c) use the same one. */
static inline PetscReal WallConductance(PetscReal area, PetscReal hP, PetscReal sP)
{
  return area / (0.5 * hP / sP);
}

/* solver.c: the matrix format the solver wants (before DMSetUp), and the KSP with its preconditioner */
PETSC_INTERN PetscErrorCode SemgConductorChooseMatType(SemgConductor c);
PETSC_INTERN PetscErrorCode SemgConductorSetUpKSP(SemgConductor c);
/* assembly.c: per-cell conductivities, then the operator A (and its null space) */
PETSC_INTERN PetscErrorCode SemgConductorFillSigma(SemgConductor c);
PETSC_INTERN PetscErrorCode SemgConductorAssemble(SemgConductor c);

#endif
