/* Solver policy of the volume conductor (spec volume-conductor.md 7): matrix format, CG with BoomerAMG by
   default or geometric multigrid / GAMG / hypre structured solvers by -vc_pc_type, smoothers, grounding. */
#include <string.h>
#include "core/semg_error.h"
#include "sim/vc/conductorimpl.h"
#if defined(PETSC_HAVE_HYPRE)
  #include <petsc/private/pcimpl.h>
  #include <HYPRE_parcsr_ls.h>
#endif

/* The solver decides the matrix format. Default: CG + hypre BoomerAMG on AIJ (spec 7), which is 2x
   cheaper per solve than hypre's semicoarsening multigrid (SMG) and nearly as flat under refinement
   (docs/models-volume-conductor.md 4); -vc_pc_type smg|pfmg take the structured hypre matrix,
   -vc_pc_type mg|gamg|... or -vc_dm_mat_type choose otherwise; grid sizes are never options. */
PetscErrorCode SemgConductorChooseMatType(SemgConductor c)
{
  char      mtype[64] = MATAIJ, ptype[64] = "";
  PetscBool mset, pset;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, "vc_", "-dm_mat_type", mtype, sizeof(mtype), &mset));
  PetscCall(PetscOptionsGetString(NULL, "vc_", "-pc_type", ptype, sizeof(ptype), &pset));
  if (!mset) {
#if defined(PETSC_HAVE_HYPRE)
    if (pset && (!strcmp(ptype, PCSMG) || !strcmp(ptype, PCPFMG))) PetscCall(PetscStrncpy(mtype, MATHYPRESTRUCT, sizeof(mtype)));
#endif
  }
  PetscCall(DMSetMatType(c->da, mtype));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Number of geometric levels: halve (n - 1) while every direction stays >= 2 cells per rank + 1. */
static PetscErrorCode SemgConductorMGLevels(SemgConductor c, PetscInt *levels)
{
  PetscInt n[3], p[3];

  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(c->da, NULL, &n[0], &n[1], &n[2], &p[0], &p[1], &p[2], NULL, NULL, NULL, NULL, NULL, NULL));
  *levels = 1;
  for (;;) {
    PetscBool ok = PETSC_TRUE;
    for (PetscInt d = 0; d < 3; d++)
      if ((n[d] - 1) % 2 || (n[d] - 1) / 2 + 1 < PetscMax(5, 2 * p[d] + 1)) ok = PETSC_FALSE;
    if (!ok) break;
    for (PetscInt d = 0; d < 3; d++) n[d] = (n[d] - 1) / 2 + 1;
    (*levels)++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Default smoother on every level unless the options name one: Chebyshev preconditioned by block ILU(k)
   (one block per rank), DMDA index order (z, x, y). ILU(0) is a z-line smoother; the stretched far
   field also has strips where h_x >> h_y (or the reverse) whose strong couplings span (z, y) or (z, x)
   planes, and there the iteration count grew with refinement (10/17/23 for 33^3/65^3/129^3). Fill
   levels approximate plane relaxation: ILU(3) on the finest level and ILU(1) below give 9/9/9 at about
   the same cost per solve (docs/models-volume-conductor.md 9). */
static PetscErrorCode SemgConductorSetUpSmoothers(SemgConductor c, PC pc)
{
  PetscBool ismg, set;
  PetscInt  nl, *fill = c->grid.ilu_fill;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCMG, &ismg));
  PetscCall(PetscOptionsHasName(NULL, "vc_", "-mg_levels_pc_type", &set));
  if (!ismg || set) {
    PetscCall(KSPSetUp(c->ksp));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PCMGGetLevels(pc, &nl));
  for (PetscInt l = 1; l < nl; l++) {
    KSP sk;
    PC  spc;
    PetscCall(PCMGGetSmoother(pc, l, &sk));
    PetscCall(KSPGetPC(sk, &spc));
    PetscCall(PCSetType(spc, PCBJACOBI));
  }
  /* the block solvers exist once the hierarchy is set up; they are factored at the first solve */
  PetscCall(KSPSetUp(c->ksp));
  for (PetscInt l = 1; l < nl; l++) {
    KSP      sk, *sub;
    PC       spc, subpc;
    PetscInt nloc;
    PetscCall(PCMGGetSmoother(pc, l, &sk));
    PetscCall(KSPGetPC(sk, &spc));
    PetscCall(PCBJacobiGetSubKSP(spc, &nloc, NULL, &sub));
    for (PetscInt b = 0; b < nloc; b++) {
      PetscCall(KSPGetPC(sub[b], &subpc));
      PetscCall(PCFactorSetLevels(subpc, l == nl - 1 ? fill[0] : fill[1]));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* hypre 2.26 builds each Galerkin product R A P in one fused kernel that, on more than one rank, scans the
   whole list of rows sent to the other rank once per coarse row; its "modularised" product (A P, then
   P^T (A P)) has no such scan and sets up faster on 2 ranks, no slower on 1 (figures and commands:
   docs/models-volume-conductor.md 4, docs/performance.md). PETSc 3.18 has no option for it, so it is set
   here on BoomerAMG's own solver object: the private PC_HYPRE context of PETSc 3.18 begins with that
   HYPRE_Solver (src/ksp/pc/impls/hypre/hypre.c). Other PETSc versions are left alone rather than guessed at. */
static PetscErrorCode SemgConductorBoomerAMGModuleRAP(PC pc)
{
  PetscBool   modular = PETSC_TRUE, boomer;
  const char *htype   = NULL;

  PetscFunctionBeginUser;
  PetscCall(PCHYPREGetType(pc, &htype));
  PetscCall(PetscStrcmp(htype, "boomeramg", &boomer));
  if (!boomer) PetscFunctionReturn(PETSC_SUCCESS);
  PetscOptionsBegin(PetscObjectComm((PetscObject)pc), "vc_", "semg: BoomerAMG settings PETSc does not expose", NULL);
  PetscCall(PetscOptionsBool("-pc_hypre_boomeramg_mod_rap2", "Galerkin product as two modular sparse products (HYPRE_BoomerAMGSetModuleRAP2)", NULL, modular, &modular, NULL));
  PetscOptionsEnd();
#if PETSC_VERSION_MAJOR == 3 && PETSC_VERSION_MINOR == 18
  PetscCheck(HYPRE_BoomerAMGSetModuleRAP2(*(HYPRE_Solver *)pc->data, modular ? 1 : 0) == 0, PetscObjectComm((PetscObject)pc), PETSC_ERR_LIB, "HYPRE_BoomerAMGSetModuleRAP2 failed");
#else
  PetscCall(PetscInfo(pc, "PETSc %d.%d: hypre's modular Galerkin product not set (checked for 3.18 only)\n", PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR));
#endif
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Defaults of the default preconditioner, each overridable by its -vc_pc_hypre_boomeramg_* option, chosen
   by measurement on the refinement family (figures: docs/models-volume-conductor.md 4, 9): PMIS coarsening
   with extended+i interpolation, at most 6 interpolation entries per row and strong threshold 0.25 (fewer
   iterations for the same solve time than 4 entries or the usual 0.5-0.7). Relaxation: one forward hybrid
   Gauss-Seidel sweep down and one backward sweep up, in grid order rather than C/F order, so the V-cycle
   stays symmetric for CG and the sweeps run along z, the DMDA's fastest index and the direction of the
   strongest coupling. The Galerkin product is set in SemgConductorBoomerAMGModuleRAP. */
static PetscErrorCode SemgConductorDefaultBoomerAMG(PC pc)
{
  const char *defaults[][2] = {
    {"-vc_pc_hypre_boomeramg_coarsen_type",     "PMIS" },
    {"-vc_pc_hypre_boomeramg_strong_threshold", "0.25" },
    {"-vc_pc_hypre_boomeramg_interp_type",      "ext+i"},
    {"-vc_pc_hypre_boomeramg_P_max",            "6"    },
    {"-vc_pc_hypre_boomeramg_no_CF",            "1"    },
  };
  const char *relax[] = {"-vc_pc_hypre_boomeramg_relax_type_all", "-vc_pc_hypre_boomeramg_relax_type_down", "-vc_pc_hypre_boomeramg_relax_type_up"};
  PetscBool   set, relax_set = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PCSetType(pc, PCHYPRE));
  PetscCall(PCHYPRESetType(pc, "boomeramg"));
  for (size_t k = 0; k < sizeof(defaults) / sizeof(defaults[0]); k++) {
    PetscCall(PetscOptionsHasName(NULL, NULL, defaults[k][0], &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, defaults[k][0], defaults[k][1]));
  }
  for (size_t k = 0; k < sizeof(relax) / sizeof(relax[0]); k++) {
    PetscCall(PetscOptionsHasName(NULL, NULL, relax[k], &set));
    relax_set = (PetscBool)(relax_set || set);
  }
  if (!relax_set) {
    PetscCall(PetscOptionsSetValue(NULL, relax[1], "SOR/Jacobi"));
    PetscCall(PetscOptionsSetValue(NULL, relax[2], "backward-SOR/Jacobi"));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* BoomerAMG's coarsest-level Gaussian elimination and its hybrid smoothers need a nonsingular matrix.
   With insulated far faces the preconditioner is therefore built from A grounded at one far corner cell
   (a rank-one change, at most one more CG iteration); CG still solves the singular system itself on the
   mean-zero subspace, with the null space attached to A. */
static PetscErrorCode SemgConductorGroundedPmat(SemgConductor c)
{
  PetscInt    rstart, row = 0;
  PetscScalar diag;

  PetscFunctionBeginUser;
  PetscCall(MatDestroy(&c->P));
  PetscCall(MatDuplicate(c->A, MAT_COPY_VALUES, &c->P));
  PetscCall(MatGetOwnershipRange(c->P, &rstart, NULL));
  if (rstart == 0) {
    PetscCall(MatGetValues(c->P, 1, &row, 1, &row, &diag));
    PetscCall(MatSetValue(c->P, row, row, diag, ADD_VALUES));
  }
  PetscCall(MatAssemblyBegin(c->P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(c->P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(c->P, MAT_SPD, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorSetUpKSP(SemgConductor c)
{
  PC        pc, cpc;
  KSP       cksp;
  PetscInt  levels = 1;
  PetscBool structured, pset, hypre;

  PetscFunctionBeginUser;
  PetscCall(KSPCreate(c->comm, &c->ksp));
  PetscCall(KSPSetOptionsPrefix(c->ksp, "vc_"));
  PetscCall(KSPSetOperators(c->ksp, c->A, c->A));
  PetscCall(KSPSetDM(c->ksp, c->da));
  PetscCall(KSPSetDMActive(c->ksp, PETSC_FALSE)); /* the operator is ours; the DM only gives the hierarchy */
  PetscCall(KSPSetType(c->ksp, KSPCG));
  PetscCall(KSPSetTolerances(c->ksp, 1e-10, 1e-50, PETSC_DEFAULT, 1000));
  PetscCall(KSPGetPC(c->ksp, &pc));
  PetscCall(SemgConductorMGLevels(c, &levels));
  PetscCall(PetscObjectTypeCompare((PetscObject)c->A, MATHYPRESTRUCT, &structured));
  PetscCall(PetscOptionsHasName(NULL, "vc_", "-pc_type", &pset));
  if (structured) {
    PetscCall(PCSetType(pc, PCSMG));
#if defined(PETSC_HAVE_HYPRE)
  } else if (!pset) {
    PetscCall(SemgConductorDefaultBoomerAMG(pc));
#endif
  } else if (levels > 1) {
    PetscCall(PCSetType(pc, PCMG));
    PetscCall(PCMGSetLevels(pc, levels, NULL));
    PetscCall(PCMGSetGalerkin(pc, PC_MG_GALERKIN_BOTH));
    /* The coarse Galerkin operator keeps the constant null space: solve it by a pseudo-inverse. */
    PetscCall(PCMGGetCoarseSolve(pc, &cksp));
    PetscCall(KSPGetPC(cksp, &cpc));
    PetscCall(PCSetType(cpc, PCREDUNDANT));
    {
      KSP rksp;
      PC  rpc;
      PetscCall(PCRedundantGetKSP(cpc, &rksp));
      PetscCall(KSPGetPC(rksp, &rpc));
      PetscCall(PCSetType(rpc, PCSVD));
    }
  } else {
    PetscCall(PCSetType(pc, PCGAMG));
  }
  PetscCall(KSPSetFromOptions(c->ksp));
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCHYPRE, &hypre));
#if defined(PETSC_HAVE_HYPRE)
  if (hypre) PetscCall(SemgConductorBoomerAMGModuleRAP(pc));
#endif
  if (hypre && c->ns) {
    PetscCall(SemgConductorGroundedPmat(c));
    PetscCall(KSPSetOperators(c->ksp, c->A, c->P));
  }
  PetscCall(SemgConductorSetUpSmoothers(c, pc));
  PetscFunctionReturn(PETSC_SUCCESS);
}
