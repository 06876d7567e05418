/* semg leadfield: solve and store the reciprocity lead fields of an electrode array. */
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "sim/commands.h"
#include "sim/vc/leadfield.h"
#include "sim/vc/misalign.h"

typedef struct {
  char               electrodes[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN];
  PetscReal          radius, size[2], box[6];
  PetscBool          rect, box_set;
  PetscInt           reference, seed, sample, groups;
  SemgTissue         tissue;
  SemgInhomogeneity  inh;
  SemgVCGrid         grid;
  SemgMisalignParams mis;
} LeadCtx;

static PetscErrorCode ProcessOptions(MPI_Comm comm, LeadCtx *ctx)
{
  PetscBool set_e, set_o, set_r;
  PetscInt  nsize = 2, nbox = 6;

  PetscFunctionBeginUser;
  ctx->radius    = 0;
  ctx->reference = -1;
  ctx->seed      = 1;
  ctx->sample    = 0;
  ctx->groups    = 0;
  PetscCall(SemgTissueDefault(&ctx->tissue));
  PetscCall(SemgInhomogeneityDefault(&ctx->inh));
  PetscCall(SemgVCGridProduction(&ctx->grid));
  PetscCall(SemgMisalignParamsDefault(&ctx->mis));
  PetscOptionsBegin(comm, NULL, "semg leadfield: reciprocity lead fields of an electrode array", "semg");
  PetscCall(PetscOptionsString("-electrodes", "CSV with columns x,y,z (m) of the skin electrodes", "", ctx->electrodes, ctx->electrodes, sizeof(ctx->electrodes), &set_e));
  PetscCall(PetscOptionsString("-output", "lead-field HDF5 file", "", ctx->output, ctx->output, sizeof(ctx->output), &set_o));
  PetscCall(PetscOptionsReal("-electrode_radius", "electrode disc radius, m (0 = point electrodes)", "", ctx->radius, &ctx->radius, &set_r));
  PetscCall(PetscOptionsRealArray("-electrode_size", "rectangular electrodes a,b (m, a along x, b along y); excludes -electrode_radius", "", ctx->size, &nsize,
                                  &ctx->rect));
  PetscCall(
    PetscOptionsRealArray("-store_box", "store only the cells of xlo,xhi,ylo,yhi,zlo,zhi (m) plus one cell (default: all)", "", ctx->box, &nbox, &ctx->box_set));
  PetscCall(PetscOptionsInt("-leadfield_reference", "reference electrode index (-1 = mean reference)", "", ctx->reference, &ctx->reference, NULL));
  PetscCall(PetscOptionsInt("-leadfield_groups", "electrode groups solving side by side, each on its own copy of the grid (0 = min(ranks, electrodes), capped at 2.5 M cells per rank; 1 = one domain-decomposed solve per electrode)", "",
                            ctx->groups, &ctx->groups, NULL));
  PetscCall(PetscOptionsInt("-misalign_seed", "seed of the electrode misalignment draws", "", ctx->seed, &ctx->seed, NULL));
  PetscCall(PetscOptionsInt("-misalign_sample", "sample index of the misalignment draws", "", ctx->sample, &ctx->sample, NULL));
  PetscCall(SemgTissueOptions(PetscOptionsObject, &ctx->tissue));
  PetscCall(SemgInhomogeneityOptions(PetscOptionsObject, &ctx->inh));
  PetscCall(SemgVCGridOptions(PetscOptionsObject, &ctx->grid));
  PetscCall(SemgMisalignOptions(PetscOptionsObject, &ctx->mis));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRequire(comm, "-electrodes", set_e));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCall(SemgTissueCheck(comm, &ctx->tissue));
  PetscCheck(ctx->radius >= 0, comm, SEMG_ERR_USER, "-electrode_radius must be >= 0 (got %g)", (double)ctx->radius);
  PetscCheck(!(ctx->rect && set_r), comm, SEMG_ERR_USER, "-electrode_size and -electrode_radius exclude each other");
  PetscCheck(!ctx->rect || (nsize == 2 && ctx->size[0] > 0 && ctx->size[1] > 0), comm, SEMG_ERR_USER, "-electrode_size needs 2 values a,b > 0 (m)");
  PetscCheck(!ctx->box_set || nbox == 6, comm, SEMG_ERR_USER, "-store_box needs 6 values xlo,xhi,ylo,yhi,zlo,zhi (got %d)", (int)nbox);
  PetscCheck(ctx->groups >= 0, comm, SEMG_ERR_USER, "-leadfield_groups must be >= 0 (got %d)", (int)ctx->groups);
  PetscCheck(ctx->seed >= 0 && ctx->sample >= 0, comm, SEMG_ERR_USER, "-misalign_seed and -misalign_sample must be >= 0");
  PetscCheck(ctx->grid.far_bc != SEMG_VC_FAR_MONOPOLE, comm, SEMG_ERR_USER, "-vc_far_bc monopole is for point sources only; use neumann, dirichlet or robin");
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The lead field is equally accurate at every electrode only inside the grid's uniform core (pure
   delays between channels need it to reach well beyond the array: docs/models-volume-conductor.md 2). */
static PetscErrorCode ReportCore(MPI_Comm comm, const SemgVCGrid *g, SemgConductor c, PetscInt ne, const PetscReal *xyz)
{
  PetscReal core[2], h[2];
  PetscInt  outside = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgConductorGetCore(c, core, h));
  for (PetscInt e = 0; e < ne; e++)
    if (PetscAbsReal(xyz[3 * e] - g->centre[0]) > core[0] || PetscAbsReal(xyz[3 * e + 1] - g->centre[1]) > core[1]) outside++;
  PetscCall(PetscPrintf(comm, "semg leadfield: uniform core +-%.1f mm (x) by +-%.1f mm (y), cells %.3f x %.3f mm\n", (double)(core[0] * 1e3), (double)(core[1] * 1e3), (double)(h[0] * 1e3), (double)(h[1] * 1e3)));
  if (outside)
    PetscCall(PetscPrintf(comm, "semg leadfield: warning: %d of %d electrodes lie outside the uniform core (their lead fields are coarser); raise -vc_grid nx,ny or set -vc_centre\n", (int)outside, (int)ne));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdLeadfield(MPI_Comm comm)
{
  LeadCtx                  ctx;
  PetscInt                 ne, *column = NULL, *its;
  PetscReal               *nominal = NULL, *xyz, *radius, *size, *angle, centre[2] = {0, 0};
  SemgMisalignDrawn        drawn;
  SemgConductor            c;
  SemgLeadfieldStoreParams sp;
  MPI_Comm                 gcomm;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&ctx, sizeof(ctx)));
  PetscCall(ProcessOptions(comm, &ctx));
  PetscCall(SemgVCCommandSetUp(comm, ctx.electrodes, ctx.output, &ne, &nominal, &column));
  PetscCheck(ctx.reference < ne, comm, SEMG_ERR_USER, "-leadfield_reference %d: only %d electrodes in %s", (int)ctx.reference, (int)ne, ctx.electrodes);
  PetscCall(PetscMalloc5(3 * (size_t)ne, &xyz, ne, &radius, ne, &its, 2 * (size_t)ne, &size, ne, &angle));
  for (PetscInt e = 0; e < ne; e++) {
    centre[0] += nominal[3 * e] / ne;
    centre[1] += nominal[3 * e + 1] / ne;
    radius[e]       = ctx.radius;
    size[2 * e]     = ctx.rect ? ctx.size[0] : 0;
    size[2 * e + 1] = ctx.rect ? ctx.size[1] : 0;
  }
  PetscCall(SemgMisalignApply(&ctx.mis, (uint64_t)ctx.seed, (uint64_t)ctx.sample, ne, nominal, centre, xyz, NULL, &drawn));
  /* rectangles turn with the array */
  for (PetscInt e = 0; e < ne; e++) angle[e] = drawn.rotation;
  PetscCall(SemgInhomogeneitySetUp(&ctx.inh));
  PetscCall(SemgLeadfieldStoreParamsDefault(&sp));
  PetscCall(SemgLeadfieldGroupsSplit(comm, ne, ctx.grid.n[0] * ctx.grid.n[1] * ctx.grid.n[2], ctx.groups, &sp, &gcomm));
  PetscCall(SemgConductorCreate(gcomm, &ctx.grid, &ctx.tissue, &ctx.inh, &c));
  PetscCall(SemgConductorSetUp(c));
  PetscCall(ReportCore(comm, &ctx.grid, c, ne, xyz));
  if (sp.ngroups > 1) PetscCall(PetscPrintf(comm, "semg leadfield: %d electrode groups solving side by side (-leadfield_groups)\n", (int)sp.ngroups));
  sp.radius  = radius;
  sp.nominal = nominal;
  sp.size    = size;
  sp.angle   = angle;
  sp.box_set = ctx.box_set;
  PetscCall(PetscArraycpy(sp.box, ctx.box, 6));
  PetscCall(SemgLeadfieldComputeAndStoreWithParams(c, ne, xyz, &sp, ctx.reference, ctx.output, its));
  PetscCall(
    PetscPrintf(comm, "semg leadfield: %d electrodes, %d x %d x %d cells, iterations", (int)ne, (int)ctx.grid.n[0], (int)ctx.grid.n[1], (int)ctx.grid.n[2]));
  for (PetscInt e = 0; e < ne; e++) PetscCall(PetscPrintf(comm, " %d", (int)its[e]));
  PetscCall(PetscPrintf(comm, "\n"));
  PetscCall(SemgConductorDestroy(&c));
  PetscCallMPI(MPI_Comm_free(&gcomm));
  PetscCall(SemgInhomogeneityDestroy(&ctx.inh));
  PetscCall(PetscFree5(xyz, radius, its, size, angle));
  PetscCall(PetscFree(nominal));
  PetscCall(PetscFree(column));
  PetscFunctionReturn(PETSC_SUCCESS);
}
