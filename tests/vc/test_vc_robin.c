static char help[] = "Far-face conditions for a point source in a truncated box (spec 2.5): the asymptotic Robin\n"
                     "condition against insulated and phi = 0 faces, and its truncation error as the box grows.\n"
                     "  -n 33  -radius 20e-3  -n_growth 49  -radii 20e-3,40e-3,80e-3  -depth 5e-3  -min_order 1.9\n";

#include <petscsys.h>
#include "core/semg_error.h"
#include "sim/vc/conductor.h"
#include "sim/vc/layered.h"

#define NPTS 4
static const PetscReal pts[NPTS][2] = {
  {0,     0   },
  {5e-3,  0   },
  {0,     5e-3},
  {10e-3, 5e-3}
};

/* Skin potentials of a 1 A point source at depth d in a muscle box of half-width and depth R
   (spacing hfine under the source, stretched outwards; hfine >= 2R/n: uniform). */
static PetscErrorCode SolveBox(PetscInt n, PetscReal R, PetscReal hfine, PetscReal depth, SemgVCFarBC bc, PetscReal phi[NPTS], PetscInt *its)
{
  SemgTissue    t;
  SemgVCGrid    g;
  SemgConductor c;
  Vec           b, x, w;
  PetscReal     src[3] = {0, 0, -depth};

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  t.fat_thickness = t.skin_thickness = 0;
  PetscCall(SemgVCGridDefault(&g));
  g.n[0] = g.n[1] = g.n[2] = n;
  g.extent[0] = g.extent[1] = g.extent[2] = R;
  g.h[0] = g.h[1] = hfine;
  g.far_bc        = bc;
  PetscCall(SemgConductorCreate(PETSC_COMM_WORLD, &g, &t, NULL, &c));
  PetscCall(SemgConductorSetUp(c));
  PetscCall(SemgConductorCreateVec(c, &b));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(VecDuplicate(b, &w));
  PetscCall(VecSet(b, 0));
  PetscCall(SemgConductorAddPoint(c, src, 1.0, PETSC_TRUE, b));
  /* insulated faces: the source is not charge-neutral; the uniform sink is the best an insulated box
     can do, so only differences are compared for it */
  PetscCall(SemgConductorSolve(c, b, (PetscBool)(bc == SEMG_VC_FAR_NEUMANN), x, its));
  for (PetscInt p = 0; p < NPTS; p++) {
    PetscReal q[3] = {pts[p][0], pts[p][1], 0};
    PetscCall(VecSet(w, 0));
    PetscCall(SemgConductorAddPoint(c, q, 1.0, PETSC_FALSE, w));
    PetscCall(VecDot(w, x, &phi[p]));
  }
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&w));
  PetscCall(SemgConductorDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Largest relative error of the values and of the differences to point 0 (what SD montages see). */
static void Errors(const PetscReal *num, const PetscReal *ref, PetscReal *eabs, PetscReal *ediff)
{
  *eabs = *ediff = 0;
  for (PetscInt p = 0; p < NPTS; p++) *eabs = PetscMax(*eabs, PetscAbsReal(num[p] - ref[p]) / PetscAbsReal(ref[p]));
  for (PetscInt p = 1; p < NPTS; p++) *ediff = PetscMax(*ediff, PetscAbsReal((num[0] - num[p]) - (ref[0] - ref[p])) / PetscAbsReal(ref[0] - ref[p]));
}

int main(int argc, char **argv)
{
  const SemgVCFarBC bcs[3] = {SEMG_VC_FAR_ROBIN, SEMG_VC_FAR_NEUMANN, SEMG_VC_FAR_DIRICHLET};
  PetscInt          n = 33, nr = 8, nfail = 0, its;
  PetscBool         set;
  PetscInt          ng = 49;
  PetscReal         R = 20e-3, radii[8] = {20e-3, 40e-3, 80e-3}, depth = 5e-3, min_order = 1.9, oracle[NPTS], exact[NPTS], num[NPTS], ea[3], ed[3], ta[3], td[3], trunc[8];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Robin far condition test", NULL);
  PetscCall(PetscOptionsInt("-n", "cells per side", NULL, n, &n, NULL));
  PetscCall(PetscOptionsReal("-radius", "half-width and depth of the small box, m", NULL, R, &R, NULL));
  PetscCall(PetscOptionsRealArray("-radii", "box sizes of the growth study, m", NULL, radii, &nr, &set));
  PetscCall(PetscOptionsInt("-n_growth", "cells per side of the growth study (uniform grids)", NULL, ng, &ng, NULL));
  PetscCall(PetscOptionsReal("-depth", "source depth, m", NULL, depth, &depth, NULL));
  PetscCall(PetscOptionsReal("-min_order", "required decay order of the Robin truncation error in R", NULL, min_order, &min_order, NULL));
  PetscOptionsEnd();
  if (!set) nr = 3;
  for (PetscInt p = 0; p < NPTS; p++) {
    PetscReal src[3] = {0, 0, -depth}, q[3] = {pts[p][0], pts[p][1], 0};
    oracle[p] = SemgOracleHalfspace(0.5, 0.1, src, q);
  }
  /* 1. small box: error against the half-space oracle and against the same grid with the exact far
     data (monopole), which isolates the truncation error from the discretisation error */
  PetscCall(SolveBox(n, R, 0.5e-3, depth, SEMG_VC_FAR_MONOPOLE, exact, &its));
  Errors(exact, oracle, &ea[0], &ed[0]);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "box R = %.0f mm, %d^3 cells, source depth %.1f mm; exact far data: oracle error %.3e (differences %.3e)\n", (double)(R * 1e3), (int)n, (double)(depth * 1e3), (double)ea[0], (double)ed[0]));
  for (PetscInt i = 0; i < 3; i++) {
    PetscCall(SolveBox(n, R, 0.5e-3, depth, bcs[i], num, &its));
    Errors(num, oracle, &ea[i], &ed[i]);
    Errors(num, exact, &ta[i], &td[i]);
    if (bcs[i] == SEMG_VC_FAR_NEUMANN) { /* level undefined: differences only */
      ea[i] = ta[i] = PETSC_MAX_REAL;
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %-9s its %3d  vs oracle: values         -  differences %.3e   vs exact far data: values         -  differences %.3e\n", SemgVCFarBCs[bcs[i]], (int)its, (double)ed[i], (double)td[i]));
    } else
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %-9s its %3d  vs oracle: values %.3e differences %.3e   vs exact far data: values %.3e differences %.3e\n", SemgVCFarBCs[bcs[i]], (int)its, (double)ea[i], (double)ed[i], (double)ta[i], (double)td[i]));
  }
  if (!(ed[0] < 0.5 * PetscMin(ed[1], ed[2]) && ea[0] < 0.5 * ea[2] && td[0] < 0.5 * PetscMin(td[1], td[2]))) {
    nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "FAIL: robin not clearly (2x) closer than insulated and phi = 0\n"));
  }
  /* 2. truncation error of robin as the box grows: uniform grids scaled with R (the difference to the
     exact far data is a smooth far-field correction; on stretched grids its discretisation error on
     the wide far cells, ~1e-4, would hide the decay) */
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "truncation errors vs exact far data, uniform %d^3 grids (values | differences):\n", (int)ng));
  for (PetscInt r = 0; r < nr; r++) {
    PetscCall(SolveBox(ng, radii[r], 1.0, depth, SEMG_VC_FAR_MONOPOLE, exact, &its));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  R = %4.0f mm:", (double)(radii[r] * 1e3)));
    for (PetscInt i = 0; i < 3; i++) {
      PetscCall(SolveBox(ng, radii[r], 1.0, depth, bcs[i], num, &its));
      Errors(num, exact, &ta[i], &td[i]);
      if (bcs[i] == SEMG_VC_FAR_NEUMANN) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s       - | %.3e", SemgVCFarBCs[bcs[i]], (double)td[i]));
      else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s %.3e | %.3e", SemgVCFarBCs[bcs[i]], (double)ta[i], (double)td[i]));
    }
    trunc[r] = ta[0];
    if (r) {
      PetscReal order = PetscLogReal(trunc[r - 1] / trunc[r]) / PetscLogReal(radii[r] / radii[r - 1]);
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  robin order %.2f", (double)order));
      if (order < min_order) nfail++;
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n", nfail ? "FAIL" : "PASS"));
  PetscCall(PetscFinalize());
  return nfail ? 1 : 0;
}
