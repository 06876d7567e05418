#include <math.h>
#include "core/semg_error.h"
#include "core/semg_csv.h"
#include "core/semg_options.h"
#include "sim/vc/conductor.h"
#include "sim/vc/layered.h"
#if defined(PETSC_HAVE_HYPRE)
  #include <petsc/private/pcimpl.h>
  #include <HYPRE_parcsr_ls.h>
#endif

const char *const SemgVCFarBCs[] = {"neumann", "dirichlet", "monopole", "robin", "SemgVCFarBC", "SEMG_VC_FAR_", NULL};

struct _p_SemgConductor {
  MPI_Comm                 comm;
  SemgVCGrid               grid;
  SemgTissue               tissue;
  const SemgInhomogeneity *inh;
  DM                       da, sda;  /* potential (dof 1) and conductivity (dof 3) */
  PetscReal               *face[3];  /* n[d] + 1 face coordinates */
  PetscReal               *cen[3];   /* n[d] cell centres */
  Vec                      sigma;    /* principal conductivities per cell */
  Mat                      A;
  Mat                      P;        /* preconditioning matrix when it differs from A (grounded copy), else NULL */
  MatNullSpace             ns;
  KSP                      ksp;
  PetscReal                core[2], hcore[2]; /* uniform core half-widths and spacings in x and y */
};

/* The DMDA's axes are (z, x, y): z, the direction of the thin skin and fat cells and hence of the
   strongest coupling, is the fastest index, so block-ILU / SOR smoothers sweep along it. Arrays are
   indexed a[y][x][z]. This returns the owned range in physical order (x, y, z). */
static PetscErrorCode GetCorners(SemgConductor c, PetscInt *xs, PetscInt *ys, PetscInt *zs, PetscInt *xm, PetscInt *ym, PetscInt *zm)
{
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(c->da, zs, xs, ys, zm, xm, ym));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgVCStageGet(SemgVCStage which, PetscLogStage *stage)
{
  static PetscLogStage stages[5];
  static PetscBool     registered = PETSC_FALSE;
  const char          *names[5]   = {"Mesh", "Assemble", "Solve", "LeadField", "IO"};

  PetscFunctionBeginUser;
  if (!registered) {
    for (PetscInt i = 0; i < 5; i++) PetscCall(PetscLogStageRegister(names[i], &stages[i]));
    registered = PETSC_TRUE;
  }
  *stage = stages[which];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgVCGridDefault(SemgVCGrid *g)
{
  PetscFunctionBeginUser;
  g->n[0] = g->n[1] = g->n[2] = 65;
  g->centre[0] = g->centre[1] = 0;
  g->extent[0] = g->extent[1] = 0.12;
  g->extent[2]                = 0.08;
  g->h[0]                     = 0.5e-3;
  g->h[1]                     = 0.5e-3;
  g->stretch_max              = 1.15;
  g->skin_cells               = 4;
  g->fat_cells                = 6;
  g->far_bc                   = SEMG_VC_FAR_NEUMANN;
  g->open_top                 = PETSC_FALSE;
  g->robin_centre[0] = g->robin_centre[1] = g->robin_centre[2] = 0;
  g->robin_centre_set                                         = PETSC_FALSE;
  g->ref_n[0] = g->ref_n[1] = 0;
  g->ilu_fill[0]              = 3;
  g->ilu_fill[1]              = 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgVCGridProduction(SemgVCGrid *g)
{
  PetscFunctionBeginUser;
  PetscCall(SemgVCGridDefault(g));
  /* level 129 of SemgVCGridFamily as a fixed-ratio grid: 2.06 M cells, uniform 0.5 mm core of +-45 mm x
     +-8 mm (a 16-electrode array at 5 mm fits with margin), 0.25 mm cells in skin, fat and muscle top */
  g->n[0]       = 225;
  g->n[1]       = 81;
  g->n[2]       = 113;
  g->h[0]       = 0.5e-3;
  g->h[1]       = 0.25e-3;
  g->skin_cells = 4;
  g->fat_cells  = 12;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgVCGridOptions(PetscOptionItems *PetscOptionsObject, SemgVCGrid *g)
{
  PetscInt  n;
  PetscBool set;

  PetscFunctionBeginUser;
  n = 3;
  PetscCall(PetscOptionsIntArray("-vc_grid", "cells nx,ny,nz (semg leadfield/pointsource: 225,81,113; 2^k m + 1 for -vc_pc_type mg)", "SemgConductor", g->n, &n, &set));
  PetscCheck(!set || n == 3, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_grid needs 3 values nx,ny,nz (got %d)", (int)n);
  n = 2;
  PetscCall(PetscOptionsRealArray("-vc_centre", "centre x,y of the fine region under the array, m", "SemgConductor", g->centre, &n, NULL));
  n = 3;
  PetscCall(PetscOptionsRealArray("-vc_extent", "far half-widths X,Y and depth Z of the box, m", "SemgConductor", g->extent, &n, &set));
  PetscCheck(!set || n == 3, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_extent needs 3 values X,Y,Z (got %d)", (int)n);
  n = 2;
  PetscCall(PetscOptionsRealArray("-vc_h", "target spacing hxy under the array and hz at the muscle top, m", "SemgConductor", g->h, &n, NULL));
  PetscCall(PetscOptionsReal("-vc_stretch_max", "largest ratio of neighbouring cell widths", "SemgConductor", g->stretch_max, &g->stretch_max, NULL));
  PetscCall(PetscOptionsInt("-vc_skin_cells", "cells across the skin", "SemgConductor", g->skin_cells, &g->skin_cells, NULL));
  PetscCall(PetscOptionsInt("-vc_fat_cells", "cells across the fat", "SemgConductor", g->fat_cells, &g->fat_cells, NULL));
  PetscCall(PetscOptionsEnum("-vc_far_bc", "far faces: insulated, phi = 0, phi = half-space monopole (point sources), or asymptotic Robin", "SemgConductor", SemgVCFarBCs, (PetscEnum)g->far_bc, (PetscEnum *)&g->far_bc, NULL));
  PetscCall(PetscOptionsInt("-vc_ilu_levels_fine", "-vc_pc_type mg: ILU fill levels of the finest smoother", "SemgConductor", g->ilu_fill[0], &g->ilu_fill[0], NULL));
  PetscCall(PetscOptionsInt("-vc_ilu_levels_coarse", "-vc_pc_type mg: ILU fill levels of the coarser smoothers", "SemgConductor", g->ilu_fill[1], &g->ilu_fill[1], NULL));
  PetscCheck(g->ilu_fill[0] >= 0 && g->ilu_fill[1] >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_ilu_levels_fine and -vc_ilu_levels_coarse must be >= 0");
  n = 3;
  PetscCall(PetscOptionsRealArray("-vc_robin_centre", "centre x,y,z of the Robin far condition, m (default: skin point above -vc_centre)", "SemgConductor", g->robin_centre, &n, &g->robin_centre_set));
  PetscCheck(!g->robin_centre_set || n == 3, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_robin_centre needs 3 values x,y,z (got %d)", (int)n);
  for (PetscInt d = 0; d < 3; d++) PetscCheck(g->n[d] >= 3 && g->extent[d] > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_grid values must be >= 3 and -vc_extent values > 0");
  PetscCheck(g->h[0] > 0 && g->h[1] > 0 && g->stretch_max >= 1.0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_h must be > 0 and -vc_stretch_max >= 1");
  PetscCheck(g->skin_cells >= 0 && g->fat_cells >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_skin_cells and -vc_fat_cells must be >= 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Spacing at the fine end of x = F sinh(beta xi)/sinh(beta), xi in [0, 1] with m cells per unit. */
static PetscReal FineSpacing(PetscReal F, PetscReal beta, PetscInt m)
{
  return beta < 1e-8 ? F / m : F * beta / PetscSinhReal(beta) / m;
}

/* Stretching parameter giving fine spacing h, capped so that neighbouring cells differ by <= rmax. */
static PetscReal StretchBeta(PetscReal F, PetscReal h, PetscInt m, PetscReal rmax)
{
  PetscReal lo = 0, hi = m * PetscLogReal(rmax);

  if (FineSpacing(F, 0, m) <= h) return 0;
  if (FineSpacing(F, hi, m) >= h) return hi;
  for (PetscInt it = 0; it < 200; it++) {
    PetscReal mid = 0.5 * (lo + hi);
    if (FineSpacing(F, mid, m) > h) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

static PetscReal StretchMap(PetscReal beta, PetscReal xi)
{
  return beta < 1e-8 ? xi : PetscSinhReal(beta * xi) / PetscSinhReal(beta);
}

/* Total width of m cells growing from h by the ratio r: h (r + r^2 + ... + r^m). */
static PetscReal GeometricReach(PetscReal h, PetscReal r, PetscInt m)
{
  PetscReal sum = 0, w = h;

  for (PetscInt k = 0; k < m; k++) sum += (w *= r);
  return sum;
}

/* x and y: a uniform core of spacing h around the centre (the electrodes' region: spec 6 asks for
   h <= 0.25-0.5 mm under the whole array, so the lead field is equally accurate at every electrode and
   pure delays survive), then cells growing by one ratio r <= rmax out to the far faces. The core is as
   wide as the cell count allows. If even all cells stretched at rmax cannot reach F, the core shrinks to
   the central cell and its spacing grows. Returns the core half-width and spacing. */
static void AxisCoreStretch(PetscInt n, PetscReal c, PetscReal F, PetscReal h, PetscReal rmax, PetscReal *f, PetscReal *core, PetscReal *hcore)
{
  PetscInt  M = n / 2, ms = 0, odd = n % 2; /* cells per side outside the central (half) cell */
  PetscReal half = odd ? 0.5 : 0, r = 1, off;

  if ((half + M) * h >= F) { /* uniform */
    h = F / (half + M);
  } else {
    for (ms = 1; ms <= M; ms++) {
      PetscReal need = F - (half + M - ms) * h, lo = 1, hi = rmax;
      if (GeometricReach(h, rmax, ms) < need) continue;
      for (PetscInt it = 0; it < 200; it++) { /* r with h (r + ... + r^ms) = need */
        PetscReal mid = 0.5 * (lo + hi);
        if (GeometricReach(h, mid, ms) < need) lo = mid;
        else hi = mid;
      }
      r = 0.5 * (lo + hi);
      break;
    }
    if (ms > M) { /* not enough cells: all stretched at rmax, coarser centre */
      ms = M;
      r  = rmax;
      h  = F / (half + GeometricReach(1.0, rmax, M));
    }
  }
  *hcore = h;
  *core  = (half + M - ms) * h;
  off    = half * h;
  f[M + odd] = c + off;
  f[M]       = c - off;
  for (PetscInt k = 1; k <= M; k++) {
    off += k <= M - ms ? h : h * PetscPowReal(r, (PetscReal)(k - (M - ms)));
    if (k == M) off = F;
    f[M + odd + k] = c + off;
    f[M - k]       = c - off;
  }
}

/* Half-axis map x(xi), xi in [0, 1]: uniform core x = W xi / xc, then cells growing exponentially,
   x = W + (W / xc)(e^{a (xi - xc)} - 1) / a, with a such that x(1) = F. */
static PetscReal CoreMap(PetscReal W, PetscReal xc, PetscReal a, PetscReal xi)
{
  if (xi <= xc) return W * xi / xc;
  return W + W / xc * (a > 1e-12 ? expm1(a * (xi - xc)) / a : xi - xc);
}

/* An axis of n cells sampling the mapping of the AxisCoreStretch grid with nref cells: a refinement
   family in which the far cells shrink with the core ones (a fixed-ratio grid would keep its far cells,
   and their aspect ratio to the core cells would double at every refinement). */
static PetscErrorCode AxisFromReference(PetscInt n, PetscInt nref, PetscReal c, PetscReal F, PetscReal h, PetscReal rmax, PetscReal *f, PetscReal *core, PetscReal *hcore)
{
  PetscReal *fr, W, href, xc, a = 0, lo = 0, hi = 1000, half = n % 2 ? 0.5 : 0, halfr = nref % 2 ? 0.5 : 0;
  PetscInt   M = n / 2, Mr = nref / 2, odd = n % 2;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nref + 1, &fr));
  AxisCoreStretch(nref, 0, F, h, rmax, fr, &W, &href);
  PetscCall(PetscFree(fr));
  xc = PetscMin(1.0, W / href / (halfr + Mr));
  if (W < F) {
    for (PetscInt it = 0; it < 200; it++) {
      PetscReal mid = 0.5 * (lo + hi);
      if (CoreMap(W, xc, mid, 1.0) < F) lo = mid;
      else hi = mid;
    }
    a = 0.5 * (lo + hi);
  }
  for (PetscInt k = 0; k <= M; k++) {
    PetscReal x = k == M ? F : CoreMap(W, xc, a, (half + k) / (half + M));
    f[M + odd + k] = c + x;
    f[M - k]       = c - x;
  }
  *core  = W;
  *hcore = W / xc / (half + M);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* z: uniform skin and fat cells (interfaces on faces), then a one-sided sinh map down the muscle. */
static PetscErrorCode AxisDepth(const SemgVCGrid *g, const SemgTissue *t, PetscReal *f)
{
  PetscInt  n = g->n[2], ns = t->skin_thickness > 0 ? g->skin_cells : 0, nf = t->fat_thickness > 0 ? g->fat_cells : 0, nm = n - ns - nf, k = n;
  PetscReal top = t->skin_thickness + t->fat_thickness, D = g->extent[2] - top, beta;

  PetscFunctionBeginUser;
  PetscCheck(nm >= 2 && D > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_grid nz = %d leaves no muscle cells below %d skin + %d fat cells (or -vc_extent depth too small)", (int)n, (int)ns, (int)nf);
  PetscCheck((ns > 0 || t->skin_thickness == 0) && (nf > 0 || t->fat_thickness == 0), PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_skin_cells and -vc_fat_cells must be > 0 for layers of nonzero thickness");
  f[k--] = 0;
  for (PetscInt i = 1; i <= ns; i++) f[k--] = -t->skin_thickness * i / ns;
  for (PetscInt i = 1; i <= nf; i++) f[k--] = -t->skin_thickness - t->fat_thickness * i / nf;
  beta = StretchBeta(D, g->h[1], nm, g->stretch_max);
  for (PetscInt i = 1; i <= nm; i++) f[k--] = -top - D * StretchMap(beta, (PetscReal)i / nm);
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

/* The solver decides the matrix format. Default: CG + hypre BoomerAMG on AIJ (spec 7), which is 2x
   cheaper per solve than hypre's semicoarsening multigrid (SMG) and nearly as flat under refinement
   (docs/models-volume-conductor.md 4); -vc_pc_type smg|pfmg take the structured hypre matrix,
   -vc_pc_type mg|gamg|... or -vc_dm_mat_type choose otherwise; grid sizes are never options. */
static PetscErrorCode SemgConductorChooseMatType(SemgConductor c)
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

static PetscErrorCode SemgConductorMesh(SemgConductor c)
{
  const SemgVCGrid *g = &c->grid;

  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscMalloc2(g->n[d] + 1, &c->face[d], g->n[d], &c->cen[d]));
  for (PetscInt d = 0; d < 2; d++) {
    if (g->ref_n[d] > 0) PetscCall(AxisFromReference(g->n[d], g->ref_n[d], g->centre[d], g->extent[d], g->h[0], g->stretch_max, c->face[d], &c->core[d], &c->hcore[d]));
    else AxisCoreStretch(g->n[d], g->centre[d], g->extent[d], g->h[0], g->stretch_max, c->face[d], &c->core[d], &c->hcore[d]);
  }
  PetscCall(AxisDepth(g, &c->tissue, c->face[2]));
  for (PetscInt d = 0; d < 3; d++)
    for (PetscInt i = 0; i < g->n[d]; i++) c->cen[d][i] = 0.5 * (c->face[d][i] + c->face[d][i + 1]);
  PetscCall(DMDACreate3d(c->comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, g->n[2], g->n[0], g->n[1], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &c->da));
  PetscCall(DMSetOptionsPrefix(c->da, "vc_"));
  PetscCall(SemgConductorChooseMatType(c));
  PetscCall(DMSetUp(c->da));
  PetscCall(DMDACreateCompatibleDMDA(c->da, 3, &c->sda));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Per-cell principal conductivities: layered cut-cell tensor, then inhomogeneity (spec 3.3). */
static PetscErrorCode SemgConductorFillSigma(SemgConductor c)
{
  PetscReal ****s;
  PetscInt      xs, ys, zs, xm, ym, zm;

  PetscFunctionBeginUser;
  PetscCall(DMCreateGlobalVector(c->sda, &c->sigma));
  PetscCall(GetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArrayDOF(c->sda, c->sigma, &s));
  for (PetscInt j = ys; j < ys + ym; j++)
    for (PetscInt i = xs; i < xs + xm; i++)
      for (PetscInt k = zs; k < zs + zm; k++) {
        PetscReal  x = c->cen[0][i], y = c->cen[1][j], z = c->cen[2][k], sig[3], fac, frac, sinc;
        PetscReal  lo[3] = {c->face[0][i], c->face[1][j], c->face[2][k]}, hi[3] = {c->face[0][i + 1], c->face[1][j + 1], c->face[2][k + 1]};
        SemgTissue loc;

        SemgInhomogeneityLocalTissue(c->inh, &c->tissue, x, &loc);
        SemgTissueCellSigma(&loc, SemgInhomogeneityFatThickness(c->inh, &c->tissue, x, y), loc.skin_thickness, lo[2], hi[2], sig);
        fac  = SemgInhomogeneityFactor(c->inh, x, y, z);
        frac = SemgInhomogeneityInclusionFraction(c->inh, lo, hi, &sinc);
        for (PetscInt d = 0; d < 3; d++) {
          /* a floor keeps insulating bone from decoupling cells (which would break the null space) */
          s[j][i][k][d] = PetscMax((1.0 - frac) * fac * sig[d] + frac * sinc, 1e-9);
        }
      }
  PetscCall(DMDAVecRestoreArrayDOF(c->sda, c->sigma, &s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Conductance between cell centres P and Q across their shared face (series resistances). */
static inline PetscReal FaceConductance(PetscReal area, PetscReal hP, PetscReal sP, PetscReal hQ, PetscReal sQ)
{
  return area / (0.5 * hP / sP + 0.5 * hQ / sQ);
}

/* Conductance from cell centre P to a far face (Dirichlet). */
static inline PetscReal WallConductance(PetscReal area, PetscReal hP, PetscReal sP)
{
  return area / (0.5 * hP / sP);
}

/* Decay rate alpha of the Robin condition sigma dphi/dn + sigma alpha phi = 0 at far-face centre q with
   outward normal +-e_d (spec 2.5): alpha = (r.n)/R for isotropic tissue, r = q - centre. The far field
   of every layer is the muscle half-space monopole phi ~ 1/rho, rho^2 = sum r_i^2/sigma_i (muscle
   tensor; also in the thin fat and skin cells, whose lateral derivative is the muscle's), whose exact
   rate is alpha = (r_d n_d / sigma_d)/rho^2; it reduces to (r.n)/R when sigma_L = sigma_T. */
static PetscReal RobinAlpha(SemgConductor c, PetscInt d, PetscInt side, const PetscReal q[3])
{
  const PetscReal *o = c->grid.robin_centre, sm[3] = {c->tissue.sigma_long, c->tissue.sigma_trans, c->tissue.sigma_trans};
  PetscReal        r[3], rho2 = 0, o0[3] = {c->grid.centre[0], c->grid.centre[1], 0};

  if (!c->grid.robin_centre_set) o = o0;
  for (PetscInt i = 0; i < 3; i++) {
    r[i] = q[i] - o[i];
    rho2 += r[i] * r[i] / sm[i];
  }
  return rho2 > 0 ? PetscMax(side * r[d] / sm[d] / rho2, 0.0) : 0.0;
}

/* Conductance from cell centre P to far face (d, side = +-1) of cell id: zero on insulated faces and on
   the skin; potential given on the face (dirichlet, monopole); Robin: the face value eliminated, which
   puts the half-cell resistance h/(2 sigma) in series with the Robin resistance 1/(sigma alpha A). */
static PetscReal FarFaceConductance(SemgConductor c, PetscInt d, PetscInt side, const PetscInt id[3], PetscReal area, PetscReal hP, PetscReal sP)
{
  PetscReal q[3], alpha;

  if (c->grid.far_bc == SEMG_VC_FAR_NEUMANN || (d == 2 && side == 1 && !c->grid.open_top)) return 0;
  if (c->grid.far_bc != SEMG_VC_FAR_ROBIN) return WallConductance(area, hP, sP);
  for (PetscInt i = 0; i < 3; i++) q[i] = c->cen[i][id[i]];
  q[d]  = c->face[d][side > 0 ? c->grid.n[d] : 0];
  alpha = RobinAlpha(c, d, side, q);
  return alpha > 0 ? area / (0.5 * hP / sP + 1.0 / (sP * alpha)) : 0;
}

static PetscErrorCode SemgConductorAssemble(SemgConductor c)
{
  Vec           sloc;
  PetscReal ****s;
  PetscInt      xs, ys, zs, xm, ym, zm, *n = c->grid.n;
  char          ptype[64] = "";
  PetscBool     pset;

  PetscFunctionBeginUser;
  /* Every star-stencil entry is inserted below, so DMDA's zero fill of the pattern (0.6 s of set-up at 2 M
     cells) is skipped for hypre, the default; geometric MG keeps it: its ICC/ILU smoothers stalled on the
     unfilled matrix (test_vc_mg -sizes 33 -vc_pc_type mg: no result in 60 s against 0.13 s). */
  PetscCall(PetscOptionsGetString(NULL, "vc_", "-pc_type", ptype, sizeof(ptype), &pset));
  PetscCall(DMSetMatrixPreallocateOnly(c->da, (PetscBool)(!pset || !strcmp(ptype, PCHYPRE))));
  PetscCall(DMCreateMatrix(c->da, &c->A));
  PetscCall(DMGetLocalVector(c->sda, &sloc));
  PetscCall(DMGlobalToLocal(c->sda, c->sigma, INSERT_VALUES, sloc));
  PetscCall(DMDAVecGetArrayDOFRead(c->sda, sloc, &s));
  PetscCall(GetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  for (PetscInt j = ys; j < ys + ym; j++)
    for (PetscInt i = xs; i < xs + xm; i++)
      for (PetscInt k = zs; k < zs + zm; k++) {
        MatStencil  row = {.k = j, .j = i, .i = k}, col[7];
        PetscScalar v[7], diag = 0;
        PetscInt    nc = 1, id[3] = {i, j, k};
        PetscReal   h[3] = {c->face[0][i + 1] - c->face[0][i], c->face[1][j + 1] - c->face[1][j], c->face[2][k + 1] - c->face[2][k]};

        for (PetscInt d = 0; d < 3; d++) {
          PetscReal area = h[(d + 1) % 3] * h[(d + 2) % 3];
          for (PetscInt side = -1; side <= 1; side += 2) {
            PetscInt q[3] = {i, j, k};
            q[d] += side;
            if (q[d] >= 0 && q[d] < n[d]) {
              PetscReal hq = c->face[d][q[d] + 1] - c->face[d][q[d]];
              PetscReal g  = FaceConductance(area, h[d], s[j][i][k][d], hq, s[q[1]][q[0]][q[2]][d]);
              col[nc].i = q[2];
              col[nc].j = q[0];
              col[nc].k = q[1];
              v[nc++]   = -g;
              diag += g;
            } else {
              diag += FarFaceConductance(c, d, side, id, area, h[d], s[j][i][k][d]);
            }
          }
        }
        col[0] = row;
        v[0]   = diag;
        PetscCall(MatSetValuesStencil(c->A, 1, &row, nc, col, v, INSERT_VALUES));
      }
  PetscCall(DMDAVecRestoreArrayDOFRead(c->sda, sloc, &s));
  PetscCall(DMRestoreLocalVector(c->sda, &sloc));
  PetscCall(MatAssemblyBegin(c->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(c->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(c->A, MAT_SPD, PETSC_TRUE));
  if (c->grid.far_bc == SEMG_VC_FAR_NEUMANN) {
    PetscCall(MatNullSpaceCreate(c->comm, PETSC_TRUE, 0, NULL, &c->ns));
    PetscCall(MatSetNullSpace(c->A, c->ns));
  }
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
   whole list of rows sent to the other rank once per coarse row (perf annotate: half of the product, the
   product a third of each rank's set-up). Its "modularised" product (two sparse products, A P then
   P^T (A P)) has no such scan. Level 129, bench/leadfield -leadfield_groups 1 set-up: 4.9-5.4 s in 6 runs,
   against 6.1-8.3 s in 4 runs with P^T kept (the previous default); 1 rank unchanged within noise
   (test_vc_mg PCSetUp 6.8-7.8 s). Keeping P^T as well made it slower (5.3 s against 4.2 s). PETSc 3.18
   has no option for it, so it is set here on BoomerAMG's own solver object: the private PC_HYPRE context
   of PETSc 3.18 begins with that HYPRE_Solver (src/ksp/pc/impls/hypre/hypre.c). Other PETSc versions
   are left alone rather than guessed at. */
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
   by measurement on the refinement family (docs/models-volume-conductor.md 4, 9): PMIS coarsening with
   extended+i interpolation; at most 6 interpolation entries per row (4 gave 15 iterations at level 129
   instead of 13 for the same solve time); strong threshold 0.25, below the 0.5-0.7 usual in 3-D (0.5: 18
   iterations at level 129, slower). Relaxation: one forward hybrid Gauss-Seidel sweep down and one backward
   sweep up, in grid order rather than C/F order, so the V-cycle stays symmetric for CG and the sweeps run
   along z, the DMDA's fastest index and the direction of the strongest coupling. The Galerkin product is
   set in SemgConductorBoomerAMGModuleRAP. */
static PetscErrorCode SemgConductorDefaultBoomerAMG(PC pc)
{
  const char *defaults[][2] = {
    {"-vc_pc_hypre_boomeramg_coarsen_type",     "PMIS"},
    {"-vc_pc_hypre_boomeramg_strong_threshold", "0.25"},
    {"-vc_pc_hypre_boomeramg_interp_type",      "ext+i"},
    {"-vc_pc_hypre_boomeramg_P_max",            "6"},
    {"-vc_pc_hypre_boomeramg_no_CF",            "1"},
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

static PetscErrorCode SemgConductorSetUpKSP(SemgConductor c)
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

PetscErrorCode SemgVCGridFamily(PetscInt n, SemgVCGrid *g)
{
  PetscFunctionBeginUser;
  PetscCheck(n >= 17 && (n - 1) % 16 == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "grid family level %d: need 16 m + 1, m >= 1", (int)n);
  PetscCall(SemgVCGridDefault(g));
  /* sized for a 16-electrode linear array at 5 mm along x: at n = 129, 225 x 81 x 113 = 2.06 M cells with
     a uniform 0.5 mm core of +-45 mm in x and +-8 mm in y, 0.25 mm cells in skin, fat and muscle top */
  g->n[0]       = 7 * (n - 1) / 4 + 1;
  g->n[1]       = 5 * (n - 1) / 8 + 1;
  g->n[2]       = 7 * (n - 1) / 8 + 1;
  g->ref_n[0]   = 225; /* the mapping of level 129, sampled at this level's cell counts */
  g->ref_n[1]   = 81;
  g->h[0]       = 0.5e-3;
  g->h[1]       = 32e-3 / (n - 1);
  g->skin_cells = PetscMax(1, (n - 1) / 32);
  g->fat_cells  = PetscMax(2, 3 * (n - 1) / 32);
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

/* Bracketing index and fraction of x among increasing centres (constant beyond the ends). */
void SemgGridLocate(const PetscReal *cen, PetscInt n, PetscReal x, PetscInt *i0, PetscReal *f)
{
  PetscInt lo = 0, hi = n - 1;

  if (n == 1 || x <= cen[0]) {
    *i0 = 0;
    *f  = 0;
    return;
  }
  if (x >= cen[n - 1]) {
    *i0 = n - 2;
    *f  = 1;
    return;
  }
  while (hi - lo > 1) {
    PetscInt mid = (lo + hi) / 2;
    if (cen[mid] <= x) lo = mid;
    else hi = mid;
  }
  *i0 = lo;
  *f  = (x - cen[lo]) / (cen[lo + 1] - cen[lo]);
}

/* Index of the cell containing x (faces increasing, clamped). */
static PetscInt LocateCell(const PetscReal *face, PetscInt n, PetscReal x)
{
  PetscInt lo = 0, hi = n;

  if (x <= face[0]) return 0;
  if (x >= face[n]) return n - 1;
  while (hi - lo > 1) {
    PetscInt mid = (lo + hi) / 2;
    if (face[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* Far-face boundary data of the half-space monopole of current I at p (SEMG_VC_FAR_MONOPOLE). */
static PetscErrorCode SemgConductorAddMonopoleBC(SemgConductor c, const PetscReal p[3], PetscReal cur, PetscScalar ***w)
{
  PetscReal ****s;
  PetscInt      xs, ys, zs, xm, ym, zm, *n = c->grid.n;

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArrayDOFRead(c->sda, c->sigma, &s));
  PetscCall(GetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  for (PetscInt j = ys; j < ys + ym; j++)
    for (PetscInt i = xs; i < xs + xm; i++)
      for (PetscInt k = zs; k < zs + zm; k++) {
        PetscInt  id[3] = {i, j, k};
        PetscReal h[3]  = {c->face[0][i + 1] - c->face[0][i], c->face[1][j + 1] - c->face[1][j], c->face[2][k + 1] - c->face[2][k]};
        for (PetscInt d = 0; d < 3; d++)
          for (PetscInt side = 0; side < 2; side++) {
            PetscReal q[3] = {c->cen[0][i], c->cen[1][j], c->cen[2][k]};
            if (d == 2 && side == 1 && !c->grid.open_top) continue; /* skin */
            if (id[d] != (side ? n[d] - 1 : 0)) continue;
            q[d] = c->face[d][side ? n[d] : 0];
            w[j][i][k] += WallConductance(h[(d + 1) % 3] * h[(d + 2) % 3], h[d], s[j][i][k][d]) * cur *
                          (c->grid.open_top ? SemgOracleInfinite(c->tissue.sigma_long, c->tissue.sigma_trans, c->tissue.sigma_trans, q[0] - p[0], q[1] - p[1], q[2] - p[2]) : SemgOracleHalfspace(c->tissue.sigma_long, c->tissue.sigma_trans, p, q));
          }
      }
  PetscCall(DMDAVecRestoreArrayDOFRead(c->sda, c->sigma, &s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorAddPoint(SemgConductor c, const PetscReal p[3], PetscReal cur, PetscBool add_bc, Vec w)
{
  PetscInt      i0[3], xs, ys, zs, xm, ym, zm;
  PetscReal     f[3];
  PetscScalar ***a;

  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 3; d++) SemgGridLocate(c->cen[d], c->grid.n[d], p[d], &i0[d], &f[d]);
  PetscCall(GetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArray(c->da, w, &a));
  for (PetscInt corner = 0; corner < 8; corner++) {
    PetscInt  i = i0[0] + (corner & 1), j = i0[1] + ((corner >> 1) & 1), k = i0[2] + ((corner >> 2) & 1);
    PetscReal wt = ((corner & 1) ? f[0] : 1 - f[0]) * (((corner >> 1) & 1) ? f[1] : 1 - f[1]) * (((corner >> 2) & 1) ? f[2] : 1 - f[2]);
    if (wt != 0 && i >= xs && i < xs + xm && j >= ys && j < ys + ym && k >= zs && k < zs + zm) a[j][i][k] += cur * wt;
  }
  if (add_bc && c->grid.far_bc == SEMG_VC_FAR_MONOPOLE) PetscCall(SemgConductorAddMonopoleBC(c, p, cur, a));
  PetscCall(DMDAVecRestoreArray(c->da, w, &a));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorAddElectrode(SemgConductor c, PetscReal x, PetscReal y, PetscReal radius, Vec w)
{
  const PetscInt m = 64;
  PetscInt       xs, ys, zs, xm, ym, zm, top = c->grid.n[2] - 1, count = 0;
  PetscScalar ***a;

  PetscFunctionBeginUser;
  if (radius <= 0) {
    PetscReal p[3] = {x, y, 0};
    PetscCall(SemgConductorAddPoint(c, p, 1.0, PETSC_FALSE, w));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  /* Ideal averaging over the disc: sub-samples of the footprint land in top cells. */
  for (PetscInt a1 = 0; a1 < m; a1++)
    for (PetscInt b1 = 0; b1 < m; b1++) {
      PetscReal u = -1 + (2 * a1 + 1.0) / m, v = -1 + (2 * b1 + 1.0) / m;
      if (u * u + v * v <= 1) count++;
    }
  PetscCall(GetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArray(c->da, w, &a));
  if (top >= zs && top < zs + zm) {
    for (PetscInt a1 = 0; a1 < m; a1++)
      for (PetscInt b1 = 0; b1 < m; b1++) {
        PetscReal u = -1 + (2 * a1 + 1.0) / m, v = -1 + (2 * b1 + 1.0) / m;
        PetscInt  i, j;
        if (u * u + v * v > 1) continue;
        i = LocateCell(c->face[0], c->grid.n[0], x + radius * u);
        j = LocateCell(c->face[1], c->grid.n[1], y + radius * v);
        if (i >= xs && i < xs + xm && j >= ys && j < ys + ym) a[j][i][top] += 1.0 / count;
      }
  }
  PetscCall(DMDAVecRestoreArray(c->da, w, &a));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Length of the overlap of [lo, hi] with cell i of an axis. */
static PetscReal CellOverlap(const PetscReal *face, PetscInt i, PetscReal lo, PetscReal hi)
{
  return PetscMax(0.0, PetscMin(face[i + 1], hi) - PetscMax(face[i], lo));
}

PetscErrorCode SemgConductorAddElectrodeRect(SemgConductor c, PetscReal x, PetscReal y, PetscReal a, PetscReal b, Vec w)
{
  PetscInt       xs, ys, zs, xm, ym, zm, top = c->grid.n[2] - 1, i0, i1, j0, j1;
  PetscReal      lo[2] = {x - 0.5 * a, y - 0.5 * b}, hi[2] = {x + 0.5 * a, y + 0.5 * b};
  const PetscInt *n = c->grid.n;
  PetscScalar ***arr;

  PetscFunctionBeginUser;
  PetscCheck(a > 0 && b > 0, c->comm, SEMG_ERR_USER, "electrode rectangle (-electrode_size) needs sides a, b > 0 (got %g x %g m)", (double)a, (double)b);
  for (PetscInt d = 0; d < 2; d++)
    PetscCheck(lo[d] >= c->face[d][0] && hi[d] <= c->face[d][n[d]], c->comm, SEMG_ERR_USER, "electrode rectangle %g x %g m (-electrode_size) at (%g, %g) m reaches beyond the top face of the conductor (-vc_extent)", (double)a, (double)b, (double)x, (double)y);
  i0 = LocateCell(c->face[0], n[0], lo[0]);
  i1 = LocateCell(c->face[0], n[0], hi[0]);
  j0 = LocateCell(c->face[1], n[1], lo[1]);
  j1 = LocateCell(c->face[1], n[1], hi[1]);
  PetscCall(GetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArray(c->da, w, &arr));
  if (top >= zs && top < zs + zm) {
    for (PetscInt j = PetscMax(j0, ys); j <= PetscMin(j1, ys + ym - 1); j++)
      for (PetscInt i = PetscMax(i0, xs); i <= PetscMin(i1, xs + xm - 1); i++) arr[j][i][top] += CellOverlap(c->face[0], i, lo[0], hi[0]) * CellOverlap(c->face[1], j, lo[1], hi[1]) / (a * b);
  }
  PetscCall(DMDAVecRestoreArray(c->da, w, &arr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A rectangle turned by angle (rad, anticlockwise from x) has no simple overlap with the cells: its area
   is sampled at m x m midpoints of its own frame (the disc's scheme). Each sample carries 1/m^2, so the
   weights sum to 1 exactly and a cell cut by an edge is off by at most the samples along that edge,
   O(h/m) in area. angle = 0 takes the exact overlap of SemgConductorAddElectrodeRect. */
PetscErrorCode SemgConductorAddElectrodeRectRotated(SemgConductor c, PetscReal x, PetscReal y, PetscReal a, PetscReal b, PetscReal angle, Vec w)
{
  const PetscInt m = 128;
  PetscInt       xs, ys, zs, xm, ym, zm, top = c->grid.n[2] - 1;
  PetscReal      cs = PetscCosReal(angle), sn = PetscSinReal(angle);
  PetscScalar ***arr;

  PetscFunctionBeginUser;
  if (angle == 0) {
    PetscCall(SemgConductorAddElectrodeRect(c, x, y, a, b, w));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCheck(a > 0 && b > 0, c->comm, SEMG_ERR_USER, "electrode rectangle (-electrode_size) needs sides a, b > 0 (got %g x %g m)", (double)a, (double)b);
  for (PetscInt k = 0; k < 4; k++) {
    PetscReal u = (k & 1 ? 0.5 : -0.5) * a, v = (k & 2 ? 0.5 : -0.5) * b, q[2] = {x + u * cs - v * sn, y + u * sn + v * cs};
    for (PetscInt d = 0; d < 2; d++)
      PetscCheck(q[d] >= c->face[d][0] && q[d] <= c->face[d][c->grid.n[d]], c->comm, SEMG_ERR_USER, "electrode rectangle %g x %g m (-electrode_size) at (%g, %g) m, turned by %g deg, reaches beyond the top face of the conductor (-vc_extent)", (double)a, (double)b, (double)x, (double)y, (double)(angle * 180 / PETSC_PI));
  }
  PetscCall(GetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArray(c->da, w, &arr));
  if (top >= zs && top < zs + zm) {
    for (PetscInt ka = 0; ka < m; ka++)
      for (PetscInt kb = 0; kb < m; kb++) {
        PetscReal u = a * ((ka + 0.5) / m - 0.5), v = b * ((kb + 0.5) / m - 0.5);
        PetscInt  i = LocateCell(c->face[0], c->grid.n[0], x + u * cs - v * sn);
        PetscInt  j = LocateCell(c->face[1], c->grid.n[1], y + u * sn + v * cs);
        if (i >= xs && i < xs + xm && j >= ys && j < ys + ym) arr[j][i][top] += 1.0 / ((PetscReal)m * m);
      }
  }
  PetscCall(DMDAVecRestoreArray(c->da, w, &arr));
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
