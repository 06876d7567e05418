/* Right-hand sides and read-outs of the volume conductor: point sources and electrode footprints (point, disc,
   rectangle) as weights over cells. */
#include <math.h>
#include "core/semg_error.h"
#include "sim/vc/conductorimpl.h"
#include "sim/vc/layered.h"

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
  PetscCall(SemgConductorGetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
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
                          (c->grid.open_top ? SemgOracleInfinite(c->tissue.sigma_long, c->tissue.sigma_trans, c->tissue.sigma_trans, q[0] - p[0], q[1] - p[1], q[2] - p[2])
                                            : SemgOracleHalfspace(c->tissue.sigma_long, c->tissue.sigma_trans, p, q));
          }
      }
  PetscCall(DMDAVecRestoreArrayDOFRead(c->sda, c->sigma, &s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgConductorAddPoint(SemgConductor c, const PetscReal p[3], PetscReal cur, PetscBool add_bc, Vec w)
{
  PetscInt       i0[3], xs, ys, zs, xm, ym, zm;
  PetscReal      f[3];
  PetscScalar ***a;

  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 3; d++) SemgGridLocate(c->cen[d], c->grid.n[d], p[d], &i0[d], &f[d]);
  PetscCall(SemgConductorGetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
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
  PetscCall(SemgConductorGetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
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
  PetscInt        xs, ys, zs, xm, ym, zm, top = c->grid.n[2] - 1, i0, i1, j0, j1;
  PetscReal       lo[2] = {x - 0.5 * a, y - 0.5 * b}, hi[2] = {x + 0.5 * a, y + 0.5 * b};
  const PetscInt *n = c->grid.n;
  PetscScalar  ***arr;

  PetscFunctionBeginUser;
  PetscCheck(a > 0 && b > 0, c->comm, SEMG_ERR_USER, "electrode rectangle (-electrode_size) needs sides a, b > 0 (got %g x %g m)", (double)a, (double)b);
  for (PetscInt d = 0; d < 2; d++)
    PetscCheck(lo[d] >= c->face[d][0] && hi[d] <= c->face[d][n[d]], c->comm, SEMG_ERR_USER, "electrode rectangle %g x %g m (-electrode_size) at (%g, %g) m reaches beyond the top face of the conductor (-vc_extent)", (double)a, (double)b, (double)x, (double)y);
  i0 = LocateCell(c->face[0], n[0], lo[0]);
  i1 = LocateCell(c->face[0], n[0], hi[0]);
  j0 = LocateCell(c->face[1], n[1], lo[1]);
  j1 = LocateCell(c->face[1], n[1], hi[1]);
  PetscCall(SemgConductorGetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArray(c->da, w, &arr));
  if (top >= zs && top < zs + zm) {
    for (PetscInt j = PetscMax(j0, ys); j <= PetscMin(j1, ys + ym - 1); j++)
      for (PetscInt i = PetscMax(i0, xs); i <= PetscMin(i1, xs + xm - 1); i++)
        arr[j][i][top] += CellOverlap(c->face[0], i, lo[0], hi[0]) * CellOverlap(c->face[1], j, lo[1], hi[1]) / (a * b);
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
  PetscCall(SemgConductorGetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
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
