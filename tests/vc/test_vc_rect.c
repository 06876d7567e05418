static char help[] = "Rectangular electrodes (spec 4, ideal averaging): weights sum to 1, one cell exactly,\n"
                     "linear fields, and the rectangle average of the half-space oracle (error bound O(h^2)).\n"
                     "  -sizes 33,65\n";

#include <petscsys.h>
#include "core/semg_error.h"
#include "sim/vc/conductor.h"
#include "sim/vc/layered.h"

#include "tests/vc/vc_expect.h"

/* Muscle half-space on the uniform grid family of the convergence test: n^3 cells over +-40 mm x 40 mm. */
static PetscErrorCode CreateConductor(PetscInt n, SemgConductor *c)
{
  SemgTissue t;
  SemgVCGrid g;

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  t.fat_thickness = t.skin_thickness = 0;
  PetscCall(SemgVCGridDefault(&g));
  g.n[0] = g.n[1] = g.n[2] = n;
  g.extent[0] = g.extent[1] = g.extent[2] = 40e-3;
  g.h[0] = g.h[1] = 1.0; /* uniform */
  g.far_bc        = SEMG_VC_FAR_MONOPOLE;
  PetscCall(SemgConductorCreate(PETSC_COMM_WORLD, &g, &t, NULL, c));
  PetscCall(SemgConductorSetUp(*c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* f(x, y, z) at every cell centre. */
static PetscErrorCode FillField(SemgConductor c, PetscReal (*fn)(PetscReal, PetscReal, PetscReal), Vec v)
{
  DM               da;
  const PetscReal *cen[3];
  PetscInt         xs, ys, zs, xm, ym, zm;
  PetscScalar   ***a;

  PetscFunctionBeginUser;
  PetscCall(SemgConductorGetDM(c, &da));
  PetscCall(SemgConductorGetCentres(c, cen));
  PetscCall(DMDAGetCorners(da, &zs, &xs, &ys, &zm, &xm, &ym));
  PetscCall(DMDAVecGetArray(da, v, &a));
  for (PetscInt j = ys; j < ys + ym; j++)
    for (PetscInt i = xs; i < xs + xm; i++)
      for (PetscInt k = zs; k < zs + zm; k++) a[j][i][k] = fn(cen[0][i], cen[1][j], cen[2][k]);
  PetscCall(DMDAVecRestoreArray(da, v, &a));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscReal Linear(PetscReal x, PetscReal y, PetscReal z)
{
  return 0.3 + 17.0 * x - 5.0 * y + 2.0 * z;
}

/* Distinguishes cells (where a weight sits). */
static PetscReal CellCode(PetscReal x, PetscReal y, PetscReal z)
{
  return x + 3.0 * y + 10.0 * z;
}

static PetscErrorCode TestWeights(void)
{
  SemgConductor    c;
  Vec              w, f;
  const PetscReal *faces[3], *cen[3];
  PetscInt         n[3], ic, jc;
  PetscReal        sum, nrm, mx, val, h, lin, expect;
  char             msg[200];

  PetscFunctionBeginUser;
  PetscCall(CreateConductor(33, &c));
  PetscCall(SemgConductorGetFaces(c, faces, n));
  PetscCall(SemgConductorGetCentres(c, cen));
  PetscCall(SemgConductorCreateVec(c, &w));
  PetscCall(VecDuplicate(w, &f));
  /* an arbitrary rectangle */
  PetscCall(VecSet(w, 0));
  PetscCall(SemgConductorAddElectrodeRect(c, 0.37e-3, -0.81e-3, 3.3e-3, 1.7e-3, w));
  PetscCall(VecSum(w, &sum));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "rectangle 3.3 x 1.7 mm: weights sum to 1 (|sum - 1| = %.1e)", (double)PetscAbsReal(sum - 1)));
  PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(sum - 1) <= 1e-14)));
  /* exactly one top cell */
  ic = n[0] / 2 + 3;
  jc = n[1] / 2 - 2;
  PetscCall(VecSet(w, 0));
  PetscCall(SemgConductorAddElectrodeRect(c, cen[0][ic], cen[1][jc], faces[0][ic + 1] - faces[0][ic], faces[1][jc + 1] - faces[1][jc], w));
  PetscCall(VecNorm(w, NORM_1, &nrm));
  PetscCall(VecMax(w, NULL, &mx));
  PetscCall(FillField(c, CellCode, f));
  PetscCall(VecDot(w, f, &val));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "rectangle = top cell (%d, %d): max weight %.15f, sum |w| %.15f, on that cell", (int)ic, (int)jc, (double)mx, (double)nrm));
  PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(mx - 1) <= 1e-14 && PetscAbsReal(nrm - 1) <= 1e-14 && PetscAbsReal(val - CellCode(cen[0][ic], cen[1][jc], cen[2][n[2] - 1])) <= 1e-15)));
  /* linear field: sides a whole number of (uniform) cells, arbitrary position -> exact */
  h = faces[0][1] - faces[0][0];
  PetscCall(FillField(c, Linear, f));
  PetscCall(VecSet(w, 0));
  PetscCall(SemgConductorAddElectrodeRect(c, 1.234e-3, -2.345e-3, 3 * h, 2 * h, w));
  PetscCall(VecDot(w, f, &lin));
  expect = Linear(1.234e-3, -2.345e-3, cen[2][n[2] - 1]);
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "linear field, rectangle 3h x 2h off-centre: read-out %.15f, field at centre %.15f", (double)lin, (double)expect));
  PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(lin - expect) <= 1e-13)));
  /* symmetric about a cell centre: exact for any side length */
  PetscCall(VecSet(w, 0));
  PetscCall(SemgConductorAddElectrodeRect(c, cen[0][ic], cen[1][jc], 2.7 * h, 1.3 * h, w));
  PetscCall(VecDot(w, f, &lin));
  expect = Linear(cen[0][ic], cen[1][jc], cen[2][n[2] - 1]);
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "linear field, rectangle 2.7h x 1.3h on a cell centre: read-out %.15f, field %.15f", (double)lin, (double)expect));
  PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(lin - expect) <= 1e-13)));
  PetscCall(VecDestroy(&w));
  PetscCall(VecDestroy(&f));
  PetscCall(SemgConductorDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rectangles turned with the array: sampled weights sum to 1, angle 0 is the exact overlap, and a
   quarter turn of a x b matches the exact b x a rectangle within the sampling bound: every cell face
   crossing the rectangle moves at most one row of the 128 x 128 samples, i.e. L1 error <= 2/128 per face. */
static PetscErrorCode TestRotated(void)
{
  SemgConductor    c;
  Vec              w, r;
  const PetscReal *faces[3];
  PetscInt         n[3], crossings = 0;
  PetscReal        sum, l1, bound, x = 0.37e-3, y = -0.81e-3, a = 3.3e-3, b = 1.7e-3;
  PetscBool        equal;
  char             msg[200];

  PetscFunctionBeginUser;
  PetscCall(CreateConductor(33, &c));
  PetscCall(SemgConductorGetFaces(c, faces, n));
  PetscCall(SemgConductorCreateVec(c, &w));
  PetscCall(VecDuplicate(w, &r));
  PetscCall(VecSet(w, 0));
  PetscCall(SemgConductorAddElectrodeRectRotated(c, x, y, a, b, PETSC_PI / 6, w));
  PetscCall(VecSum(w, &sum));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "rectangle 3.3 x 1.7 mm turned by 30 deg: weights sum to 1 (|sum - 1| = %.1e)", (double)PetscAbsReal(sum - 1)));
  PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(sum - 1) <= 1e-12)));
  PetscCall(VecSet(w, 0));
  PetscCall(VecSet(r, 0));
  PetscCall(SemgConductorAddElectrodeRectRotated(c, x, y, a, b, 0, w));
  PetscCall(SemgConductorAddElectrodeRect(c, x, y, a, b, r));
  PetscCall(VecEqual(w, r, &equal));
  PetscCall(Expect("angle 0 gives the exact overlap weights (bitwise)", equal));
  PetscCall(VecSet(w, 0));
  PetscCall(VecSet(r, 0));
  PetscCall(SemgConductorAddElectrodeRectRotated(c, x, y, a, b, PETSC_PI / 2, w));
  PetscCall(SemgConductorAddElectrodeRect(c, x, y, b, a, r));
  PetscCall(VecAXPY(w, -1, r));
  PetscCall(VecNorm(w, NORM_1, &l1));
  for (PetscInt i = 1; i < n[0]; i++) crossings += faces[0][i] > x - 0.5 * b && faces[0][i] < x + 0.5 * b;
  for (PetscInt j = 1; j < n[1]; j++) crossings += faces[1][j] > y - 0.5 * a && faces[1][j] < y + 0.5 * a;
  bound = 2.0 / 128 * crossings;
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "quarter turn of 3.3 x 1.7 mm = exact 1.7 x 3.3 mm: L1 weight difference %.2e <= %.2e (%d crossing faces)", (double)l1, (double)bound, (int)crossings));
  PetscCall(Expect(msg, (PetscBool)(crossings > 0 && l1 <= bound)));
  PetscCall(VecDestroy(&w));
  PetscCall(VecDestroy(&r));
  PetscCall(SemgConductorDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Mean of the half-space oracle over the rectangle by composite Simpson (m x m intervals). */
static PetscReal OracleRectMean(const PetscReal src[3], PetscReal x, PetscReal y, PetscReal a, PetscReal b, PetscInt m)
{
  PetscReal sum = 0;

  for (PetscInt i = 0; i <= m; i++)
    for (PetscInt j = 0; j <= m; j++) {
      PetscReal wi = (i == 0 || i == m) ? 1 : (i % 2 ? 4 : 2), wj = (j == 0 || j == m) ? 1 : (j % 2 ? 4 : 2);
      PetscReal q[3] = {x - 0.5 * a + a * i / m, y - 0.5 * b + b * j / m, 0};
      sum += wi * wj * SemgOracleHalfspace(0.5, 0.1, src, q);
    }
  return sum / (9.0 * m * m);
}

static PetscReal Oracle(const PetscReal src[3], PetscReal x, PetscReal y)
{
  PetscReal q[3] = {x, y, 0};
  return SemgOracleHalfspace(0.5, 0.1, src, q);
}

/* Bound on the relative error of the overlap-weighted mean of cell values (spacing h) for a field phi
   over an a x b rectangle: a cut cell of covered length u contributes u(h - u)/2 <= h^2/8 times the
   normal derivative along each edge, full cells the midpoint-rule error h^2/24 |phi_xx + phi_yy|. */
static PetscReal AveragingBound(const PetscReal src[3], PetscReal x, PetscReal y, PetscReal a, PetscReal b, PetscReal h, PetscReal mean)
{
  const PetscInt m = 100;
  PetscReal      e = 1e-6, edge = 0, curv = 0;

  for (PetscInt i = 0; i <= m; i++) {
    PetscReal sx = x - 0.5 * a + a * i / m, sy = y - 0.5 * b + b * i / m;
    for (PetscInt side = -1; side <= 1; side += 2) {
      PetscReal ex = x + 0.5 * side * a, ey = y + 0.5 * side * b;
      edge += PetscAbsReal(Oracle(src, ex + e, sy) - Oracle(src, ex - e, sy)) / (2 * e) / a / (m + 1);
      edge += PetscAbsReal(Oracle(src, sx, ey + e) - Oracle(src, sx, ey - e)) / (2 * e) / b / (m + 1);
    }
    for (PetscInt j = 0; j <= m; j++) {
      PetscReal px = x - 0.5 * a + a * i / m, py = y - 0.5 * b + b * j / m, f0 = Oracle(src, px, py), ee = 1e-4;
      curv = PetscMax(curv, PetscAbsReal(Oracle(src, px + ee, py) + Oracle(src, px - ee, py) + Oracle(src, px, py + ee) + Oracle(src, px, py - ee) - 4 * f0) / (ee * ee));
    }
  }
  return (h * h / 8 * edge + h * h / 24 * curv) / mean;
}

/* Rectangle read-out against the oracle's rectangle mean: (1) the averaging alone (oracle sampled at
   the top-cell positions) within the bound above; (2) through the FV solve, within the FV point error
   (at the rectangle's centre, twice) plus the bound. */
static PetscErrorCode TestOracle(PetscInt nsizes, const PetscInt *sizes)
{
  const PetscReal src[3] = {0, 0, -5e-3}, x = 4e-3, y = 1.5e-3, a = 6e-3, b = 3e-3;
  PetscReal       ref = OracleRectMean(src, x, y, a, b, 400), ref2 = OracleRectMean(src, x, y, a, b, 200);
  char            msg[200];

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "oracle mean over %.0f x %.0f mm at (%.1f, %.1f) mm, source 5 mm deep: %.10f V (Simpson 400^2; 200^2 differs by %.1e)\n", (double)(a * 1e3), (double)(b * 1e3), (double)(x * 1e3), (double)(y * 1e3), (double)ref, (double)PetscAbsReal(ref - ref2)));
  for (PetscInt s = 0; s < nsizes; s++) {
    SemgConductor    c;
    Vec              bv, phi, w, f;
    PetscReal        val, sval, pval, perr, bound, h = 80e-3 / sizes[s], pt[3] = {x, y, 0};
    DM               da;
    PetscInt         xs, ys, zs, xm, ym, zm, n[3];
    const PetscReal *cen[3];
    PetscScalar   ***arr;

    PetscCall(CreateConductor(sizes[s], &c));
    PetscCall(SemgConductorGetDM(c, &da));
    PetscCall(SemgConductorGetCentres(c, cen));
    PetscCall(SemgConductorGetFaces(c, NULL, n));
    PetscCall(SemgConductorCreateVec(c, &bv));
    PetscCall(VecDuplicate(bv, &phi));
    PetscCall(VecDuplicate(bv, &w));
    PetscCall(VecDuplicate(bv, &f));
    PetscCall(VecSet(w, 0));
    PetscCall(SemgConductorAddElectrodeRect(c, x, y, a, b, w));
    /* (1) the oracle's skin potential above every top cell */
    PetscCall(VecSet(f, 0));
    PetscCall(DMDAGetCorners(da, &zs, &xs, &ys, &zm, &xm, &ym));
    PetscCall(DMDAVecGetArray(da, f, &arr));
    if (zs + zm == n[2])
      for (PetscInt j = ys; j < ys + ym; j++)
        for (PetscInt i = xs; i < xs + xm; i++) arr[j][i][n[2] - 1] = Oracle(src, cen[0][i], cen[1][j]);
    PetscCall(DMDAVecRestoreArray(da, f, &arr));
    PetscCall(VecDot(w, f, &sval));
    bound = AveragingBound(src, x, y, a, b, h, ref);
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "n=%3d h=%.3f mm: averaging of the sampled oracle, rel err %.3e <= bound %.3e", (int)sizes[s], (double)(h * 1e3), (double)(PetscAbsReal(sval - ref) / ref), (double)bound));
    PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(sval - ref) <= bound * ref)));
    /* (2) through the finite-volume solve */
    PetscCall(VecSet(bv, 0));
    PetscCall(SemgConductorAddPoint(c, src, 1.0, PETSC_TRUE, bv));
    PetscCall(SemgConductorSolve(c, bv, PETSC_FALSE, phi, NULL));
    PetscCall(VecDot(w, phi, &val));
    PetscCall(VecSet(w, 0));
    PetscCall(SemgConductorAddPoint(c, pt, 1.0, PETSC_FALSE, w));
    PetscCall(VecDot(w, phi, &pval));
    perr = PetscAbsReal(pval - Oracle(src, x, y)) / Oracle(src, x, y);
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "        FV solve: rectangle %.6f V, rel err %.3e <= 2 x point err %.3e + bound", (double)val, (double)(PetscAbsReal(val - ref) / ref), (double)perr));
    PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(val - ref) <= (2 * perr + bound) * ref)));
    PetscCall(VecDestroy(&bv));
    PetscCall(VecDestroy(&phi));
    PetscCall(VecDestroy(&w));
    PetscCall(VecDestroy(&f));
    PetscCall(SemgConductorDestroy(&c));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt  sizes[8] = {33, 65}, nsizes = 8;
  PetscBool set;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "rectangular electrode test", NULL);
  PetscCall(PetscOptionsIntArray("-sizes", "cells per side of the oracle comparison", NULL, sizes, &nsizes, &set));
  PetscOptionsEnd();
  if (!set) nsizes = 2;
  PetscCall(TestWeights());
  PetscCall(TestRotated());
  PetscCall(TestOracle(nsizes, sizes));
  PetscCall(SemgTestReport());
  PetscCall(PetscFinalize());
  return SemgTestFailures() ? 1 : 0;
}
