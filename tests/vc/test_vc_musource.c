static char help[] = "Homogenised MU source: charge conservation, reciprocity against a direct solve, agreement with\n"
                     "per-fibre line sources at the column centres (stored grid lead field; analytic half-space\n"
                     "under x refinement). -timing: set-up and evaluation times against the per-fibre line source.\n";

#include <petscsys.h>
#include <petsctime.h>
#include "core/semg_error.h"
#include "sim/vc/leadfield.h"
#include "sim/vc/musource.h"

#define NE 8
#include "tests/vc/vc_expect.h"

/* The test MU: 60 fibres, axis 8 mm deep (muscle starts at 4 mm), radius 2.5 mm, IZ spread 4 mm,
   fibres about 20 mm either side of the IZ, 4 m/s. */
static PetscErrorCode TestMU(SemgMotorUnitSpec *mu)
{
  PetscFunctionBeginUser;
  PetscCall(SemgMotorUnitSpecDefault(mu));
  mu->n_fibres    = 60;
  mu->iz[0]       = 1e-3;
  mu->iz[1]       = 0;
  mu->iz[2]       = -8e-3;
  mu->radius      = 2.5e-3;
  mu->iz_spread   = 4e-3;
  mu->tendon_left = mu->tendon_right = 0.02;
  mu->tendon_spread_left = mu->tendon_spread_right = 2e-3;
  mu->cv_mean                                      = 4.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Six electrodes along the MU (5 mm apart) and two 5 mm to the side. */
static void TestElectrodes(PetscReal *exyz)
{
  for (PetscInt e = 0; e < NE; e++) {
    exyz[3 * e]     = e < 6 ? -12.5e-3 + 5e-3 * e : -2.5e-3 + 5e-3 * (e - 6);
    exyz[3 * e + 1] = e < 6 ? 0 : 5e-3;
    exyz[3 * e + 2] = 0;
  }
}

/* Reference: one line-source fibre at each column centre with the column's IP, ends and CV, weighted
   by the fibres the column stands for. */
static PetscErrorCode ColumnLineMUAP(SemgLeadfield lf, SemgMUSource src, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  PetscInt         nc, ne;
  const SemgFibre *col;
  const PetscReal *nfib;
  PetscReal       *one;

  PetscFunctionBeginUser;
  PetscCall(SemgLeadfieldGetElectrodes(lf, &ne, NULL));
  PetscCall(SemgMUSourceGetColumns(src, &nc, &col, &nfib));
  PetscCall(PetscMalloc1((size_t)ne * nt, &one));
  PetscCall(PetscArrayzero(phi, (size_t)ne * nt));
  for (PetscInt c = 0; c < nc; c++) {
    PetscCall(SemgLeadfieldMUAP(lf, 1, &col[c], nt, dt, PETSC_FALSE, one));
    for (size_t i = 0; i < (size_t)ne * nt; i++) phi[i] += nfib[c] * one[i];
  }
  PetscCall(PetscFree(one));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Per-channel NRMSE = RMS(h - r) / RMS(r); returns the largest, prints all. */
static PetscErrorCode ChannelNRMSE(const char *label, PetscInt ne, PetscInt nt, const PetscReal *h, const PetscReal *r, PetscReal *worst)
{
  char line[256];
  int  len;

  PetscFunctionBeginUser;
  *worst = 0;
  len    = snprintf(line, sizeof(line), "  %s NRMSE per channel:", label);
  for (PetscInt e = 0; e < ne; e++) {
    PetscReal d = 0, n = 0;
    for (PetscInt k = 0; k < nt; k++) {
      d += PetscSqr(h[(size_t)e * nt + k] - r[(size_t)e * nt + k]);
      n += PetscSqr(r[(size_t)e * nt + k]);
    }
    *worst = PetscMax(*worst, PetscSqrtReal(d / n));
    len += snprintf(line + len, sizeof(line) - (size_t)len, " %.2e", (double)PetscSqrtReal(d / n));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n", line));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Sum b = 0 to rounding, and l^T b = w^T V (the read-out is the reciprocity of the currents). */
static PetscErrorCode TestCharge(SemgLeadfield lf, SemgMUSource src, PetscInt nt, PetscReal dt, const PetscReal *phi)
{
  const PetscInt   ks[4] = {5, 15, 40, 70};
  PetscInt         ncell, n[3];
  const PetscInt  *ijk;
  const double    *val;
  const PetscReal *frac;
  PetscReal       *b, worst_sum = 0, worst_rec = 0;
  char             msg[160];

  PetscFunctionBeginUser;
  PetscCall(SemgMUSourceGetNodes(src, &ncell, &ijk, &frac));
  PetscCall(SemgLeadfieldGetGrid(lf, n, NULL, NULL, &val));
  PetscCall(PetscMalloc1(ncell, &b));
  for (PetscInt q = 0; q < 4; q++) {
    PetscReal sum = 0, asum = 0;
    PetscCall(SemgMUSourceCurrents(src, ks[q] * dt, b));
    for (PetscInt c = 0; c < ncell; c++) sum += b[c], asum += PetscAbsReal(b[c]);
    worst_sum = PetscMax(worst_sum, PetscAbsReal(sum) / asum);
    for (PetscInt e = 0; e < NE; e++) {
      PetscReal m = 0;
      for (PetscInt c = 0; c < ncell; c++) {
        const double *v = val + (size_t)e * n[0] * n[1] * n[2] + ((size_t)ijk[3 * c + 1] * n[0] + ijk[3 * c]) * n[2] + ijk[3 * c + 2];
        m += b[c] * (frac[c] > 0 ? (1 - frac[c]) * v[0] + frac[c] * v[n[2]] : v[0]); /* cell i+1: n[2] further */
      }
      worst_rec = PetscMax(worst_rec, PetscAbsReal(m - phi[e * nt + ks[q]]) / PetscAbsReal(m));
    }
  }
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "charge: max |sum b| / sum |b| over 4 times = %.1e (<= 1e-13)", (double)worst_sum));
  PetscCall(Expect(msg, (PetscBool)(worst_sum <= 1e-13)));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "read-out: max |l^T b - w^T V| / |l^T b| = %.1e (<= 1e-10)", (double)worst_rec));
  PetscCall(Expect(msg, (PetscBool)(worst_rec <= 1e-10)));
  PetscCall(PetscFree(b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The currents deposited in their cells and solved directly reproduce the lead-field read-out. */
static PetscErrorCode TestDirect(SemgConductor c, const PetscReal *exyz, SemgMUSource src, PetscInt nt, PetscReal dt, const PetscReal *phi)
{
  PetscInt         ncell, xs, ys, zs, xm, ym, zm, k = 15;
  const PetscInt  *ijk;
  const PetscReal *frac;
  PetscReal       *b, err = 0;
  DM               da;
  Vec              rhs, x, w;
  PetscScalar   ***a;
  char             msg[160];

  PetscFunctionBeginUser;
  PetscCall(SemgMUSourceGetNodes(src, &ncell, &ijk, &frac));
  PetscCall(PetscMalloc1(ncell, &b));
  PetscCall(SemgMUSourceCurrents(src, k * dt, b));
  PetscCall(SemgConductorGetDM(c, &da));
  PetscCall(SemgConductorCreateVec(c, &rhs));
  PetscCall(VecDuplicate(rhs, &x));
  PetscCall(VecDuplicate(rhs, &w));
  PetscCall(VecSet(rhs, 0));
  /* the DMDA's axes are (z, x, y): corners come back in that order */
  PetscCall(DMDAGetCorners(da, &zs, &xs, &ys, &zm, &xm, &ym));
  PetscCall(DMDAVecGetArray(da, rhs, &a));
  for (PetscInt q = 0; q < ncell; q++) {
    const PetscInt j = ijk[3 * q + 1], kk = ijk[3 * q + 2];
    for (PetscInt i = ijk[3 * q]; i <= ijk[3 * q] + (frac[q] > 0); i++) /* fibre ends: shared with cell i+1 */
      if (i >= xs && i < xs + xm && j >= ys && j < ys + ym && kk >= zs && kk < zs + zm)
        a[j][i][kk] += (i == ijk[3 * q] ? 1 - frac[q] : frac[q]) * b[q];
  }
  PetscCall(DMDAVecRestoreArray(da, rhs, &a));
  PetscCall(SemgConductorSolve(c, rhs, PETSC_FALSE, x, NULL));
  for (PetscInt e = 0; e < NE; e++) {
    PetscReal m;
    PetscCall(VecSet(w, 0));
    PetscCall(SemgConductorAddElectrode(c, exyz[3 * e], exyz[3 * e + 1], 0, w));
    PetscCall(VecDot(w, x, &m));
    /* mean reference: the lead fields read phi minus its mean; the solve returns zero-mean phi */
    err = PetscMax(err, PetscAbsReal(m - phi[e * nt + k]) / PetscAbsReal(m));
  }
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "direct solve with b = -A_i V_m vs w^T V at t = %.1f ms: max rel. diff %.1e (<= 1e-6)", (double)(k * dt * 1e3), (double)err));
  PetscCall(Expect(msg, (PetscBool)(err <= 1e-6)));
  PetscCall(VecDestroy(&rhs));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&w));
  PetscCall(PetscFree(b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode Timing(SemgLeadfield lf, const SemgMotorUnitSpec *mu, PetscInt nt, PetscReal dt)
{
  const PetscInt reps = 5;
  PetscLogDouble t0, t1, t2, t3;
  SemgMUSource   src;
  SemgFibre     *f;
  PetscReal     *phi;
  PetscInt       ncell, nc;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2((size_t)mu->n_fibres, &f, (size_t)NE * nt, &phi));
  PetscCall(SemgMotorUnitGenerate(mu, 3, 0, f));
  PetscCall(PetscTime(&t0));
  for (PetscInt r = 0; r < reps; r++) {
    PetscCall(SemgMUSourceCreate(lf, NULL, mu, NULL, 3, 0, &src));
    if (r + 1 < reps) PetscCall(SemgMUSourceDestroy(&src));
  }
  PetscCall(PetscTime(&t1));
  for (PetscInt r = 0; r < reps; r++) PetscCall(SemgMUSourceMUAP(src, nt, dt, phi));
  PetscCall(PetscTime(&t2));
  for (PetscInt r = 0; r < reps; r++) PetscCall(SemgLeadfieldMUAP(lf, mu->n_fibres, f, nt, dt, PETSC_FALSE, phi));
  PetscCall(PetscTime(&t3));
  PetscCall(SemgMUSourceGetNodes(src, &ncell, NULL, NULL));
  PetscCall(SemgMUSourceGetColumns(src, &nc, NULL, NULL));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "timing (%d fibres, %d columns, %d nodes, %d electrodes, %d samples): homogenised set-up %.3f ms + evaluation %.3f ms (%.2f us/sample); per-fibre line source %.3f ms (%.2f us/sample)\n",
                        (int)mu->n_fibres, (int)nc, (int)ncell, NE, (int)nt, (t1 - t0) / reps * 1e3, (t2 - t1) / reps * 1e3, (t2 - t1) / reps / nt * 1e6, (t3 - t2) / reps * 1e3, (t3 - t2) / reps / nt * 1e6));
  PetscCall(SemgMUSourceDestroy(&src));
  PetscCall(PetscFree2(f, phi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Stored grid lead field (mean reference), MU source on its cells. */
static PetscErrorCode TestGrid(const char *path, PetscBool timing)
{
  SemgTissue        t;
  SemgVCGrid        g;
  SemgConductor     c;
  SemgLeadfield     lf;
  SemgMUSource      src;
  SemgMotorUnitSpec mu;
  PetscReal         exyz[3 * NE], *h, *r, worst, dt = 1e-4;
  PetscInt          nt = 100, nc, ncell;
  const PetscReal  *nfib;
  char              msg[200];

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  PetscCall(SemgVCGridDefault(&g));
  g.n[0] = 65, g.n[1] = 33, g.n[2] = 33;
  g.h[0] = 0.5e-3, g.h[1] = 0.5e-3;
  g.skin_cells = 2, g.fat_cells = 4;
  g.extent[0] = 0.05, g.extent[1] = 0.03, g.extent[2] = 0.03;
  PetscCall(SemgConductorCreate(PETSC_COMM_WORLD, &g, &t, NULL, &c));
  PetscCall(SemgConductorSetUp(c));
  TestElectrodes(exyz);
  PetscCall(SemgLeadfieldComputeAndStore(c, NE, exyz, NULL, -1, path, NULL));
  PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, path, NULL, NULL, &lf));
  PetscCall(TestMU(&mu));
  PetscCall(SemgMUSourceCreate(lf, NULL, &mu, NULL, 7, 0, &src));
  PetscCall(SemgMUSourceGetColumns(src, &nc, NULL, &nfib));
  PetscCall(SemgMUSourceGetNodes(src, &ncell, NULL, NULL));
  {
    PetscReal tot = 0;
    for (PetscInt q = 0; q < nc; q++) tot += nfib[q];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "grid lead field: %d columns, %d nodes, columns stand for %.6f fibres (60)", (int)nc, (int)ncell, (double)tot));
    PetscCall(Expect(msg, (PetscBool)(nc > 10 && PetscAbsReal(tot - 60) < 1e-9)));
  }
  PetscCall(PetscMalloc2(NE * nt, &h, NE * nt, &r));
  PetscCall(SemgMUSourceMUAP(src, nt, dt, h));
  PetscCall(TestCharge(lf, src, nt, dt, h));
  PetscCall(TestDirect(c, exyz, src, nt, dt, h));
  PetscCall(ColumnLineMUAP(lf, src, nt, dt, r));
  PetscCall(ChannelNRMSE("grid lead field", NE, nt, h, r, &worst));
  /* l is trilinear between the centres, so -G_f sum dl dV / dxi along a fibre at a column centre equals
     the chain's -l^T A_i V except on the 0.1 mm node segments that straddle a centre: small, not zero */
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "homogenised vs per-column line sources, stored grid: max NRMSE %.2e (<= 1e-3)", (double)worst));
  PetscCall(Expect(msg, (PetscBool)(worst <= 1e-3)));
  if (timing) {
    PetscCall(Timing(lf, &mu, 200, 2e-4));
    mu.n_fibres = 300, mu.radius = 4e-3, mu.iz[2] = -10e-3;
    PetscCall(Timing(lf, &mu, 200, 2e-4));
  }
  PetscCall(PetscFree2(h, r));
  PetscCall(SemgMUSourceDestroy(&src));
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscCall(SemgConductorDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Analytic half-space lead field at the centres of uniform cells: only the x spacing changes, the
   columns (0.5 mm in y and z) stay, so the difference to the line sources is the along-x discretisation. */
static PetscErrorCode TestRefine(void)
{
  const PetscReal   hx[3] = {1e-3, 0.5e-3, 0.25e-3}, hyz = 0.5e-3, dt = 1e-4;
  const PetscInt    nt = 100;
  PetscReal         exyz[3 * NE], *h, *r, err[3];
  SemgLeadfield     lf;
  SemgMotorUnitSpec mu;
  char              msg[200];

  PetscFunctionBeginUser;
  TestElectrodes(exyz);
  PetscCall(TestMU(&mu));
  PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_HALFSPACE, NE, exyz, 0.5, 0.1, &lf));
  PetscCall(PetscMalloc2(NE * nt, &h, NE * nt, &r));
  for (PetscInt lev = 0; lev < 3; lev++) {
    PetscReal   *face[3];
    SemgMUGrid   grid;
    SemgMUSource src;
    char         label[64];
    /* x: +-40 mm; y: +-4 mm; z: -13 .. -3 mm, faces on multiples of the spacing */
    grid.n[0] = (PetscInt)PetscFloorReal(0.08 / hx[lev] + 0.5), grid.n[1] = 16, grid.n[2] = 20;
    for (PetscInt d = 0; d < 3; d++) {
      const PetscReal lo = d == 0 ? -0.04 : (d == 1 ? -4e-3 : -13e-3), hd = d == 0 ? hx[lev] : hyz;
      PetscCall(PetscMalloc1(grid.n[d] + 1, &face[d]));
      for (PetscInt i = 0; i <= grid.n[d]; i++) face[d][i] = lo + i * hd;
      grid.face[d] = face[d];
    }
    PetscCall(SemgMUSourceCreate(lf, &grid, &mu, NULL, 7, 0, &src));
    PetscCall(SemgMUSourceMUAP(src, nt, dt, h));
    PetscCall(ColumnLineMUAP(lf, src, nt, dt, r));
    PetscCall(PetscSNPrintf(label, sizeof(label), "half-space, h_x = %.2f mm,", (double)(hx[lev] * 1e3)));
    PetscCall(ChannelNRMSE(label, NE, nt, h, r, &err[lev]));
    PetscCall(SemgMUSourceDestroy(&src));
    for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree(face[d]));
  }
  /* the chain is the midpoint rule of -G_f int l' V' with exact fibre ends: second order in h_x */
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "half-space max NRMSE at h_x 1, 0.5, 0.25 mm: %.2e %.2e %.2e (order %.2f %.2f >= 1.8)", (double)err[0], (double)err[1], (double)err[2], (double)PetscLog2Real(err[0] / err[1]), (double)PetscLog2Real(err[1] / err[2])));
  PetscCall(Expect(msg, (PetscBool)(err[0] >= PetscPowReal(2, 1.8) * err[1] && err[1] >= PetscPowReal(2, 1.8) * err[2] && err[1] <= 1e-3)));
  PetscCall(PetscFree2(h, r));
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  char      path[PETSC_MAX_PATH_LEN] = "vc_musource_test.h5";
  PetscBool timing                   = PETSC_FALSE;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-path", path, sizeof(path), NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-timing", &timing, NULL));
  PetscCall(TestRefine());
  PetscCall(TestGrid(path, timing));
  PetscCall(SemgTestReport());
  PetscCall(PetscFinalize());
  return SemgTestFailures() ? 1 : 0;
}
