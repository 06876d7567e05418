static char help[] = "Known-answer tests of the CCS model against forward-model-ccs.md (sections 3, 4, 6, 7, 8, 9, 10, 12).\n";

#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/ccs.h"
#include "sim/fibres.h"
#include "sim/firing.h"
#include "sim/electrodes.h"
#include "tests/common/semg_test.h"

/* Fibre F of spec 10. */
static SemgFibre FibreF(void)
{
  SemgFibre f = {-0.05, 0, 0, 0.052, 0.11, 4.5, 0, 0};
  return f;
}

static PetscErrorCode PhiAt(const SemgCCSParams *par, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *e, PetscReal t, PetscReal *phi)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(phi, ne));
  PetscCall(SemgCCSPotentialAdd(par, nf, f, ne, e, 1, t, 1.0, phi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestSections(const SemgCCSParams *par)
{
  const double z1 = (3 - sqrt(3.0)) / 1000, z2 = (3 + sqrt(3.0)) / 1000;
  const double wantI[3] = {7.5226737203e-05, -1.0802320742e-04, 3.2624363733e-05}, wantz[3] = {5.3589838486e-04, 2.6393409353e-03, 7.4229080106e-03};
  const double b[4] = {0, z1, z2, 14e-3};
  double       sum  = 0;

  PetscFunctionBeginUser;
  PetscCall(ExpectClose("section bound z1", z1, 1.2679491924311229e-3, 1e-15, 0));
  PetscCall(ExpectClose("section bound z2", z2, 4.732050807568877e-3, 1e-15, 0));
  for (int k = 0; k < 3; k++) {
    PetscReal cur, zb;
    SemgCCSSection(par, b[k], b[k + 1], &cur, &zb);
    PetscCall(ExpectClose("full-AP section current", cur, wantI[k], 2e-10, 0));
    PetscCall(ExpectClose("full-AP section centroid", zb, wantz[k], 2e-10, 0));
    sum += cur;
  }
  PetscCall(ExpectClose("sum of section currents = V'(Z)", sum, -1.7210648817e-07, 2e-9, 0));
  /* Rosenfalck V'' zero crossings: the section bounds are where the current changes sign */
  {
    PetscReal I1, zb, I2;
    SemgCCSSection(par, z1 - 1e-7, z1, &I1, &zb);
    SemgCCSSection(par, z1, z1 + 1e-7, &I2, &zb);
    PetscCall(ExpectClose("V'' sign change at z1 (source->sink)", (I1 > 0 && I2 < 0) ? 1 : 0, 1, 0, 0));
    SemgCCSSection(par, z2 - 1e-7, z2, &I1, &zb);
    SemgCCSSection(par, z2, z2 + 1e-7, &I2, &zb);
    PetscCall(ExpectClose("V'' sign change at z2 (sink->source)", (I1 < 0 && I2 > 0) ? 1 : 0, 1, 0, 0));
    SemgCCSSection(par, z1, z1, &I1, &zb);
    PetscCall(ExpectClose("vanished section carries no current", I1, 0, 0, 1));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestSourcesAndMonopole(const SemgCCSParams *par)
{
  const SemgFibre F = FibreF();
  SemgCCSSources  src;
  /* spec 10 source table, t = 2 ms: L then R, sections 1..3: (I, x) */
  const double want2[6][2] = {
    {7.5226737203e-05,  -6.4641016151e-03},
    {-1.0802320742e-04, -4.3606590647e-03},
    {2.7038662402e-05,  -1.8238448687e-04},
    {7.5226737203e-05,  1.0464101615e-02 },
    {-1.0802320742e-04, 8.3606590647e-03 },
    {2.7038662402e-05,  4.1823844869e-03 }
  };
  const double ts[3] = {0.3e-3, 2e-3, 13e-3}, sums[3] = {1.4967703081e-04, -1.1515615639e-05, -1.5393229776e-05};
  /* spec 4.4: total current 2V'(s) before any end is reached */
  const double s44[6] = {0.5e-3, (3 - sqrt(3.0)) / 1000, 2e-3, 3e-3, (3 + sqrt(3.0)) / 1000, 8e-3},
               w44[6] = {7.2784e-5, 1.50453e-4, 1.0394e-4, 0, -6.5593e-5, -2.0611e-5};

  PetscFunctionBeginUser;
  SemgCCSFibreSources(par, &F, F.cv * 2e-3, PETSC_FALSE, &src);
  PetscCall(ExpectClose("fibre F at 2 ms: six sources", src.n, 6, 0, 1));
  for (int j = 0; j < 6 && j < src.n; j++) {
    PetscCall(ExpectClose("fibre F 2 ms source current", src.current[j], want2[j][0], 2e-10, 0));
    PetscCall(ExpectClose("fibre F 2 ms source x", src.p[j][0], want2[j][1], 2e-10, 0));
  }
  for (int i = 0; i < 3; i++) {
    double sum = 0;
    SemgCCSFibreSources(par, &F, F.cv * ts[i], PETSC_FALSE, &src);
    for (int j = 0; j < src.n; j++) sum += src.current[j];
    PetscCall(ExpectClose("fibre F total current", sum, sums[i], 2e-9, 0));
  }
  SemgCCSFibreSources(par, &F, F.cv * 0.3e-3, PETSC_FALSE, &src);
  PetscCall(ExpectClose("fibre F at 0.3 ms: section 3 vanished on both sides", src.n, 4, 0, 1));
  SemgCCSFibreSources(par, &F, F.cv * 13e-3, PETSC_FALSE, &src);
  PetscCall(ExpectClose("fibre F at 13 ms: left sections 1, 2 extinguished", src.n, 4, 0, 1));
  for (int i = 0; i < 6; i++) {
    double sum = 0;
    SemgCCSFibreSources(par, &F, s44[i], PETSC_FALSE, &src);
    for (int j = 0; j < src.n; j++) sum += src.current[j];
    PetscCall(ExpectClose("IZ monopole 2V'(s)", sum, w44[i], 5e-5, 1e-9));
  }
  {
    SemgCCSParams cc     = *par;
    cc.charge_conserving = PETSC_TRUE;
    for (int i = 0; i < 3; i++) {
      double sum = 0, asum = 0;
      SemgCCSFibreSources(&cc, &F, F.cv * ts[i], PETSC_FALSE, &src);
      for (int j = 0; j < src.n; j++) sum += src.current[j], asum += fabs(src.current[j]);
      PetscCall(ExpectClose("charge-conserving CCS: total current 0", sum, 0, 1e-14, asum));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestPotentials(const SemgCCSParams *par)
{
  const SemgFibre F     = FibreF();
  const double    xe[4] = {-0.02, 0, 0.002, 0.02}, ts[7] = {0, 0.3e-3, 1e-3, 2e-3, 6e-3, 13e-3, 16.1e-3};
  const double    want[7][4] = {
       {0,                 0,                 0,                 0                },
       {6.1989324518e-03,  1.4635597715e-02,  1.4918092461e-02,  7.2763409513e-03 },
       {-2.5948660127e-03, -6.9560144699e-03, -7.1716667220e-03, -3.0264938667e-03},
       {-3.4384073044e-04, -1.4763164658e-03, -1.4621240314e-03, -3.9314867200e-04},
       {-4.6794267298e-04, 8.3417896250e-05,  8.1977734797e-05,  -1.4238944533e-04},
       {2.5702777663e-04,  -1.6445889263e-04, -2.0041824946e-04, -5.5971304627e-04},
       {0,                 0,                 0,                 0                }
  };
  PetscReal e[12], phi[5];

  PetscFunctionBeginUser;
  for (int i = 0; i < 4; i++) e[3 * i] = xe[i], e[3 * i + 1] = 0, e[3 * i + 2] = 0.010;
  for (int k = 0; k < 7; k++) {
    PetscCall(PhiAt(par, 1, &F, 4, e, ts[k], phi));
    for (int i = 0; i < 4; i++) PetscCall(ExpectClose("fibre F monopolar phi (spec 10)", phi[i], want[k][i], 5e-10, 1e-14));
  }
  for (int k = 0; k < 7; k++) {
    PetscCall(PhiAt(par, 1, &F, 4, e, ts[k], phi));
    if (ts[k] == 0 || ts[k] > 16e-3)
      for (int i = 0; i < 4; i++) PetscCall(ExpectClose("phi exactly 0 before firing / after extinction", phi[i], 0, 0, 1));
  }
  { /* linear array, t = 2 ms, mono/SD/DD */
    const double mono[5] = {-6.9333612006e-04, -1.2974413706e-03, -1.4763164658e-03, -1.4839034726e-03, -1.1814816052e-03};
    const double sd[4] = {6.0410525049e-04, 1.7887509530e-04, 7.5870067434e-06, -3.0242186736e-04}, dd[3] = {4.2523015519e-04, 1.7128808855e-04, 3.1000887410e-04};
    PetscReal a[15];
    for (int i = 0; i < 5; i++) a[3 * i] = -0.01 + 0.005 * i, a[3 * i + 1] = 0, a[3 * i + 2] = 0.01;
    PetscCall(PhiAt(par, 1, &F, 5, a, 2e-3, phi));
    for (int i = 0; i < 5; i++) PetscCall(ExpectClose("linear array mono", phi[i], mono[i], 5e-10, 0));
    for (int i = 0; i < 4; i++) PetscCall(ExpectClose("linear array SD", phi[i] - phi[i + 1], sd[i], 5e-9, 0));
    for (int i = 0; i < 3; i++) PetscCall(ExpectClose("linear array DD", phi[i] - 2 * phi[i + 1] + phi[i + 2], dd[i], 5e-9, 0));
  }
  { /* rotated fibre */
    SemgFibre    R       = F;
    const double e4[12]  = {-0.02, 0, 0.01, 0, 0, 0.01, 0.002, 0, 0.01, 0.02, 0.005, 0.01};
    const double w[3][4] = {
      {5.4133893823e-03,  8.1473756133e-03,  8.1324488627e-03,  5.9603207709e-03 },
      {-3.5242363983e-04, -7.4751665925e-04, -7.4955048186e-04, -4.5740818169e-04},
      {2.6708854383e-04,  -1.3025861507e-04, -1.6210817287e-04, -4.7850670767e-04}
    };
    const double tr[3] = {0.3e-3, 2e-3, 13e-3};
    R.rz = 0.2, R.ry = 0.1;
    for (int k = 0; k < 3; k++) {
      PetscCall(PhiAt(par, 1, &R, 4, e4, tr[k], phi));
      for (int i = 0; i < 4; i++) PetscCall(ExpectClose("rotated fibre phi", phi[i], w[k][i], 5e-10, 0));
    }
  }
  { /* three-fibre MU */
    const SemgFibre mu[3] = {
      {-0.06,  0.002,  -0.004, 0.058, 0.12,  4.0, 0, 0},
      {-0.055, -0.003, 0.001,  0.05,  0.115, 4.2, 0, 0},
      {-0.062, 0,      -0.008, 0.065, 0.125, 3.9, 0, 0}
    };
    const double w[3][5] = {
      {-8.9445053331e-03, -9.7051786402e-03, -9.5248076455e-03, -8.6723936320e-03, -7.6470116428e-03},
      {-4.5971150878e-05, 1.5013679113e-05,  1.0017296837e-05,  -8.8545331229e-05, -2.4734642414e-04},
      {-9.2929315383e-04, -8.5630857717e-04, -7.9267917749e-04, -7.3640325063e-04, -6.8584748554e-04}
    };
    const double tm[3] = {1e-3, 5e-3, 15e-3};
    PetscReal    a[15];
    for (int i = 0; i < 5; i++) a[3 * i] = -0.01 + 0.005 * i, a[3 * i + 1] = 0, a[3 * i + 2] = 0.015;
    for (int k = 0; k < 3; k++) {
      PetscCall(PhiAt(par, 3, mu, 5, a, tm[k], phi));
      for (int i = 0; i < 5; i++) PetscCall(ExpectClose("three-fibre MU phi", phi[i], w[k][i], 5e-10, 0));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* phi(v, t) = phi(v', t v / v'), symmetry of a centred fibre, anisotropic closed form. */
static PetscErrorCode TestProperties(const SemgCCSParams *par)
{
  SemgFibre      F = FibreF(), G;
  PetscReal      e[30], a[10 * 200], b[10 * 200], amax = 0, dmax = 0;
  const PetscInt nt = 200;

  PetscFunctionBeginUser;
  for (int i = 0; i < 10; i++) e[3 * i] = -0.03 + 0.006 * i, e[3 * i + 1] = 0.001 * i, e[3 * i + 2] = 0.012;
  G    = F;
  G.cv = 3.0;
  PetscCall(PetscArrayzero(a, 10 * nt));
  PetscCall(PetscArrayzero(b, 10 * nt));
  PetscCall(SemgCCSPotentialAdd(par, 1, &F, 10, e, nt, 0, 1e-4, a));
  PetscCall(SemgCCSPotentialAdd(par, 1, &G, 10, e, nt, 0, 1e-4 * 4.5 / 3.0, b));
  for (int i = 0; i < 10 * nt; i++) amax = fmax(amax, fabs(a[i])), dmax = fmax(dmax, fabs(a[i] - b[i]));
  PetscCall(ExpectClose("time scaling phi(v,t) = phi(v',tv/v') (max diff / max|phi|)", dmax / amax, 0, 1e-14, 1));
  printf("time scaling phi(4.5, t) vs phi(3, 1.5 t): max diff / max |phi| = %.2e\n", dmax / amax);

  { /* centred fibre: IP at L/2, electrodes mirrored about the IP */
    SemgFibre C    = {-0.05, 0.001, -0.01, 0.05, 0.1, 4.0, 0, 0};
    PetscReal m[6] = {-0.013, 0, 0, 0.013, 0, 0}, p[2 * 100];
    PetscCall(PetscArrayzero(p, 200));
    PetscCall(SemgCCSPotentialAdd(par, 1, &C, 2, m, 100, 0, 2e-4, p));
    amax = dmax = 0;
    for (int k = 0; k < 100; k++) amax = fmax(amax, fabs(p[k])), dmax = fmax(dmax, fabs(p[k] - p[100 + k]));
    PetscCall(ExpectClose("centred fibre: phi(-x) = phi(x)", dmax / amax, 0, 1e-13, 1));
    printf("centred fibre symmetry: max diff / max |phi| = %.2e\n", dmax / amax);
  }
  { /* anisotropic medium = isotropic medium with transverse coordinates scaled by sqrt(Ra), divided by sigma_T */
    SemgCCSParams an = *par;
    SemgFibre     S  = F;
    PetscReal     es[30], c[10 * 50];
    const double  Ra = 5.0, sT = 0.1;
    an.anisotropic = PETSC_TRUE, an.sigma_long = Ra * sT, an.sigma_trans = sT;
    S.oy = F.oy * sqrt(Ra), S.oz = F.oz * sqrt(Ra);
    for (int i = 0; i < 10; i++) es[3 * i] = e[3 * i], es[3 * i + 1] = e[3 * i + 1] * sqrt(Ra), es[3 * i + 2] = e[3 * i + 2] * sqrt(Ra);
    PetscCall(PetscArrayzero(a, 10 * 50));
    PetscCall(PetscArrayzero(c, 10 * 50));
    PetscCall(SemgCCSPotentialAdd(&an, 1, &F, 10, e, 50, 0, 2e-4, a));
    PetscCall(SemgCCSPotentialAdd(par, 1, &S, 10, es, 50, 0, 2e-4, c));
    amax = dmax = 0;
    for (int i = 0; i < 500; i++) amax = fmax(amax, fabs(a[i])), dmax = fmax(dmax, fabs(a[i] - c[i] / sT));
    PetscCall(ExpectClose("anisotropic = scaled isotropic / sigma_T", dmax / amax, 0, 1e-13, 1));
    printf("anisotropic medium vs scaled isotropic: max diff / max |phi| = %.2e\n", dmax / amax);
    /* closed form of spec volume-conductor 8.1: 1 A at depth 5 mm, infinite medium = half the half-space values */
    {
      const double pts[3][2] =
        {
          {0,     0    },
          {0.010, 0    },
          {0,     0.005}
      },
                   half[3] = {142.3525086834, 106.1032953946, 100.6584242090};
      an.sigma_long = 0.5, an.sigma_trans = 0.1;
      for (int i = 0; i < 3; i++) {
        const double dx = pts[i][0], dy = pts[i][1], dz = 0.005;
        const double model = 1.0 / (an.sigma_trans * sqrt(dx * dx + (an.sigma_long / an.sigma_trans) * (dy * dy + dz * dz)));
        /* semg's model units drop 4 pi: phi_SI = phi_model / (4 pi) */
        PetscCall(ExpectClose("infinite anisotropic closed form (volts)", model / (4 * PETSC_PI), half[i] / 2, 1e-10, 0));
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Analytic tangents: spec 12 table and central finite differences. */
static PetscErrorCode TestDerivatives(const SemgCCSParams *par0)
{
  const SemgFibre F       = FibreF();
  const double    ts[4]   = {0.3e-3, 2e-3, 6e-3, 13e-3};
  const double    w[4][4] = {
       {1.4635597715e-02,  -1.9299060416e+00, -5.7897181248e-04, -2.7472476618e-01},
       {-1.4763164658e-03, 8.3230299904e-01,  1.6646059981e-03,  -1.0419892239e-02},
       {8.3417896250e-05,  -7.9282804070e-03, -4.7569682442e-05, 1.4284093915e-03 },
       {-1.6445889263e-04, -1.7245797179e+00, -2.2419536333e-02, 1.7998638214e-02 }
  };
  PetscReal e[3]  = {0, 0, 0.01};
  double    worst = 0;

  PetscFunctionBeginUser;
  for (int k = 0; k < 4; k++) {
    PetscReal phi, dx, dy, dz, dv, dt0, *ds[3] = {&dx, &dy, &dz};
    PetscCall(SemgCCSPotentialTangents(par0, 1, &F, 1, e, 1, -ts[k], 1.0, &phi, ds, &dv, &dt0));
    PetscCall(ExpectClose("tangent table: phi", phi, w[k][0], 5e-10, 0));
    PetscCall(ExpectClose("tangent table: dphi/ds", -dt0 / F.cv, w[k][1], 5e-10, 0));
    PetscCall(ExpectClose("tangent table: dphi/dv", dv, w[k][2], 5e-10, 0));
    PetscCall(ExpectClose("tangent table: dphi/ddelta (rigid)", dx, w[k][3], 5e-10, 0));
  }
  /* central differences on a rotated multi-fibre MU, several electrodes and times, both CCS variants */
  for (int variant = 0; variant < 2; variant++) {
    SemgCCSParams   par   = *par0;
    const SemgFibre mu[3] = {
      {-0.06,  0.002,  -0.004, 0.058, 0.12,  4.0, 0.05,  0.02},
      {-0.055, -0.003, 0.001,  0.05,  0.115, 4.2, 0,     0   },
      {-0.062, 0,      -0.008, 0.065, 0.125, 3.9, -0.03, 0   }
    };
    PetscReal       el[9] = {-0.012, 0.001, 0.015, 0.003, -0.002, 0.014, 0.02, 0.004, 0.016};
    const PetscInt  nt    = 37;
    const PetscReal dt = 4.1e-4, t0 = 1.3e-4;
    PetscReal       phi[3 * 37], d[5][3 * 37], *ds[3] = {d[0], d[1], d[2]};
    par.charge_conserving = (PetscBool)variant;
    PetscCall(SemgCCSPotentialTangents(&par, 3, mu, 3, el, nt, t0, dt, phi, ds, d[3], d[4]));
    for (int q = 0; q < 5; q++) {
      const double h = q < 3 ? 1e-7 : (q == 3 ? 1e-6 : 1e-8);
      SemgFibre    p[3], m[3];
      PetscReal    fp[3 * 37], fm[3 * 37], t0p = t0, t0m = t0;
      for (int i = 0; i < 3; i++) {
        p[i] = mu[i], m[i] = mu[i];
        if (q == 0) p[i].ox += h, m[i].ox -= h;
        if (q == 1) p[i].oy += h, m[i].oy -= h;
        if (q == 2) p[i].oz += h, m[i].oz -= h;
        if (q == 3) p[i].cv += h, m[i].cv -= h;
      }
      if (q == 4) t0p += h, t0m -= h;
      PetscCall(SemgCCSPotentialTangents(&par, 3, p, 3, el, nt, t0p, dt, fp, NULL, NULL, NULL));
      PetscCall(SemgCCSPotentialTangents(&par, 3, m, 3, el, nt, t0m, dt, fm, NULL, NULL, NULL));
      for (int i = 0; i < 3 * nt; i++) {
        const double fd = (fp[i] - fm[i]) / (2 * h), an = d[q][i];
        const double rel = fabs(fd - an) / (fabs(fd) + fabs(an) + 1e-6);
        /* skip samples within one step of a kink (generation/extinction), where FD straddles it */
        if (rel > 1e-6 && fabs(fd - an) > 1e-9) {
          /* a kink straddle shows up as a mismatch of one-sided differences */
          const double fdp = (fp[i] - phi[i]) / h, fdm = (phi[i] - fm[i]) / h;
          if (fabs(fdp - fdm) > 10 * fabs(fd - an)) continue;
        }
        if (fabs(fd - an) > 1e-9) worst = fmax(worst, rel);
      }
    }
  }
  PetscCall(ExpectClose("tangents vs central differences (worst rel error)", worst, 0, 1e-6, 1));
  printf("derivative check: worst relative error %.2e (threshold 1e-6)\n", worst);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestGenerators(void)
{
  SemgMotorUnitSpec mu;
  SemgFiringSpec    fs;
  SemgFibre         f;
  const PetscReal   u[5]  = {0.25, 0.64, 0.125, 0.8, 0.1};
  PetscInt          total = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgMotorUnitSpecDefault(&mu));
  mu.iz[0] = mu.iz[1] = mu.iz[2] = 0;
  mu.iz_spread = 0.02, mu.radius = 17.8412411615e-3, mu.tendon_left = mu.tendon_right = 0.075, mu.tendon_spread_left = mu.tendon_spread_right = 0.005;
  SemgMerlettiFibre(&mu, u, &f);
  PetscCall(ExpectClose("Merletti worked example IP", f.ip, 0.0685, 1e-12, 0));
  PetscCall(ExpectClose("Merletti worked example L", f.length, 0.1465, 1e-12, 0));
  PetscCall(ExpectClose("Merletti worked example o_x", f.ox, -0.0735, 1e-12, 0));
  PetscCall(ExpectClose("Merletti worked example o_y", f.oy, 0.01009253, 1e-6, 0));
  PetscCall(ExpectClose("Merletti worked example o_z", f.oz, 0.01009253, 1e-6, 0));
  for (PetscInt i = 0; i < 774; i++) total += SemgPoolFibreCount(i, 774);
  PetscCall(ExpectClose("pool n(0)", SemgPoolFibreCount(0, 774), 21, 0, 1));
  PetscCall(ExpectClose("pool n(400)", SemgPoolFibreCount(400, 774), 315, 0, 1));
  PetscCall(ExpectClose("pool n(773)", SemgPoolFibreCount(773, 774), 3934, 0, 1));
  PetscCall(ExpectClose("pool total fibres", total, 579998, 0, 1));
  PetscCall(ExpectClose("pool mean CV of MU 400", SemgPoolMeanCV(400, 774), 4.00065, 1e-6, 0));
  PetscCall(SemgFiringSpecDefault(&fs));
  PetscCall(ExpectClose("recruitment threshold MU 0", SemgRecruitmentThreshold(&fs, 0), 0.01, 1e-10, 0));
  PetscCall(ExpectClose("recruitment threshold MU 400", SemgRecruitmentThreshold(&fs, 400), 0.0962740046, 1e-9, 0));
  PetscCall(ExpectClose("recruitment threshold MU 773", SemgRecruitmentThreshold(&fs, 773), 0.7954835705, 1e-9, 0));
  {
    const PetscInt  mus[3]    = {0, 400, 773};
    const PetscReal at_rec[3] = {5.0820, 5.9556, 24.0198}, at_one[3] = {42.9000, 42.0373, 35.0452};
    for (int i = 0; i < 3; i++) {
      PetscCall(ExpectClose("firing rate at recruitment", SemgFiringRate(&fs, mus[i], SemgRecruitmentThreshold(&fs, mus[i])), at_rec[i], 2e-5, 0));
      PetscCall(ExpectClose("firing rate at CD = 1", SemgFiringRate(&fs, mus[i], 1.0), at_one[i], 2e-5, 0));
    }
    PetscCall(ExpectClose("ISI variation at recruitment", SemgISIVariation(&fs, 0, SemgRecruitmentThreshold(&fs, 0)), 0.30, 1e-12, 0));
  }
  {
    PetscReal x[3 * 4] = {1, -1, 1, -1, 1, 1, -1, -1, 1.5, -1.5, 1.5, -1.5};
    PetscCall(ExpectClose("noise sigma: median over channels (spec 9)", SemgNoiseSigma(3, 4, 20.0, x), 0.1, 1e-14, 0));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Random123 known-answer vectors (kat_vectors, philox4x32 10 rounds) and order independence. */
static PetscErrorCode TestRng(void)
{
  SemgRng        r, a, b;
  const uint32_t want0[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  const uint32_t wantF[4] = {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
  double         x1, x2;

  PetscFunctionBeginUser;
  SemgRngInit(&r, 0, 0, 0);
  for (int i = 0; i < 4; i++) PetscCall(ExpectClose("Philox4x32-10 KAT (zero)", SemgRngUint32(&r), want0[i], 0, 1));
  SemgRngInit(&r, 0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffu);
  r.ctr[3] = 0xffffffffu;
  for (int i = 0; i < 4; i++) PetscCall(ExpectClose("Philox4x32-10 KAT (all ones)", SemgRngUint32(&r), wantF[i], 0, 1));
  /* a draw depends only on (seed, sample, stream): sample 7 gives the same value whether drawn first or last */
  SemgRngInit(&a, 42, 7, SEMG_STREAM_NOISE);
  x1 = SemgRngNormal(&a);
  for (int s = 0; s < 20; s++) {
    SemgRngInit(&b, 42, (uint64_t)s, SEMG_STREAM_NOISE);
    (void)SemgRngNormal(&b);
  }
  SemgRngInit(&b, 42, 7, SEMG_STREAM_NOISE);
  x2 = SemgRngNormal(&b);
  PetscCall(ExpectClose("RNG draw independent of processing order", x1, x2, 0, 1));
  {
    double m = 0, v = 0;
    SemgRngInit(&r, 3, 0, 1);
    for (int i = 0; i < 100000; i++) {
      const double z = SemgRngNormal(&r);
      m += z, v += z * z;
    }
    m /= 100000, v = v / 100000 - m * m;
    PetscCall(ExpectClose("normal mean ~ 0 (100000 draws)", m, 0, 0.01, 1));
    PetscCall(ExpectClose("normal variance ~ 1", v, 1, 0.02, 0));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  SemgCCSParams par;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(TestSections(&par));
  PetscCall(TestSourcesAndMonopole(&par));
  PetscCall(TestPotentials(&par));
  PetscCall(TestProperties(&par));
  PetscCall(TestDerivatives(&par));
  PetscCall(TestGenerators());
  PetscCall(TestRng());
  PetscCall(SemgTestReport());
  PetscCall(PetscFinalize());
  return SemgTestFailures() ? 1 : 0;
}
