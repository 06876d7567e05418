/* The volume conductor object: create, set up (mesh, then assembly.c and solver.c), solve, inspect. */
#include "core/semg_error.h"
#include "core/semg_csv.h"
#include "core/semg_options.h"
#include "sim/vc/conductorimpl.h"

PetscErrorCode SemgVCStageGet(SemgVCStage which, PetscLogStage *stage)
{
  static PetscLogStage stages[SEMG_VC_NSTAGES];
  static PetscBool     registered             = PETSC_FALSE;
  const char          *names[SEMG_VC_NSTAGES] = {"Mesh", "Assemble", "Solve", "LeadField", "IO"};

  PetscFunctionBeginUser;
  if (!registered) {
    for (PetscInt i = 0; i < SEMG_VC_NSTAGES; i++) PetscCall(PetscLogStageRegister(names[i], &stages[i]));
    registered = PETSC_TRUE;
  }
  *stage = stages[which];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorCreate(MPI_Comm comm, const SemgVCGrid *grid, const SemgTissue *t, const SemgInhomogeneity *inh, SemgConductor *c)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(c));
  (*c)->comm   = comm;
  (*c)->grid   = *grid;
  (*c)->tissue = *t;
  (*c)->inh    = inh;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorDestroy(SemgConductor *c)
{
  PetscFunctionBeginUser;
  if (!*c) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree2((*c)->face[d], (*c)->cen[d]));
  PetscCall(VecDestroy(&(*c)->sigma));
  PetscCall(MatDestroy(&(*c)->A));
  PetscCall(MatDestroy(&(*c)->P));
  PetscCall(MatNullSpaceDestroy(&(*c)->ns));
  PetscCall(KSPDestroy(&(*c)->ksp));
  PetscCall(DMDestroy(&(*c)->sda));
  PetscCall(DMDestroy(&(*c)->da));
  PetscCall(PetscFree(*c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode SemgConductorMesh(SemgConductor c)
{
  const SemgVCGrid *g = &c->grid;

  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscMalloc2(g->n[d] + 1, &c->face[d], g->n[d], &c->cen[d]));
  PetscCall(SemgVCGridFaces(g, &c->tissue, c->face, c->core, c->hcore));
  for (PetscInt d = 0; d < 3; d++)
    for (PetscInt i = 0; i < g->n[d]; i++) c->cen[d][i] = 0.5 * (c->face[d][i] + c->face[d][i + 1]);
  PetscCall(DMDACreate3d(c->comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, g->n[2], g->n[0], g->n[1], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &c->da));
  PetscCall(DMSetOptionsPrefix(c->da, "vc_"));
  PetscCall(SemgConductorChooseMatType(c));
  PetscCall(DMSetUp(c->da));
  PetscCall(DMDACreateCompatibleDMDA(c->da, 3, &c->sda));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorSetUp(SemgConductor c)
{
  PetscLogStage stage = -1;

  PetscFunctionBeginUser;
  PetscCall(SemgVCStageGet(SEMG_VC_STAGE_MESH, &stage));
  PetscCall(PetscLogStagePush(stage));
  PetscCall(SemgConductorMesh(c));
  PetscCall(PetscLogStagePop());
  PetscCall(SemgVCStageGet(SEMG_VC_STAGE_ASSEMBLE, &stage));
  PetscCall(PetscLogStagePush(stage));
  PetscCall(SemgConductorFillSigma(c));
  PetscCall(SemgConductorAssemble(c));
  PetscCall(SemgConductorSetUpKSP(c));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetDM(SemgConductor c, DM *da)
{
  PetscFunctionBeginUser;
  *da = c->da;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetKSP(SemgConductor c, KSP *ksp)
{
  PetscFunctionBeginUser;
  *ksp = c->ksp;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetFaces(SemgConductor c, const PetscReal *faces[3], PetscInt n[3])
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 3; d++) {
    if (faces) faces[d] = c->face[d];
    if (n) n[d] = c->grid.n[d];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorCreateVec(SemgConductor c, Vec *v)
{
  PetscFunctionBeginUser;
  PetscCall(DMCreateGlobalVector(c->da, v));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetInfo(SemgConductor c, PetscCount *ncells, PetscBool *singular)
{
  PetscFunctionBeginUser;
  if (ncells) *ncells = (PetscCount)c->grid.n[0] * c->grid.n[1] * c->grid.n[2];
  if (singular) *singular = c->ns ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgVCCommandSetUp(MPI_Comm comm, const char electrodes[], const char output[], PetscInt *ne, PetscReal **xyz, PetscInt **column)
{
  const char *const allowed[] = {"vc_", NULL};

  PetscFunctionBeginUser;
  PetscCall(SemgOptionsRejectUnknown(comm, allowed));
  PetscCall(SemgCheckInputPath(comm, "-electrodes", electrodes));
  PetscCall(SemgCheckOutputPath(comm, "-output", output));
  PetscCall(SemgElectrodesReadCSV(comm, "-electrodes", electrodes, ne, xyz, column));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorSolve(SemgConductor c, Vec b, PetscBool remove_mean, Vec phi, PetscInt *its)
{
  KSPConvergedReason reason;
  PetscLogStage      stage = -1;

  PetscFunctionBeginUser;
  PetscCall(SemgVCStageGet(SEMG_VC_STAGE_SOLVE, &stage));
  PetscCall(PetscLogStagePush(stage));
  if (c->ns) {
    PetscScalar sum;
    PetscReal   asum;
    PetscCall(VecSum(b, &sum));
    PetscCall(VecNorm(b, NORM_1, &asum));
    PetscCheck(remove_mean || PetscAbsScalar(sum) <= 1e-12 * asum, c->comm, PETSC_ERR_ARG_WRONG, "right-hand side not charge-neutral (sum %g, sum|b| %g) with insulated far faces: use -vc_far_bc dirichlet or monopole", (double)PetscRealPart(sum), (double)asum);
    PetscCall(MatNullSpaceRemove(c->ns, b));
  }
  PetscCall(KSPSolve(c->ksp, b, phi));
  PetscCall(KSPGetConvergedReason(c->ksp, &reason));
  PetscCheck(reason > 0, c->comm, PETSC_ERR_NOT_CONVERGED, "volume-conductor solve did not converge (%s); try -vc_pc_type gamg or more -vc_ksp_max_it", KSPConvergedReasons[reason]);
  if (c->ns) PetscCall(MatNullSpaceRemove(c->ns, phi));
  if (its) PetscCall(KSPGetIterationNumber(c->ksp, its));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetParams(SemgConductor c, SemgTissue *t, SemgVCGrid *g)
{
  PetscFunctionBeginUser;
  if (t) *t = c->tissue;
  if (g) *g = c->grid;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetCore(SemgConductor c, PetscReal halfwidth[2], PetscReal spacing[2])
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 2; d++) {
    if (halfwidth) halfwidth[d] = c->core[d];
    if (spacing) spacing[d] = c->hcore[d];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetCentres(SemgConductor c, const PetscReal *cen[3])
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 3; d++) cen[d] = c->cen[d];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorGetSigma(SemgConductor c, Vec *sigma)
{
  PetscFunctionBeginUser;
  *sigma = c->sigma;
  PetscFunctionReturn(PETSC_SUCCESS);
}
