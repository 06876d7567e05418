static char help[] = "Multigrid iteration counts of the lead-field solve vs grid size (should be nearly constant).\n"
                     "  -sizes 33,65[,129]  -max_growth 1.3\n";

#include <petscsys.h>
#include "core/semg_error.h"
#include "sim/vc/conductor.h"

int main(int argc, char **argv)
{
  PetscInt   sizes[8] = {33, 65}, nsizes = 8, its[8];
  PetscReal  max_growth = 1.3;
  SemgTissue t;
  PetscInt   nfail = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(SemgTissueDefault(&t));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "multigrid test", NULL);
  PetscCall(PetscOptionsIntArray("-sizes", "cells per side", NULL, sizes, &nsizes, NULL));
  PetscCall(PetscOptionsReal("-max_growth", "largest allowed ratio of iteration counts between refinements", NULL, max_growth, &max_growth, NULL));
  PetscOptionsEnd();
  if (nsizes == 8) nsizes = 2;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "level  grid            cells  h_xy(mm)  skin/fat cells  CG iterations (rtol 1e-10)  solve (s)\n"));
  for (PetscInt s = 0; s < nsizes; s++) {
    SemgConductor c;
    SemgVCGrid    g;
    Vec           b, phi;
    PetscInt      n = sizes[s];
    PetscReal     hcore[2];
    double        t0, tsolve;

    /* a refinement family of the production grid: insulated box, skin/fat resolved, stretched far field */
    PetscCall(SemgVCGridFamily(n, &g));
    /* experiments: tissue and grid options override the family (except the size) */
    PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "overrides", NULL);
    PetscCall(SemgTissueOptions(PetscOptionsObject, &t));
    PetscCall(SemgVCGridOptions(PetscOptionsObject, &g));
    PetscOptionsEnd();
    PetscCall(SemgConductorCreate(PETSC_COMM_WORLD, &g, &t, NULL, &c));
    PetscCall(SemgConductorSetUp(c));
    PetscCall(SemgConductorCreateVec(c, &b));
    PetscCall(VecDuplicate(b, &phi));
    PetscCall(VecSet(b, 0));
    PetscCall(SemgConductorAddElectrode(c, 0, 0, 0, b));
    PetscCall(SemgConductorSolve(c, b, PETSC_TRUE, phi, &its[s])); /* the first solve also sets up the preconditioner */
    t0 = MPI_Wtime();
    PetscCall(SemgConductorSolve(c, b, PETSC_TRUE, phi, &its[s]));
    tsolve = MPI_Wtime() - t0;
    PetscCall(SemgConductorGetCore(c, NULL, hcore));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%4d  %3dx%3dx%3d %9d  %8.3f  %6d/%-6d  %4d  %8.2f\n", (int)n, (int)g.n[0], (int)g.n[1], (int)g.n[2], (int)(g.n[0] * g.n[1] * g.n[2]), (double)(hcore[0] * 1e3),
                          (int)g.skin_cells, (int)g.fat_cells, (int)its[s], tsolve));
    if (s && its[s] > max_growth * its[s - 1] + 1) nfail++;
    PetscCall(VecDestroy(&b));
    PetscCall(VecDestroy(&phi));
    PetscCall(SemgConductorDestroy(&c));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n", nfail ? "FAIL: iteration count grows with the grid" : "PASS"));
  PetscCall(PetscFinalize());
  return nfail ? 1 : 0;
}
