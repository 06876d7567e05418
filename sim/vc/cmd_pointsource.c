/* semg pointsource: potential of a unit point current at listed electrodes, analytic or finite-volume. */
#include <stdio.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "sim/commands.h"
#include "sim/vc/layered.h"
#include "sim/vc/conductor.h"

typedef enum { PS_INFINITE, PS_HALFSPACE, PS_LAYERED, PS_FDM } PointModel;
static const char *const point_models[] = {"infinite", "halfspace", "layered", "fdm", "PointModel", "PS_", NULL};

typedef struct {
  PointModel        model;
  PetscReal         src[3];
  char              electrodes[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN];
  SemgTissue        tissue;
  SemgInhomogeneity inh;
  SemgVCGrid        grid;
} PointCtx;

static PetscErrorCode ProcessOptions(MPI_Comm comm, PointCtx *ctx)
{
  PetscInt  n = 3;
  PetscBool set_src, set_e, set_o, set_centre;

  PetscFunctionBeginUser;
  ctx->model = PS_LAYERED;
  PetscCall(SemgTissueDefault(&ctx->tissue));
  PetscCall(SemgInhomogeneityDefault(&ctx->inh));
  PetscCall(SemgVCGridProduction(&ctx->grid));
  ctx->grid.far_bc = SEMG_VC_FAR_MONOPOLE; /* a point source is not charge-neutral */
  PetscOptionsBegin(comm, NULL, "semg pointsource: potential of a 1 A point source at electrodes", "semg");
  PetscCall(PetscOptionsEnum("-model", "infinite | halfspace (muscle only) | layered (three-layer quadrature) | fdm (finite volumes)", "", point_models,
                             (PetscEnum)ctx->model, (PetscEnum *)&ctx->model, NULL));
  PetscCall(PetscOptionsRealArray("-source", "source position X,Y,Z, m (Z < 0)", "", ctx->src, &n, &set_src));
  PetscCall(PetscOptionsString("-electrodes", "CSV with columns x,y,z (m)", "", ctx->electrodes, ctx->electrodes, sizeof(ctx->electrodes), &set_e));
  PetscCall(PetscOptionsString("-output", "output CSV x,y,z,phi_V", "", ctx->output, ctx->output, sizeof(ctx->output), &set_o));
  PetscCall(SemgTissueOptions(PetscOptionsObject, &ctx->tissue));
  PetscCall(SemgInhomogeneityOptions(PetscOptionsObject, &ctx->inh));
  PetscCall(SemgVCGridOptions(PetscOptionsObject, &ctx->grid));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-vc_centre", &set_centre));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRequire(comm, "-source", set_src));
  PetscCheck(n == 3, comm, SEMG_ERR_USER, "-source needs 3 values X,Y,Z (got %d)", (int)n);
  PetscCall(SemgOptionsRequire(comm, "-electrodes", set_e));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCall(SemgTissueCheck(comm, &ctx->tissue));
  PetscCheck(ctx->src[2] < 0 || ctx->model == PS_INFINITE, comm, SEMG_ERR_USER, "-source Z must be < 0 (tissue is z < 0), got %g", (double)ctx->src[2]);
  if (ctx->model == PS_LAYERED)
    PetscCheck(-ctx->src[2] > ctx->tissue.fat_thickness + ctx->tissue.skin_thickness, comm, SEMG_ERR_USER, "-model layered: -source depth %g m must lie in the muscle (below %g m)",
               (double)-ctx->src[2], (double)(ctx->tissue.fat_thickness + ctx->tissue.skin_thickness));
  if (!set_centre) {
    ctx->grid.centre[0] = ctx->src[0];
    ctx->grid.centre[1] = ctx->src[1];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PointAnalytic(MPI_Comm comm, const PointCtx *ctx, PetscInt ne, const PetscReal *xyz, PetscReal *phi)
{
  const SemgTissue *t = &ctx->tissue;

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < ne; e++) {
    const PetscReal *p = &xyz[3 * e];
    switch (ctx->model) {
    case PS_INFINITE:
      phi[e] = SemgOracleInfinite(t->sigma_long, t->sigma_trans, t->sigma_trans, p[0] - ctx->src[0], p[1] - ctx->src[1], p[2] - ctx->src[2]);
      break;
    case PS_HALFSPACE:
      PetscCheck(p[2] <= 0, comm, SEMG_ERR_USER, "-electrodes row %d: z = %g must be <= 0 for -model halfspace", (int)(e + 1), (double)p[2]);
      phi[e] = SemgOracleHalfspace(t->sigma_long, t->sigma_trans, ctx->src, p);
      break;
    default:
      PetscCheck(p[2] == 0, comm, SEMG_ERR_USER, "-electrodes row %d: -model layered gives skin-surface potentials only (z must be 0, got %g)", (int)(e + 1), (double)p[2]);
      PetscCall(SemgLayeredSurfacePotential(t, -ctx->src[2] - t->fat_thickness - t->skin_thickness, p[0] - ctx->src[0], p[1] - ctx->src[1], &phi[e]));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PointFDM(MPI_Comm comm, PointCtx *ctx, PetscInt ne, const PetscReal *xyz, PetscReal *phi)
{
  SemgConductor c;
  Vec           b, x, w;
  PetscInt      its;

  PetscFunctionBeginUser;
  for (PetscInt e = -1; e < ne; e++) {
    const PetscReal *p  = e < 0 ? ctx->src : &xyz[3 * e];
    PetscBool        in = (PetscBool)(PetscAbsReal(p[0] - ctx->grid.centre[0]) < ctx->grid.extent[0] && PetscAbsReal(p[1] - ctx->grid.centre[1]) < ctx->grid.extent[1] && p[2] <= 0 &&
                               p[2] > -ctx->grid.extent[2]);
    PetscCheck(in, comm, SEMG_ERR_USER, "%s (%g, %g, %g) lies outside the finite-volume box (-vc_centre, -vc_extent)", e < 0 ? "-source" : "-electrodes point", (double)p[0], (double)p[1], (double)p[2]);
  }
  PetscCall(SemgInhomogeneitySetUp(&ctx->inh));
  PetscCall(SemgConductorCreate(comm, &ctx->grid, &ctx->tissue, &ctx->inh, &c));
  PetscCall(SemgConductorSetUp(c));
  PetscCall(SemgConductorCreateVec(c, &b));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(VecDuplicate(b, &w));
  PetscCall(VecSet(b, 0));
  PetscCall(SemgConductorAddPoint(c, ctx->src, 1.0, PETSC_TRUE, b));
  PetscCall(SemgConductorSolve(c, b, PETSC_FALSE, x, &its));
  PetscCall(PetscInfo(NULL, "pointsource: %d iterations\n", (int)its));
  for (PetscInt e = 0; e < ne; e++) {
    PetscCall(VecSet(w, 0));
    PetscCall(SemgConductorAddPoint(c, &xyz[3 * e], 1.0, PETSC_FALSE, w));
    PetscCall(VecDot(w, x, &phi[e]));
  }
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&w));
  PetscCall(SemgConductorDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdPointsource(MPI_Comm comm)
{
  PointCtx    ctx;
  PetscInt    ne, *column = NULL;
  PetscReal  *xyz = NULL, *phi;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&ctx, sizeof(ctx)));
  PetscCall(ProcessOptions(comm, &ctx));
  PetscCall(SemgVCCommandSetUp(comm, ctx.electrodes, ctx.output, &ne, &xyz, &column));
  PetscCall(PetscMalloc1(ne, &phi));
  if (ctx.model == PS_FDM) PetscCall(PointFDM(comm, &ctx, ne, xyz, phi));
  else PetscCall(PointAnalytic(comm, &ctx, ne, xyz, phi));
  for (PetscInt e = 0; e < ne; e++) /* a 1/r model at r = 0: never write inf */
    PetscCheck(!PetscIsInfOrNanReal(phi[e]), comm, SEMG_ERR_USER, "-source %g,%g,%g is on electrode %d of -electrodes '%s': the potential there is infinite; put the source inside the tissue",
               (double)ctx.src[0], (double)ctx.src[1], (double)ctx.src[2], (int)e + 1, ctx.electrodes);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    FILE *fp;
    PetscCall(SemgCSVOpen(ctx.output, &fp));
    fprintf(fp, "x,y,z,phi_V\n");
    for (PetscInt e = 0; e < ne; e++)
      fprintf(fp, "%.17g,%.17g,%.17g,%.17g\n", (double)xyz[3 * e], (double)xyz[3 * e + 1], (double)xyz[3 * e + 2], (double)phi[e]);
    PetscCall(SemgCSVClose(ctx.output, &fp));
  }
  PetscCall(PetscFree(phi));
  PetscCall(PetscFree(xyz));
  PetscCall(PetscFree(column));
  PetscCall(SemgInhomogeneityDestroy(&ctx.inh));
  PetscFunctionReturn(PETSC_SUCCESS);
}
