static char help[] = "Lead-field MUAPs: CCS special case, single-fibre magnitudes, depth, pure delays, rotation,\n"
                     "and grid lead field (HDF5 round trip) against a direct solve.\n";

#include <petscsys.h>
#include "core/semg_error.h"
#include "sim/vc/leadfield.h"
#include "sim/vc/misalign.h"

#include "tests/vc/vc_expect.h"

static PetscReal PeakToPeak(const PetscReal *x, PetscInt n)
{
  PetscReal lo = x[0], hi = x[0];
  for (PetscInt i = 1; i < n; i++) {
    lo = PetscMin(lo, x[i]);
    hi = PetscMax(hi, x[i]);
  }
  return hi - lo;
}

/* Spec 8.6: lead field 1/(4 pi sigma r) with 4 pi sigma = 1 reproduces the CCS model to rounding. */
static PetscErrorCode TestCCS(void)
{
  SemgFibre f[3] = {
    {-0.03,  0.001,  -0.004, 0.03, 0.07, 4.0, 0,     0   },
    {-0.025, -0.002, -0.006, 0.02, 0.06, 3.5, 0.05,  0.02},
    {-0.035, 0.0,    -0.01,  0.04, 0.08, 5.0, -0.03, 0   }
  };
  PetscReal     exyz[3 * 8], *a, *b, err = 0, mx = 0, s = 1.0 / (4.0 * PETSC_PI);
  PetscInt      ne = 8, nt = 200;
  SemgLeadfield lf;
  SemgCCSParams par;
  char          msg[128];

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < ne; e++) {
    exyz[3 * e]     = -0.0175 + 0.005 * e;
    exyz[3 * e + 1] = 0;
    exyz[3 * e + 2] = 0;
  }
  PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(PetscCalloc2(ne * nt, &a, ne * nt, &b));
  PetscCall(SemgCCSPotentialAdd(&par, 3, f, ne, exyz, nt, 0.0, 1.0 / 5000, a));
  PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_INFINITE, ne, exyz, s, s, &lf));
  PetscCall(SemgLeadfieldSetCCSParams(lf, &par));
  PetscCall(SemgLeadfieldMUAP(lf, 3, f, nt, 1.0 / 5000, PETSC_TRUE, b));
  for (PetscInt i = 0; i < ne * nt; i++) {
    err = PetscMax(err, PetscAbsReal(a[i] - b[i]));
    mx  = PetscMax(mx, PetscAbsReal(a[i]));
  }
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "CCS special case: max |lf - ccs| / max |ccs| = %.1e", (double)(err / mx)));
  PetscCall(Expect(msg, (PetscBool)(err <= 1e-12 * mx)));
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscCall(PetscFree2(a, b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Single fibre, insulated half-space, electrode 80 mm ahead of the IP (spec 8.1 single-fibre table). */
static PetscErrorCode TestSingleFibre(void)
{
  const PetscReal depth[4] = {2e-3, 5e-3, 10e-3, 15e-3}, ref[4] = {15.57e-6, 1.40e-6, 0.190e-6, 0.057e-6};
  PetscReal       e[3] = {0.08, 0, 0}, *phi, prev = PETSC_MAX_REAL, dt = 1.0 / 20000;
  PetscInt        nt = 800;
  SemgLeadfield   lf;
  char            msg[128];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nt, &phi));
  PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_HALFSPACE, 1, e, 0.5, 0.1, &lf));
  for (PetscInt i = 0; i < 4; i++) {
    /* one AP on a long fibre: IP at the left end, so only the right AP travels (4 m/s) */
    SemgFibre f = {0.0, 0, -depth[i], 0.0, 0.25, 4.0, 0, 0};
    PetscReal p2p;
    PetscCall(SemgLeadfieldMUAP(lf, 1, &f, nt, dt, PETSC_FALSE, phi));
    /* window around the passage under the electrode (t = 20 ms), away from the generation at t = 0 */
    p2p = PeakToPeak(phi + 200, 400);
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "single fibre depth %4.1f mm: mono p2p %.4f uV (spec %.3f)", (double)(depth[i] * 1e3), (double)(p2p * 1e6), (double)(ref[i] * 1e6)));
    PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(p2p - ref[i]) <= 0.03 * ref[i])));
    PetscCall(Expect("  monopolar amplitude falls with depth", (PetscBool)(p2p < prev)));
    prev = p2p;
  }
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscCall(PetscFree(phi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Delay of b relative to a by cross-correlation with parabolic peak interpolation (samples). */
static PetscReal Delay(const PetscReal *a, const PetscReal *b, PetscInt n, PetscInt maxlag)
{
  PetscReal best  = -PETSC_MAX_REAL, c[3];
  PetscInt  lbest = 0;

  for (PetscInt l = 0; l <= maxlag; l++) {
    PetscReal s = 0;
    for (PetscInt k = 0; k + l < n; k++) s += a[k] * b[k + l];
    if (s > best) {
      best  = s;
      lbest = l;
    }
  }
  for (PetscInt d = -1; d <= 1; d++) {
    PetscReal s = 0;
    for (PetscInt k = 0; k + lbest + d < n; k++)
      if (k + lbest + d >= 0) s += a[k] * b[k + lbest + d];
    c[d + 1] = s;
  }
  return lbest + 0.5 * (c[0] - c[2]) / (c[0] - 2 * c[1] + c[2]);
}

/* Pure delays in fibre-invariant tissue (alpha = 0: channel e+1 is channel e delayed by IED / v = 25
   samples after sample k0, to pure_tol of the peak) and apparent CV v / cos(alpha) (within 1 %) for a
   4-electrode array at 5 mm rotated by alpha. Lead fields: the analytic half-space (c = NULL) or grid
   lead fields of conductor c solved for every rotation and read back from path. */
static PetscErrorCode CheckDelaysRotation(const char *label, SemgConductor c, const char *path, const PetscReal centre[2], const SemgFibre *f, PetscInt nt, PetscInt k0, PetscInt na, const PetscReal *alpha_deg, PetscReal pure_tol)
{
  PetscReal dt = 1.0 / 20000, v = f->cv, ied = 5e-3, exyz[3 * 4], nominal[3 * 4], rad[4] = {0, 0, 0, 0}, *phi;
  PetscInt  ne = 4;
  char      msg[200];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(ne * nt, &phi));
  for (PetscInt e = 0; e < ne; e++) {
    nominal[3 * e]     = centre[0] + (e - 1.5) * ied;
    nominal[3 * e + 1] = 0;
    nominal[3 * e + 2] = 0;
  }
  for (PetscInt a = 0; a < na; a++) {
    SemgMisalignParams mp;
    SemgLeadfield      lf;
    PetscReal          delay = 0, maxdiff = 0, mx = 0, cv, expect = v / PetscCosReal(alpha_deg[a] * PETSC_PI / 180);

    PetscCall(SemgMisalignParamsDefault(&mp));
    mp.rotation = alpha_deg[a] * PETSC_PI / 180;
    PetscCall(SemgMisalignApply(&mp, 1, 0, ne, nominal, centre, exyz, NULL, NULL));
    if (c) {
      PetscCall(SemgLeadfieldComputeAndStore(c, ne, exyz, rad, -1, path, NULL));
      PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, path, NULL, NULL, &lf));
    } else PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_HALFSPACE, ne, exyz, 0.5, 0.1, &lf));
    PetscCall(SemgLeadfieldMUAP(lf, 1, f, nt, dt, PETSC_FALSE, phi));
    if (alpha_deg[a] == 0) {
      for (PetscInt e = 0; e + 1 < ne; e++)
        for (PetscInt k = k0; k + 25 < nt; k++) {
          maxdiff = PetscMax(maxdiff, PetscAbsReal(phi[(e + 1) * nt + k + 25] - phi[e * nt + k]));
          mx      = PetscMax(mx, PetscAbsReal(phi[e * nt + k]));
        }
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "%spure delay 25 samples between channels: max dev / max = %.1e", label, (double)(maxdiff / mx)));
      PetscCall(Expect(msg, (PetscBool)(maxdiff <= pure_tol * mx)));
    }
    for (PetscInt e = 0; e + 1 < ne; e++) delay += Delay(phi + e * nt + k0, phi + (e + 1) * nt + k0, nt - k0, 100) / (ne - 1);
    cv = ied / (delay * dt);
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "%srotation %2.0f deg: apparent CV %.4f m/s, v/cos(alpha) %.4f", label, (double)alpha_deg[a], (double)cv, (double)expect));
    PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(cv - expect) <= 0.01 * expect)));
    PetscCall(SemgLeadfieldDestroy(&lf));
  }
  PetscCall(PetscFree(phi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Analytic half-space lead field: exact pure delays (to 1e-3 of the peak after the generation transient). */
static PetscErrorCode TestDelaysRotation(void)
{
  const PetscReal alpha_deg[4] = {0, 10, 20, 30}, centre[2] = {0.07, 0};
  SemgFibre       f = {0.0, 0, -4e-3, 0.0, 0.25, 4.0, 0, 0};

  PetscFunctionBeginUser;
  PetscCall(CheckDelaysRotation("", NULL, NULL, centre, &f, 1000, 200, 4, alpha_deg, 1e-3));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The same two properties on grid lead fields (FV solve, layered tissue: skin, fat, anisotropic muscle;
   invariant along x, stretched grid): pure delays hold to discretisation accuracy (1 %), CV to 1 %. */
static PetscErrorCode TestGridDelaysRotation(const char *path)
{
  const PetscReal alpha_deg[3] = {0, 15, 30}, centre[2] = {0, 0};
  SemgFibre       f = {-0.1, 0, -6e-3, 0.0, 0.2, 4.0, 0, 0}; /* IZ at the end x = -100 mm: one AP, under the array at 25 ms, extinct at 50 ms */
  SemgTissue      t;
  SemgVCGrid      g;
  SemgConductor   c;

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  PetscCall(SemgVCGridDefault(&g));
  g.n[0] = 225, g.n[1] = 33, g.n[2] = 33; /* uniform 0.5 mm core of +-45 mm in x: 37 mm beyond the array */
  g.h[0] = 0.5e-3, g.h[1] = 0.5e-3;
  g.skin_cells = 2, g.fat_cells = 6;
  g.extent[0] = 0.12, g.extent[1] = 0.04, g.extent[2] = 0.04;
  PetscCall(SemgConductorCreate(PETSC_COMM_WORLD, &g, &t, NULL, &c));
  PetscCall(SemgConductorSetUp(c));
  PetscCall(CheckDelaysRotation("grid lead field: ", c, path, centre, &f, 700, 300, 3, alpha_deg, 1e-2));
  PetscCall(SemgConductorDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Grid lead field through HDF5 vs a direct solve with the same nodal currents deposited (spec 5.2). */
static PetscErrorCode TestGridVsDirect(const char *path)
{
  SemgConductor c;
  SemgLeadfield lf;
  PetscReal     exyz[6] = {0.0, 0, 0, 0.01, 0.002, 0}, rad[2] = {0, 1e-3}, lab, lba, *phi, dt = 1.0 / 5000;
  PetscInt      its[2], nt = 40;
  SemgFibre     f = {-0.03, 0.001, -6e-3, 0.028, 0.06, 4.0, 0, 0};
  Vec           b, x, w;
  char          msg[160];

  PetscFunctionBeginUser;
  PetscCall(CreateSmallLayeredConductor(&c));
  PetscCall(SemgLeadfieldComputeAndStore(c, 2, exyz, rad, -1, path, its));
  PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, path, NULL, NULL, &lf));
  /* reciprocity: l_a at b's read-out point vs l_b at a's (point electrodes on the top cells) */
  {
    PetscReal     pa[3] = {exyz[0], exyz[1], 0}, pb[3] = {exyz[3], exyz[4], 0};
    SemgLeadfield lfp;
    PetscReal     e2[6] = {exyz[0], exyz[1], 0, exyz[3], exyz[4], 0}, r0[2] = {0, 0};
    PetscCall(SemgLeadfieldComputeAndStore(c, 2, e2, r0, -1, path, its));
    PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, path, NULL, NULL, &lfp));
    PetscCall(SemgLeadfieldEval(lfp, 0, pb, &lab));
    PetscCall(SemgLeadfieldEval(lfp, 1, pa, &lba));
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "reciprocity l_a(b) = l_b(a): %.10e vs %.10e", (double)lab, (double)lba));
    PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(lab - lba) <= 1e-7 * PetscAbsReal(lab))));
    PetscCall(SemgLeadfieldDestroy(&lfp));
  }
  PetscCall(PetscMalloc1(2 * nt, &phi));
  PetscCall(SemgLeadfieldMUAP(lf, 1, &f, nt, dt, PETSC_FALSE, phi));
  /* direct: nodal currents of the line source (summation by parts of 5.2), deposited trilinearly */
  PetscCall(SemgConductorCreateVec(c, &b));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(VecDuplicate(b, &w));
  for (PetscInt k = 10; k < nt; k += 15) {
    SemgLineSourceParams ls;
    PetscInt             n1, n2, nn;
    PetscReal            s = f.cv * k * dt, m[2], err = 0;
    PetscCall(SemgLineSourceParamsDefault(&ls));
    n1 = (PetscInt)PetscCeilReal(f.ip / ls.dxi);
    n2 = (PetscInt)PetscCeilReal((f.length - f.ip) / ls.dxi);
    nn = n1 + n2 + 1;
    PetscCall(VecSet(b, 0));
    for (PetscInt j = 0; j < nn; j++) {
      PetscReal xi[3], V[3], cur = 0;
      for (PetscInt q = -1; q <= 1; q++) {
        PetscInt jj = j + q;
        xi[q + 1]   = jj < 0 || jj >= nn ? 0 : (jj <= n1 ? f.ip * jj / n1 : f.ip + (f.length - f.ip) * (jj - n1) / n2);
        V[q + 1] = jj < 0 || jj >= nn ? 0 : (xi[q + 1] <= f.ip ? SemgRosenfalck(&ls, xi[q + 1] - f.ip + s) : SemgRosenfalck(&ls, f.ip + s - xi[q + 1]));
      }
      if (j + 1 < nn) cur += (V[2] - V[1]) / (xi[2] - xi[1]);
      if (j > 0) cur -= (V[1] - V[0]) / (xi[1] - xi[0]);
      cur *= ls.gf;
      if (cur != 0) {
        PetscReal p[3] = {f.ox + xi[1], f.oy, f.oz};
        PetscCall(SemgConductorAddPoint(c, p, cur, PETSC_FALSE, b));
      }
    }
    PetscCall(SemgConductorSolve(c, b, PETSC_FALSE, x, NULL));
    for (PetscInt e = 0; e < 2; e++) {
      PetscCall(VecSet(w, 0));
      PetscCall(SemgConductorAddElectrode(c, exyz[3 * e], exyz[3 * e + 1], rad[e], w));
      PetscCall(VecDot(w, x, &m[e]));
      err = PetscMax(err, PetscAbsReal(m[e] - phi[e * nt + k]) / PetscMax(PetscAbsReal(m[e]), 1e-30));
    }
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "k=%2d lead field %.6e %.6e direct %.6e %.6e", (int)k, (double)phi[k], (double)phi[nt + k], (double)m[0], (double)m[1]));
    PetscCall(Expect(msg, (PetscBool)(err < 1e-6)));
  }
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&w));
  PetscCall(PetscFree(phi));
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscCall(SemgConductorDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The two source models agree where they should: away from the IZ and the fibre ends the CCS point
   sources approximate the line source's smooth part (same sign, shape and size). */
static PetscErrorCode TestSourceModels(void)
{
  PetscReal            e[3] = {0.03, 0, 0}, s = 1.0 / (4.0 * PETSC_PI), *a, *b, sab = 0, saa = 0, sbb = 0, pa, pb, dt = 1.0 / 20000;
  PetscInt             nt = 400;
  SemgFibre            f  = {-0.06, 0, -5e-3, 0.06, 0.16, 4.0, 0, 0};
  SemgLeadfield        lf;
  SemgLineSourceParams ls;
  SemgCCSParams        par;
  char                 msg[160];

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(nt, &a, nt, &b));
  PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_INFINITE, 1, e, s, s, &lf));
  PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(SemgLineSourceParamsDefault(&ls));
  ls.gf     = 1.0 / par.resistance_sum;                       /* CCS model units: I = a / (R_e + R_i) [G], phi = sum I / r */
  ls.amp    = par.a / (par.lambda * par.lambda * par.lambda); /* CCS: V = a z^3 e^(-lambda z), z in m */
  ls.lambda = par.lambda;
  PetscCall(SemgLeadfieldSetCCSParams(lf, &par));
  PetscCall(SemgLeadfieldSetLineSourceParams(lf, &ls));
  PetscCall(SemgLeadfieldMUAP(lf, 1, &f, nt, dt, PETSC_TRUE, a));
  PetscCall(SemgLeadfieldMUAP(lf, 1, &f, nt, dt, PETSC_FALSE, b));
  /* window: the right AP passes under the electrode (30 mm from the IZ at 4 m/s = 7.5 ms) */
  for (PetscInt k = 60; k < 260; k++) {
    sab += a[k] * b[k];
    saa += a[k] * a[k];
    sbb += b[k] * b[k];
  }
  pa = PeakToPeak(a + 60, 200);
  pb = PeakToPeak(b + 60, 200);
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "CCS vs line source under the electrode: correlation %.4f, p2p ratio %.4f", (double)(sab / PetscSqrtReal(saa * sbb)), (double)(pa / pb)));
  PetscCall(Expect(msg, (PetscBool)(sab / PetscSqrtReal(saa * sbb) > 0.98 && PetscAbsReal(pa / pb - 1) < 0.1)));
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscCall(PetscFree2(a, b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Misalignment draws: jitter SD and log-gain SD as asked, shift within its range, reproducible. */
static PetscErrorCode TestMisalign(void)
{
  const PetscInt     ne = 4000;
  SemgMisalignParams p;
  SemgMisalignDrawn  d1, d2;
  PetscReal         *nom, *out, *out2, *gain, sj = 0, sg = 0, c[2] = {0, 0};
  PetscInt           same = 1;
  char               msg[160];

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc4(3 * ne, &nom, 3 * ne, &out, 3 * ne, &out2, ne, &gain));
  PetscCall(SemgMisalignParamsDefault(&p));
  p.jitter         = 0.2e-3;
  p.gain_log_std   = 0.05;
  p.shift_range[0] = 5e-3;
  p.shift_range[1] = 5e-3;
  PetscCall(SemgMisalignApply(&p, 5, 9, ne, nom, c, out, gain, &d1));
  PetscCall(SemgMisalignApply(&p, 5, 9, ne, nom, c, out2, NULL, &d2));
  for (PetscInt e = 0; e < ne; e++) {
    sj += PetscSqr(out[3 * e] - d1.shift[0]) / ne;
    sg += PetscSqr(PetscLogReal(gain[e])) / ne;
    if (out[3 * e] != out2[3 * e] || out[3 * e + 1] != out2[3 * e + 1]) same = 0;
  }
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "misalignment: jitter SD %.3f mm (0.2), log-gain SD %.4f (0.05), shift %.2f,%.2f mm", (double)(PetscSqrtReal(sj) * 1e3), (double)PetscSqrtReal(sg), (double)(d1.shift[0] * 1e3), (double)(d1.shift[1] * 1e3)));
  PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(PetscSqrtReal(sj) - 0.2e-3) < 0.01e-3 && PetscAbsReal(PetscSqrtReal(sg) - 0.05) < 0.003 && PetscAbsReal(d1.shift[0]) <= 5e-3 && same && d1.shift[1] == d2.shift[1])));
  PetscCall(PetscFree4(nom, out, out2, gain));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The line source evaluated the plain way (spec 5.2: V and the lead field at every node, every segment
   summed in node order): SemgLeadfieldMUAP skips the nodes outside the APs' supports and must give the
   same bits. */
static PetscErrorCode NaiveLineSource(SemgLeadfield lf, PetscInt ne, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  SemgLineSourceParams ls;
  PetscInt             n1 = f->ip > 0 ? (PetscInt)PetscCeilReal(f->ip / 1e-4) : 0, n2 = f->length - f->ip > 0 ? (PetscInt)PetscCeilReal((f->length - f->ip) / 1e-4) : 0, nn = n1 + n2 + 1;
  PetscReal *xi, *l, *V, dir[3] = {PetscCosReal(f->rz) * PetscCosReal(f->ry), PetscSinReal(f->rz) * PetscCosReal(f->ry), -PetscSinReal(f->ry)};

  PetscFunctionBeginUser;
  PetscCall(SemgLineSourceParamsDefault(&ls));
  PetscCall(PetscMalloc3(nn, &xi, (size_t)nn * ne, &l, nn, &V));
  for (PetscInt j = 0; j <= n1; j++) xi[j] = n1 ? f->ip * j / n1 : 0;
  for (PetscInt j = 1; j <= n2; j++) xi[n1 + j] = f->ip + (f->length - f->ip) * j / n2;
  for (PetscInt j = 0; j < nn; j++) {
    PetscReal p[3] = {f->ox + xi[j] * dir[0], f->oy + xi[j] * dir[1], f->oz + xi[j] * dir[2]};
    PetscCall(SemgLeadfieldEvalAll(lf, p, &l[(size_t)j * ne]));
  }
  for (PetscInt k = 0; k < nt; k++) {
    PetscReal s = f->cv * k * dt;
    for (PetscInt j = 0; j < nn; j++) V[j] = xi[j] <= f->ip ? SemgRosenfalck(&ls, xi[j] - f->ip + s) : SemgRosenfalck(&ls, f->ip + s - xi[j]);
    for (PetscInt j = 0; j < nn - 1; j++) {
      PetscReal D = V[j + 1] - V[j];
      if (D == 0) continue;
      D *= -ls.gf / (xi[j + 1] - xi[j]);
      for (PetscInt e = 0; e < ne; e++) phi[(size_t)e * nt + k] += D * (l[(size_t)(j + 1) * ne + e] - l[(size_t)j * ne + e]);
    }
  }
  PetscCall(PetscFree3(xi, l, V));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestLineSourceExact(void)
{
  /* IP inside, at either end; fibres tilted; records shorter and longer than the APs' travel */
  SemgFibre f[4] = {
    {-0.03,  0.001,  -0.012, 0.03,  0.07, 4.0, 0,     0    },
    {-0.025, -0.002, -0.015, 0.0,   0.06, 3.5, 0.05,  0.02 },
    {-0.035, 0.0,    -0.02,  0.08,  0.08, 5.0, -0.03, 0    },
    {-0.05,  0.004,  -0.018, 0.051, 0.1,  3.1, 0.0,   -0.01}
  };
  const PetscInt nts[2] = {37, 400};
  PetscReal      exyz[3 * 6];
  PetscInt       ne = 6, bad = 0;
  SemgLeadfield  lf;

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < ne; e++) exyz[3 * e] = -0.0125 + 0.005 * e, exyz[3 * e + 1] = 0.001 * e, exyz[3 * e + 2] = 0;
  PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_HALFSPACE, ne, exyz, 0.5, 0.1, &lf));
  for (PetscInt c = 0; c < 2; c++) {
    PetscReal *a, *b;
    PetscCall(PetscCalloc2((size_t)ne * nts[c], &a, (size_t)ne * nts[c], &b));
    for (PetscInt i = 0; i < 4; i++) PetscCall(NaiveLineSource(lf, ne, &f[i], nts[c], 1.0 / 5000, a));
    PetscCall(SemgLeadfieldMUAP(lf, 4, f, nts[c], 1.0 / 5000, PETSC_FALSE, b));
    for (PetscInt q = 0; q < ne * nts[c]; q++) bad += a[q] != b[q];
    PetscCall(PetscFree2(a, b));
  }
  PetscCall(Expect("line source: SemgLeadfieldMUAP equals the every-node evaluation bit for bit", (PetscBool)(bad == 0)));
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  char path[PETSC_MAX_PATH_LEN] = "vc_leadfield_test.h5";

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-path", path, sizeof(path), NULL));
  PetscCall(TestCCS());
  PetscCall(TestSingleFibre());
  PetscCall(TestLineSourceExact());
  PetscCall(TestDelaysRotation());
  PetscCall(TestMisalign());
  PetscCall(TestSourceModels());
  PetscCall(TestGridVsDirect(path));
  PetscCall(TestGridDelaysRotation(path));
  PetscCall(SemgTestReport());
  PetscCall(PetscFinalize());
  return SemgTestFailures() ? 1 : 0;
}
