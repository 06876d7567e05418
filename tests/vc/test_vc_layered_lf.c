static char help[] = "Tabulated three-layer lead field (sim/vc/layeredtable.c) against the polar quadrature, its\n"
                     "half-space limits, and the effect of a fat layer on MUAPs.\n"
                     "  -case accuracy|limits|fat|all  -points N  -per_depth q  -pad p  -tol_sd t  -tol_mono t\n";

#include <string.h>
#include <petscsys.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/vc/layered.h"
#include "sim/vc/leadfield.h"

/* (1) G from the table at random sources vs the quadrature, two electrodes 5 mm apart along the fibres.
   SD errors are relative to the largest |SD| of the set (SD crosses zero, a pointwise ratio would not). */
static PetscReal xmax_acc = 0.025;

static PetscErrorCode TestAccuracy(PetscInt npts, PetscReal per_depth, PetscReal pad, PetscReal tol_sd, PetscReal tol_mono, PetscInt *nfail)
{
  SemgTissue           t;
  SemgLayeredTableSpec spec;
  SemgLeadfield        lf;
  SemgLayeredTable     tab;
  SemgRng              rng;
  const PetscReal      ex[6] = {0, 0, 0, 5e-3, 0, 0};
  PetscReal            emono = 0, esd = 0, sdmax = 0, h, dd;
  PetscInt             n[3], fft[2];
  size_t               bytes;

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t)); /* set A: 0.5 / 0.1 / 0.05 / 1.0, fat 3 mm, skin 1 mm */
  PetscCall(SemgLayeredTableSpecDefault(&spec));
  spec.xmax = xmax_acc, spec.ymax = 0.012, spec.dmin = 2e-3, spec.dmax = 12e-3, spec.per_depth = per_depth, spec.pad = pad;
  PetscCall(SemgLeadfieldCreateLayered(&t, &spec, 2, ex, &lf));
  PetscCall(SemgLeadfieldGetLayeredTable(lf, &tab));
  PetscCall(SemgLayeredTableGetInfo(tab, n, &h, &dd, &bytes, fft));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "table %d x %d x %d, h = dd = %.4f mm, FFT box %d x %d, %.2f MB\n", (int)n[0], (int)n[1], (int)n[2], (double)(h * 1e3), (int)fft[0], (int)fft[1], (double)(bytes / 1e6)));
  SemgRngInit(&rng, 7, 0, SEMG_STREAM_PARAMS);
  for (PetscInt i = 0; i < npts; i++) {
    const PetscReal d = SemgRngUniformRange(&rng, spec.dmin, spec.dmax), xs = SemgRngUniformRange(&rng, -0.02, 0.02), ys = SemgRngUniformRange(&rng, -0.012, 0.012);
    const PetscReal p[3] = {xs, ys, -(d + t.fat_thickness + t.skin_thickness)};
    PetscReal       g[2], q[2];

    PetscCall(SemgLeadfieldEvalAll(lf, p, g));
    for (PetscInt e = 0; e < 2; e++) PetscCall(SemgLayeredSurfacePotential(&t, d, ex[3 * e] - xs, ex[3 * e + 1] - ys, &q[e]));
    emono = PetscMax(emono, PetscMax(PetscAbsReal(g[0] - q[0]) / q[0], PetscAbsReal(g[1] - q[1]) / q[1]));
    esd   = PetscMax(esd, PetscAbsReal((g[0] - g[1]) - (q[0] - q[1])));
    sdmax = PetscMax(sdmax, PetscAbsReal(q[0] - q[1]));
  }
  esd /= sdmax;
  { /* the spec 8.1 reference values of the three-layer potential (set A, d = 5 mm) */
    const PetscReal src[3] = {0, 0, -(5e-3 + t.fat_thickness + t.skin_thickness)}, el[12] = {0, 0, 0, 10e-3, 0, 0, 0, 5e-3, 0, 20e-3, 10e-3, 0};
    const PetscReal ref[4] = {62.3590189560, 55.8881798793, 58.0803289057, 39.5068381109};
    PetscReal       g[4], eref = 0;

    SemgLayeredTableEvalAll(tab, src, 4, el, g);
    for (PetscInt e = 0; e < 4; e++) eref = PetscMax(eref, PetscAbsReal(g[e] - ref[e]) / ref[e]);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "spec 8.1 three-layer values (0,0) (10,0) (0,5) (20,10) mm: %.6f %.6f %.6f %.6f, max rel. error %.1e (tol %.0e)  %s\n", (double)g[0], (double)g[1], (double)g[2], (double)g[3], (double)eref, (double)tol_mono, eref <= tol_mono ? "ok" : "FAIL"));
    if (!(eref <= tol_mono)) (*nfail)++;
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d random sources (d 2..12 mm, |x| <= 25 mm, |y| <= 12 mm): max rel. error mono %.2e (tol %.0e), SD %.2e of max |SD| (tol %.0e)  %s\n", (int)npts, (double)emono, (double)tol_mono, (double)esd, (double)tol_sd, emono <= tol_mono && esd <= tol_sd ? "ok" : "FAIL"));
  if (!(emono <= tol_mono && esd <= tol_sd)) (*nfail)++;
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A 20-fibre MU at (0, 0, -z) with the IZ at x = 0, fibres along x; 16 electrodes 5 mm apart. */
static PetscErrorCode TestMU(PetscReal z, SemgFibre f[20], PetscReal ex[48])
{
  SemgRng rng;

  PetscFunctionBeginUser;
  SemgRngInit(&rng, 3, 0, SEMG_STREAM_FIBRES);
  for (PetscInt i = 0; i < 20; i++) {
    const PetscReal r = 2e-3 * PetscSqrtReal(SemgRngUniform(&rng)), a = 2 * PETSC_PI * SemgRngUniform(&rng);
    f[i].ox = -0.05, f[i].oy = r * PetscCosReal(a), f[i].oz = -z + r * PetscSinReal(a);
    f[i].ip = 0.05 + 4e-3 * (SemgRngUniform(&rng) - 0.5), f[i].length = 0.1, f[i].cv = 4.0, f[i].rz = f[i].ry = 0;
  }
  for (PetscInt e = 0; e < 16; e++) ex[3 * e] = (e - 7.5) * 5e-3, ex[3 * e + 1] = 0, ex[3 * e + 2] = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode SpecFor(PetscReal zmu, const SemgTissue *t, SemgLayeredTableSpec *spec)
{
  PetscFunctionBeginUser;
  PetscCall(SemgLayeredTableSpecDefault(spec));
  spec->xmax = 0.1, spec->ymax = 5e-3;
  spec->dmin = zmu - 2.5e-3 - t->fat_thickness - t->skin_thickness;
  spec->dmax = zmu + 2.5e-3 - t->fat_thickness - t->skin_thickness;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscReal MaxRelDiff(PetscInt n, const PetscReal *a, const PetscReal *b)
{
  PetscReal m = 0, e = 0;
  for (PetscInt i = 0; i < n; i++) m = PetscMax(m, PetscAbsReal(b[i])), e = PetscMax(e, PetscAbsReal(a[i] - b[i]));
  return e / m;
}

/* (2) limits: no fat/skin reproduces the half-space lead field; equal isotropic conductivities in all
   layers give the half-space of the full depth (the table path with a vanishing correction). */
static PetscErrorCode TestLimits(PetscInt *nfail)
{
  const PetscInt       nt = 150;
  SemgFibre            f[20];
  PetscReal            ex[48], *a, *b, err[2], tol[2] = {1e-13, 1e-5};
  SemgLeadfield        lf, hs;
  SemgTissue           t;
  SemgLayeredTableSpec spec;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(16 * nt, &a, 16 * nt, &b));
  PetscCall(TestMU(0.012, f, ex));
  for (PetscInt c = 0; c < 2; c++) {
    PetscCall(SemgTissueDefault(&t));
    if (c == 0) t.fat_thickness = t.skin_thickness = 0;
    else t.sigma_long = t.sigma_trans = t.sigma_fat = t.sigma_skin = 0.3;
    PetscCall(SpecFor(0.012, &t, &spec));
    PetscCall(SemgLeadfieldCreateLayered(&t, &spec, 16, ex, &lf));
    PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_HALFSPACE, 16, ex, t.sigma_long, t.sigma_trans, &hs));
    PetscCall(SemgLeadfieldMUAP(lf, 20, f, nt, 2e-4, PETSC_FALSE, a));
    PetscCall(SemgLeadfieldMUAP(hs, 20, f, nt, 2e-4, PETSC_FALSE, b));
    err[c] = MaxRelDiff(16 * nt, a, b);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: MUAP max |layered - halfspace| / max |halfspace| = %.1e (tol %.0e)  %s\n", c ? "sigma 0.3 in every layer, fat 3 mm, skin 1 mm" : "fat = skin = 0, set A muscle", (double)err[c], (double)tol[c], err[c] <= tol[c] ? "ok" : "FAIL"));
    if (!(err[c] <= tol[c])) (*nfail)++;
    PetscCall(SemgLeadfieldDestroy(&lf));
    PetscCall(SemgLeadfieldDestroy(&hs));
  }
  PetscCall(PetscFree2(a, b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* (1b) MUAP-level self-convergence over the whole fibre length (offsets to 100 mm, beyond the reach of
   quick quadrature): the default table (per_depth 8, pad 8) against a finer, wider one (16, 12). */
static PetscErrorCode TestConvergence(PetscReal per_depth, PetscReal pad, PetscReal tol, PetscInt *nfail)
{
  const PetscInt       nt = 150;
  SemgFibre            f[20];
  PetscReal            ex[48], *a, *b, err, sd = 0, sderr = 0;
  SemgLeadfield        lf;
  SemgTissue           t;
  SemgLayeredTableSpec spec;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(16 * nt, &a, 16 * nt, &b));
  PetscCall(SemgTissueDefault(&t));
  PetscCall(TestMU(0.012, f, ex));
  for (PetscInt c = 0; c < 2; c++) {
    PetscCall(SpecFor(0.012, &t, &spec));
    spec.per_depth = c ? 16 : per_depth, spec.pad = c ? 12 : pad;
    PetscCall(SemgLeadfieldCreateLayered(&t, &spec, 16, ex, &lf));
    PetscCall(SemgLeadfieldMUAP(lf, 20, f, nt, 2e-4, PETSC_FALSE, c ? b : a));
    PetscCall(SemgLeadfieldDestroy(&lf));
  }
  err = MaxRelDiff(16 * nt, a, b);
  for (PetscInt e = 0; e < 15; e++)
    for (PetscInt k = 0; k < nt; k++) {
      sd    = PetscMax(sd, PetscAbsReal(b[(e + 1) * nt + k] - b[e * nt + k]));
      sderr = PetscMax(sderr, PetscAbsReal(a[(e + 1) * nt + k] - a[e * nt + k] - b[(e + 1) * nt + k] + b[e * nt + k]));
    }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "MUAP (set A, MU 12 mm deep, 16 electrodes, fibres +-50 mm): table (%g, %g) vs (16, 12): mono %.1e, SD %.1e of max (tol %.0e)  %s\n", (double)per_depth, (double)pad, (double)err, (double)(sderr / sd), (double)tol, err <= tol && sderr <= tol * sd ? "ok" : "FAIL"));
  if (!(err <= tol && sderr <= tol * sd)) (*nfail)++;
  /* the slice constants multiply the total current of a horizontal fibre, which is zero */
  PetscCall(SpecFor(0.012, &t, &spec));
  spec.per_depth = per_depth, spec.pad = pad, spec.fix_constant = PETSC_FALSE;
  PetscCall(SemgLeadfieldCreateLayered(&t, &spec, 16, ex, &lf));
  PetscCall(SemgLeadfieldMUAP(lf, 20, f, nt, 2e-4, PETSC_FALSE, b));
  PetscCall(SemgLeadfieldDestroy(&lf));
  err = MaxRelDiff(16 * nt, b, a);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "MUAP without the quadrature constants: max rel. difference %.1e (tol 1e-12: line sources are charge-neutral)  %s\n", (double)err, err <= 1e-12 ? "ok" : "FAIL"));
  if (!(err <= 1e-12)) (*nfail)++;
  PetscCall(PetscFree2(a, b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Median frequency (Hz) of x (n samples at fs): DTFT power on a 1 Hz grid up to fs / 2 (p: fs / 2 values). */
static PetscReal MedianFrequency(PetscInt n, const PetscReal *x, PetscReal fs, PetscReal *p)
{
  const PetscInt nf    = (PetscInt)(fs / 2);
  PetscReal      total = 0, run = 0;

  for (PetscInt k = 0; k < nf; k++) {
    PetscReal re = 0, im = 0;
    for (PetscInt j = 0; j < n; j++) re += x[j] * PetscCosReal(2 * PETSC_PI * k * j / fs), im -= x[j] * PetscSinReal(2 * PETSC_PI * k * j / fs);
    p[k] = re * re + im * im;
    total += p[k];
  }
  for (PetscInt k = 0; k < nf; k++) {
    run += p[k];
    if (run >= 0.5 * total) return (PetscReal)k;
  }
  return (PetscReal)nf;
}

/* (3) a 3 mm fat layer under 1 mm skin vs skin only, same MU 8 mm below the muscle surface: the fat
   lowers the SD amplitude and its median frequency. */
static PetscErrorCode TestFat(PetscInt *nfail)
{
  const PetscInt       nt = 250;
  const PetscReal      dt = 2e-4, fat[2] = {0, 3e-3};
  SemgFibre            f[20];
  PetscReal            ex[48], *m, sd[2][250], amp[2], mdf[2], pw[2500];
  SemgLeadfield        lf;
  SemgTissue           t;
  SemgLayeredTableSpec spec;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(16 * nt, &m));
  for (PetscInt c = 0; c < 2; c++) {
    PetscCall(SemgTissueDefault(&t));
    t.fat_thickness = fat[c];
    PetscCall(TestMU(8e-3 + t.fat_thickness + t.skin_thickness, f, ex));
    PetscCall(SpecFor(8e-3 + t.fat_thickness + t.skin_thickness, &t, &spec));
    PetscCall(SemgLeadfieldCreateLayered(&t, &spec, 16, ex, &lf));
    PetscCall(SemgLeadfieldMUAP(lf, 20, f, nt, dt, PETSC_FALSE, m));
    /* SD of electrodes 11 and 10 (x = 17.5 and 12.5 mm): the propagating part, 15 mm from the IZ */
    amp[c] = 0;
    for (PetscInt k = 0; k < nt; k++) sd[c][k] = m[11 * nt + k] - m[10 * nt + k], amp[c] = PetscMax(amp[c], PetscAbsReal(sd[c][k]));
    mdf[c] = MedianFrequency(nt, sd[c], 1.0 / dt, pw);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "fat %.0f mm, skin 1 mm, MU 8 mm into the muscle: SD peak %.4f uV, MDF %.1f Hz\n", (double)(fat[c] * 1e3), (double)(amp[c] * 1e6), (double)mdf[c]));
    PetscCall(SemgLeadfieldDestroy(&lf));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "fat 3 mm / no fat: SD amplitude ratio %.3f, MDF drop %.1f Hz  %s\n", (double)(amp[1] / amp[0]), (double)(mdf[0] - mdf[1]), amp[1] < amp[0] && mdf[1] < mdf[0] ? "ok" : "FAIL"));
  if (!(amp[1] < amp[0] && mdf[1] < mdf[0])) (*nfail)++;
  PetscCall(PetscFree(m));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  char      which[16] = "all";
  PetscInt  nfail = 0, npts = 12;
  PetscReal per_depth = 12, pad = 3, tol_sd = 1e-4, tol_mono = 1e-4;
  PetscBool all;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-case", which, sizeof(which), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-points", &npts, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-per_depth", &per_depth, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-pad", &pad, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-xmax", &xmax_acc, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-tol_sd", &tol_sd, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-tol_mono", &tol_mono, NULL));
  all = (PetscBool)!strcmp(which, "all");
  if (all || !strcmp(which, "accuracy")) PetscCall(TestAccuracy(npts, per_depth, pad, tol_sd, tol_mono, &nfail));
  if (all || !strcmp(which, "accuracy")) PetscCall(TestConvergence(per_depth, pad, tol_sd, &nfail));
  if (all || !strcmp(which, "limits")) PetscCall(TestLimits(&nfail));
  if (all || !strcmp(which, "fat")) PetscCall(TestFat(&nfail));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n", nfail ? "FAILED" : "all ok"));
  PetscCall(PetscFinalize());
  return nfail ? 1 : 0;
}
