/* The volume conductor's grid: defaults, options and the face coordinates (grid.h). */
#include <math.h>
#include "core/semg_error.h"
#include "sim/vc/grid.h"

const char *const SemgVCFarBCs[] = {"neumann", "dirichlet", "monopole", "robin", "SemgVCFarBC", "SEMG_VC_FAR_", NULL};

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
  g->robin_centre_set                                          = PETSC_FALSE;
  g->ref_n[0] = g->ref_n[1] = 0;
  g->ilu_fill[0]            = 3;
  g->ilu_fill[1]            = 1;
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
  PetscCall(PetscOptionsEnum("-vc_far_bc", "far faces: insulated, phi = 0, phi = half-space monopole (point sources), or asymptotic Robin", "SemgConductor", SemgVCFarBCs,
                             (PetscEnum)g->far_bc, (PetscEnum *)&g->far_bc, NULL));
  PetscCall(PetscOptionsInt("-vc_ilu_levels_fine", "-vc_pc_type mg: ILU fill levels of the finest smoother", "SemgConductor", g->ilu_fill[0], &g->ilu_fill[0], NULL));
  PetscCall(PetscOptionsInt("-vc_ilu_levels_coarse", "-vc_pc_type mg: ILU fill levels of the coarser smoothers", "SemgConductor", g->ilu_fill[1], &g->ilu_fill[1], NULL));
  PetscCheck(g->ilu_fill[0] >= 0 && g->ilu_fill[1] >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_ilu_levels_fine and -vc_ilu_levels_coarse must be >= 0");
  n = 3;
  PetscCall(PetscOptionsRealArray("-vc_robin_centre", "centre x,y,z of the Robin far condition, m (default: skin point above -vc_centre)", "SemgConductor", g->robin_centre, &n, &g->robin_centre_set));
  PetscCheck(!g->robin_centre_set || n == 3, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_robin_centre needs 3 values x,y,z (got %d)", (int)n);
  for (PetscInt d = 0; d < 3; d++)
    PetscCheck(g->n[d] >= 3 && g->extent[d] > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-vc_grid values must be >= 3 and -vc_extent values > 0");
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
  *hcore     = h;
  *core      = (half + M - ms) * h;
  off        = half * h;
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
    PetscReal x    = k == M ? F : CoreMap(W, xc, a, (half + k) / (half + M));
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

PetscErrorCode SemgVCGridFaces(const SemgVCGrid *g, const SemgTissue *t, PetscReal *face[3], PetscReal core[2], PetscReal hcore[2])
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 2; d++) {
    if (g->ref_n[d] > 0)
      PetscCall(AxisFromReference(g->n[d], g->ref_n[d], g->centre[d], g->extent[d], g->h[0], g->stretch_max, face[d], &core[d], &hcore[d]));
    else AxisCoreStretch(g->n[d], g->centre[d], g->extent[d], g->h[0], g->stretch_max, face[d], &core[d], &hcore[d]);
  }
  PetscCall(AxisDepth(g, t, face[2]));
  PetscFunctionReturn(PETSC_SUCCESS);
}
