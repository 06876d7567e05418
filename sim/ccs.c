/* Concentrated-current-source model (spec forward-model-ccs.md).
   The arithmetic follows the reference implementation's order of operations where the spec gives it
   (section current, clipping, positions), so results agree with it to rounding. */
#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "sim/ccs.h"

PetscErrorCode SemgCCSParamsDefault(SemgCCSParams *par)
{
  PetscFunctionBeginUser;
  par->a                 = 96.0;
  par->lambda            = 1000.0;
  par->zmax              = 14e-3;
  par->resistance_sum    = 1.0;
  par->charge_conserving = PETSC_FALSE;
  par->anisotropic       = PETSC_FALSE;
  par->sigma_long        = 1.0;
  par->sigma_trans       = 1.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The one place where the CCS constants are read from the options database. */
PetscErrorCode SemgCCSParamsSetFromOptions(SemgCCSParams *par, const char prefix[])
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(PETSC_COMM_WORLD, prefix, "CCS forward model (forward-model-ccs.md)", "semg");
  PetscCall(PetscOptionsReal("-ccs_a", "Rosenfalck amplitude a (model units)", "SemgCCSParams", par->a, &par->a, NULL));
  PetscCall(PetscOptionsReal("-ccs_lambda", "Rosenfalck lambda (1/m)", "SemgCCSParams", par->lambda, &par->lambda, NULL));
  PetscCall(PetscOptionsReal("-ccs_zmax", "AP support Z (m); fixed, does not scale with lambda", "SemgCCSParams", par->zmax, &par->zmax, NULL));
  PetscCall(PetscOptionsReal("-ccs_resistance_sum", "R_e + R_i (model units)", "SemgCCSParams", par->resistance_sum, &par->resistance_sum, NULL));
  PetscCall(PetscOptionsBool("-ccs_charge_conserving", "add kink and sealed-end currents (charge-conserving CCS)", "SemgCCSParams", par->charge_conserving,
                             &par->charge_conserving, NULL));
  PetscCall(PetscOptionsBool("-ccs_anisotropic", "infinite anisotropic medium (sigma along x / across)", "SemgCCSParams", par->anisotropic, &par->anisotropic, NULL));
  PetscCall(PetscOptionsReal("-ccs_sigma_long", "conductivity along the muscle axis x (with -ccs_anisotropic)", "SemgCCSParams", par->sigma_long, &par->sigma_long, NULL));
  PetscCall(
    PetscOptionsReal("-ccs_sigma_trans", "conductivity across the muscle axis (with -ccs_anisotropic)", "SemgCCSParams", par->sigma_trans, &par->sigma_trans, NULL));
  PetscOptionsEnd();
  PetscCheck(par->lambda > 0 && par->zmax > 0 && par->resistance_sum > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-ccs_lambda, -ccs_zmax and -ccs_resistance_sum must be > 0");
  PetscCheck(par->sigma_long > 0 && par->sigma_trans > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-ccs_sigma_long and -ccs_sigma_trans must be > 0");
  PetscCheck((3.0 + PetscSqrtReal(3.0)) / par->lambda < par->zmax, PETSC_COMM_WORLD, SEMG_ERR_USER, "-ccs_zmax %g must exceed the second section bound (3+sqrt 3)/lambda = %g",
             (double)par->zmax, (double)((3.0 + PetscSqrtReal(3.0)) / par->lambda));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* V'(z) / a and V''(z) / a of the Rosenfalck profile, given e = exp(-lam z). */
static inline PetscReal RosenfalckD1(PetscReal lam, PetscReal z, PetscReal e)
{
  return (3.0 * z * z - lam * z * z * z) * e;
}
static inline PetscReal RosenfalckD2(PetscReal lam, PetscReal z, PetscReal e)
{
  return z * (6.0 - 6.0 * lam * z + lam * lam * z * z) * e;
}

/* Current, centroid and (optionally) their partial derivatives w.r.t. the bounds, given
   eg = exp(-lam g), eb = exp(-lam b) (one exponential per bound, shared by the two sections that
   meet there). Returns 0 when the section has vanished (width <= 0): no source. */
static int SectionEval(const SemgCCSParams *par, PetscReal g, PetscReal b, PetscReal eg, PetscReal eb, PetscReal *cur, PetscReal *zbar, PetscReal *dI_db, PetscReal *dI_dg, PetscReal *dz_db, PetscReal *dz_dg)
{
  const PetscReal lam = par->lambda, scale = par->a / par->resistance_sum;
  PetscReal       Gb, Gg;

  if (!(b > g)) return 0;
  Gb = (3.0 * b * b - lam * b * b * b) * eb;
  Gg = (3.0 * g * g - lam * g * g * g) * eg;
  /* I = a/(R) [G(b) - G(g)] in the reference's order: g^2 (lam g - 3) e_g - b^2 (lam b - 3) e_b */
  *cur = scale * (g * g * (lam * g - 3.0) * eg - b * b * (lam * b - 3.0) * eb);
  if (b - g < 1e-9) {
    *zbar = 0.5 * (g + b);
    if (dz_db) *dz_db = 0.5, *dz_dg = 0.5;
  } else {
    /* centroid [F(b) - F(g)] / [G(b) - G(g)], F(z) = (2z^3 - lam z^4) e^(-lam z); the reference scales both
       by e^(lam (g + b)): identical to rounding (spec 3.2) */
    const PetscReal num = (2.0 * b * b * b - lam * b * b * b * b) * eb - (2.0 * g * g * g - lam * g * g * g * g) * eg;
    *zbar               = num / (Gb - Gg);
    if (dz_db) {
      *dz_db = RosenfalckD2(lam, b, eb) * (b - *zbar) / (Gb - Gg);
      *dz_dg = RosenfalckD2(lam, g, eg) * (*zbar - g) / (Gb - Gg);
    }
  }
  if (dI_db) {
    *dI_db = scale * RosenfalckD2(lam, b, eb);
    *dI_dg = -scale * RosenfalckD2(lam, g, eg);
  }
  return 1;
}

void SemgCCSSection(const SemgCCSParams *par, PetscReal gamma, PetscReal beta, PetscReal *cur, PetscReal *zbar)
{
  if (!SectionEval(par, gamma, beta, exp(-par->lambda * gamma), exp(-par->lambda * beta), cur, zbar, NULL, NULL, NULL, NULL)) {
    *cur  = 0.0;
    *zbar = 0.5 * (gamma + beta);
  }
}

/* Clipped AP-local bound (spec 4.1, reference form); *clipped tells whether d z_eff / ds = 1. */
static inline PetscReal ClipLeft(PetscReal z, PetscReal ip, PetscReal s, int *clipped)
{
  PetscReal xi = (z + ip) - s;
  *clipped     = 0;
  if (xi >= ip) xi = ip, *clipped = 1;
  if (xi <= 0.0) xi = 0.0, *clipped = 1;
  return (xi - ip) + s;
}

static inline PetscReal ClipRight(PetscReal z, PetscReal ip, PetscReal len, PetscReal s, int *clipped)
{
  PetscReal xi = (-z + ip) + s;
  *clipped     = 0;
  if (xi <= ip) xi = ip, *clipped = 1;
  if (xi >= len) xi = len, *clipped = 1;
  return (-xi + ip) + s;
}

static inline void FibreDirection(const SemgFibre *f, PetscReal d[3])
{
  d[0] = cos(f->rz) * cos(f->ry);
  d[1] = sin(f->rz) * cos(f->ry);
  d[2] = -sin(f->ry);
}

static inline void AddSource(SemgCCSSources *src, const SemgFibre *f, const PetscReal d[3], PetscReal cur, PetscReal xi, PetscReal dI_ds, PetscReal dxi_ds)
{
  PetscInt n      = src->n++;
  src->current[n] = cur;
  src->p[n][0]    = d[0] * xi + f->ox;
  src->p[n][1]    = d[1] * xi + f->oy;
  src->p[n][2]    = d[2] * xi + f->oz;
  src->dI_ds[n]   = dI_ds;
  for (int c = 0; c < 3; c++) src->dp_ds[n][c] = d[c] * dxi_ds;
}

/* Kink and sealed-end currents of one AP (charge-conserving option, spec 4.4). side = -1 left, +1 right. */
static void AddConservingTerms(const SemgCCSParams *par, const SemgFibre *f, const PetscReal d[3], PetscReal s, int side, SemgCCSSources *src)
{
  const PetscReal lam = par->lambda, scale = par->a / par->resistance_sum;
  const PetscReal ell = side < 0 ? f->ip : f->length - f->ip;
  const PetscReal lo = PetscMax(0.0, s - ell), hi = PetscMin(s, par->zmax);

  if (!(lo < hi)) return;
  /* front/IP term at z = hi, AP-local z maps to xi = IP + side*(s - z) */
  {
    const PetscReal eh    = exp(-lam * hi);
    const PetscReal cur   = -scale * RosenfalckD1(lam, hi, eh);
    const PetscReal dI_ds = s < par->zmax ? -scale * RosenfalckD2(lam, hi, eh) : 0.0;
    const PetscReal xi    = side < 0 ? (hi + f->ip) - s : (-hi + f->ip) + s;
    const PetscReal dxi   = s < par->zmax ? 0.0 : (PetscReal)side;
    AddSource(src, f, d, cur, xi, dI_ds, dxi);
  }
  if (lo > 0.0) { /* sealed end at xi = 0 (left) or L (right) */
    const PetscReal el    = exp(-lam * lo);
    const PetscReal cur   = scale * RosenfalckD1(lam, lo, el);
    const PetscReal dI_ds = scale * RosenfalckD2(lam, lo, el);
    AddSource(src, f, d, cur, side < 0 ? 0.0 : f->length, dI_ds, 0.0);
  }
}

void SemgCCSFibreSources(const SemgCCSParams *par, const SemgFibre *f, PetscReal s, PetscBool want_tangents, SemgCCSSources *src)
{
  const PetscReal lam = par->lambda;
  PetscReal       zb[4], ezb[4], d[3];

  /* unclipped bounds are the constants z_k (to rounding): their exponentials are shared */
  zb[0]  = 0.0;
  zb[1]  = (3.0 - sqrt(3.0)) / lam;
  zb[2]  = (3.0 + sqrt(3.0)) / lam;
  zb[3]  = par->zmax;
  ezb[0] = 1.0;
  ezb[1] = exp(-(3.0 - sqrt(3.0)));
  ezb[2] = exp(-(3.0 + sqrt(3.0)));
  ezb[3] = exp(-lam * par->zmax);
  FibreDirection(f, d);
  src->n = 0;
  for (int side = -1; side <= 1; side += 2) {
    PetscReal ze[4], ee[4];
    int       cl[4];
    for (int k = 0; k < 4; k++) {
      ze[k] = side < 0 ? ClipLeft(zb[k], f->ip, s, &cl[k]) : ClipRight(zb[k], f->ip, f->length, s, &cl[k]);
      ee[k] = cl[k] ? exp(-lam * ze[k]) : ezb[k];
    }
    for (int k = 1; k < 4; k++) {
      PetscReal cur, zbar, dI_db = 0, dI_dg = 0, dz_db = 0, dz_dg = 0, dI_ds = 0, dxi_ds = 0;
      if (!SectionEval(par, ze[k - 1], ze[k], ee[k - 1], ee[k], &cur, &zbar, want_tangents ? &dI_db : NULL, &dI_dg, want_tangents ? &dz_db : NULL, &dz_dg))
        continue;
      if (want_tangents) {
        const PetscReal db = cl[k] ? 1.0 : 0.0, dg = cl[k - 1] ? 1.0 : 0.0;
        const PetscReal dz = dz_db * db + dz_dg * dg;
        dI_ds              = dI_db * db + dI_dg * dg;
        dxi_ds             = side < 0 ? -1.0 + dz : 1.0 - dz;
      }
      AddSource(src, f, d, cur, side < 0 ? (zbar + f->ip) - s : (-zbar + f->ip) + s, dI_ds, dxi_ds);
    }
    if (par->charge_conserving) AddConservingTerms(par, f, d, s, side, src);
  }
}

/* Distance metric: isotropic r, or the anisotropic equivalent whose 1/r gives the infinite
   anisotropic medium with 4*pi dropped (model units, isotropic sigma = 1 gives exactly 1/r). */
typedef struct {
  PetscReal wx, wyz, amp; /* r_eff^2 = wx dx^2 + wyz (dy^2 + dz^2), phi = amp * cur / r_eff */
} Metric;

static Metric MetricFromParams(const SemgCCSParams *par)
{
  Metric m = {1.0, 1.0, 1.0};
  if (par->anisotropic) {
    /* phi = cur / (sqrt(sL sT sT) sqrt(x^2/sL + (y^2+z^2)/sT)) = cur / (sT sqrt(x^2 + Ra (y^2+z^2))) */
    m.wx  = 1.0;
    m.wyz = par->sigma_long / par->sigma_trans;
    m.amp = 1.0 / par->sigma_trans;
  }
  return m;
}

/* Kernel: acc[e] += sum_j I_j / r(p_j, e) for all electrodes. Electrodes are stored as separate
   coordinate arrays so the loop over e vectorises (one sqrt and one division per term). */
static void AccumulateSources(const SemgCCSSources *src, Metric m, PetscInt ne, const PetscReal *restrict ex, const PetscReal *restrict ey, const PetscReal *restrict ez, PetscReal *restrict acc)
{
  for (PetscInt j = 0; j < src->n; j++) {
    const PetscReal px = src->p[j][0], py = src->p[j][1], pz = src->p[j][2], cur = m.amp * src->current[j];
    for (PetscInt e = 0; e < ne; e++) {
      const PetscReal dx = px - ex[e], dy = py - ey[e], dz = pz - ez[e];
      acc[e] += cur / sqrt(m.wx * dx * dx + m.wyz * (dy * dy + dz * dz));
    }
  }
}

static PetscErrorCode ElectrodesSoA(PetscInt ne, const PetscReal *exyz, PetscReal **ex, PetscReal **ey, PetscReal **ez)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(ne, ex, ne, ey, ne, ez));
  for (PetscInt e = 0; e < ne; e++) (*ex)[e] = exyz[3 * e], (*ey)[e] = exyz[3 * e + 1], (*ez)[e] = exyz[3 * e + 2];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCCSPotentialAdd(const SemgCCSParams *par, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *exyz, PetscInt nt, PetscReal t0, PetscReal dt, PetscReal *phi)
{
  PetscReal     *ex, *ey, *ez, *acc;
  SemgCCSSources src;
  const Metric   m = MetricFromParams(par);

  PetscFunctionBeginUser;
  PetscCall(ElectrodesSoA(ne, exyz, &ex, &ey, &ez));
  PetscCall(PetscMalloc1(ne, &acc));
  for (PetscInt k = 0; k < nt; k++) {
    const PetscReal t = t0 + (PetscReal)k * dt;
    PetscCall(PetscArrayzero(acc, ne));
    for (PetscInt i = 0; i < nf; i++) {
      SemgCCSFibreSources(par, &f[i], f[i].cv * t, PETSC_FALSE, &src);
      AccumulateSources(&src, m, ne, ex, ey, ez, acc);
    }
    for (PetscInt e = 0; e < ne; e++) phi[(size_t)e * nt + k] += acc[e];
  }
  PetscCall(PetscFree(acc));
  PetscCall(PetscFree3(ex, ey, ez));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One source's contribution to phi and its tangents at one electrode. */
static inline void SourceTangents(const SemgCCSSources *src, PetscInt j, Metric m, const PetscReal e[3], PetscReal *phi, PetscReal *dphi_ds, PetscReal dshift[3])
{
  const PetscReal dx = src->p[j][0] - e[0], dy = src->p[j][1] - e[1], dz = src->p[j][2] - e[2];
  const PetscReal r2 = m.wx * dx * dx + m.wyz * (dy * dy + dz * dz), r = sqrt(r2), r3 = r2 * r;
  const PetscReal cur = m.amp * src->current[j];
  /* gradient of 1/r_eff w.r.t. the source position, times cur */
  const PetscReal gx = -cur * m.wx * dx / r3, gy = -cur * m.wyz * dy / r3, gz = -cur * m.wyz * dz / r3;

  *phi += cur / r;
  *dphi_ds += m.amp * src->dI_ds[j] / r + gx * src->dp_ds[j][0] + gy * src->dp_ds[j][1] + gz * src->dp_ds[j][2];
  dshift[0] += gx;
  dshift[1] += gy;
  dshift[2] += gz;
}

PetscErrorCode SemgCCSPotentialTangents(const SemgCCSParams *par, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *exyz, PetscInt nt, PetscReal t0, PetscReal dt, PetscReal *phi, PetscReal *d_shift[3], PetscReal *d_v, PetscReal *d_t0)
{
  SemgCCSSources src;
  const Metric   m = MetricFromParams(par);
  PetscReal     *acc; /* per electrode: phi, d/ds summed with weights t and -v, shift x, y, z */

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(6 * (size_t)ne, &acc));
  for (PetscInt k = 0; k < nt; k++) {
    const PetscReal t = (PetscReal)k * dt - t0; /* time since the firing instant t0 */
    PetscCall(PetscArrayzero(acc, 6 * (size_t)ne));
    /* sources once per fibre and time, shared by every electrode */
    for (PetscInt i = 0; i < nf; i++) {
      SemgCCSFibreSources(par, &f[i], f[i].cv * t, PETSC_TRUE, &src);
      for (PetscInt e = 0; e < ne; e++) {
        PetscReal p = 0, dphi_ds = 0, ds[3] = {0, 0, 0};
        for (PetscInt j = 0; j < src.n; j++) SourceTangents(&src, j, m, &exyz[3 * e], &p, &dphi_ds, ds);
        acc[6 * e + 0] += p;
        acc[6 * e + 1] += t * dphi_ds;
        acc[6 * e + 2] -= f[i].cv * dphi_ds;
        acc[6 * e + 3] += ds[0];
        acc[6 * e + 4] += ds[1];
        acc[6 * e + 5] += ds[2];
      }
    }
    for (PetscInt e = 0; e < ne; e++) {
      const size_t o = (size_t)e * nt + k;
      if (phi) phi[o] = acc[6 * e];
      if (d_v) d_v[o] = acc[6 * e + 1];
      if (d_t0) d_t0[o] = acc[6 * e + 2];
      for (int c = 0; c < 3; c++) /* rigid shift moves every source: d phi/d delta = d phi/d p */
        if (d_shift && d_shift[c]) d_shift[c][o] = acc[6 * e + 3 + c];
    }
  }
  PetscCall(PetscFree(acc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCCSCheckGeometry(MPI_Comm comm, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *exyz)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < nf; i++) {
    PetscCheck(f[i].length > 0 && PetscIsNormalReal(f[i].length), comm, SEMG_ERR_USER, "fibre %" PetscInt_FMT ": length %g must be > 0", i,
               (double)f[i].length);
    PetscCheck(f[i].ip >= 0 && f[i].ip <= f[i].length, comm, SEMG_ERR_USER, "fibre %" PetscInt_FMT ": ip %g outside [0, length = %g]", i, (double)f[i].ip,
               (double)f[i].length);
    PetscCheck(f[i].cv > 0 && PetscIsNormalReal(f[i].cv), comm, SEMG_ERR_USER, "fibre %" PetscInt_FMT ": cv %g must be > 0", i, (double)f[i].cv);
    PetscCheck(!PetscIsInfOrNanReal(f[i].ox + f[i].oy + f[i].oz + f[i].rz + f[i].ry), comm, SEMG_ERR_USER, "fibre %" PetscInt_FMT ": non-finite origin or rotation", i);
  }
  for (PetscInt e = 0; e < ne; e++)
    PetscCheck(!PetscIsInfOrNanReal(exyz[3 * e] + exyz[3 * e + 1] + exyz[3 * e + 2]), comm, SEMG_ERR_USER, "electrode %" PetscInt_FMT ": non-finite position", e);
  PetscFunctionReturn(PETSC_SUCCESS);
}
