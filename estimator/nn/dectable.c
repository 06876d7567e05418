/* Tabulated decoder: options, cubic B-spline coefficients, evaluation with analytic derivatives. */
#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/dectable.h"

const char *const SemgDecModels[] = {"ccs", "layered", "halfspace", "vc", "SemgDecModel", "SEMG_DECMODEL_", NULL};

PetscErrorCode SemgDecTableOptionsDefault(SemgDecTableOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->model  = SEMG_DECMODEL_CCS;
  o->h[0]   = 2e-3;   /* m; the error is dominated by v, where the CCS model has kinks (docs/estimator.md) */
  o->h[1]   = 0.005;  /* m/s */
  o->h[2]   = 2.5e-3; /* m */
  o->checks = 200;
  o->max_mb = 256;
  PetscCall(SemgTissueDefault(&o->tissue));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableOptionsSetFromOptions(MPI_Comm comm, SemgDecTableOptions *o)
{
  PetscInt  n = 3;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, "dec_", "Tabulated decoder (any forward model, cubic B-spline in IZ, CV, depth; exact in time)", "SemgDecTable");
  PetscCall(PetscOptionsBool("-table", "decode through a table of the forward model instead of the exact CCS sum", "SemgDecTable", o->use, &o->use, NULL));
  PetscCall(PetscOptionsEnum("-model", "forward model that fills the table", "SemgDecTable", SemgDecModels, (PetscEnum)o->model, (PetscEnum *)&o->model, &set));
  PetscCall(PetscOptionsString("-leadfield", "-dec_model vc: lead-field file of semg leadfield (its electrodes must be the dataset's)", "SemgDecTable", o->leadfield, o->leadfield, sizeof(o->leadfield), NULL));
  PetscCall(PetscOptionsString("-table_cache", "directory of cached tables (HDF5, keyed by a hash of template, model, geometry and grid); empty: no cache", "SemgDecTable", o->cache, o->cache, sizeof(o->cache), NULL));
  PetscCall(PetscOptionsRealArray("-table_h", "node spacing a (m), v (m/s), depth (m)", "SemgDecTable", o->h, &n, NULL));
  PetscCall(PetscOptionsInt("-table_checks", "random latents at which the table is compared with its forward model (accuracy recorded)", "SemgDecTable", o->checks, &o->checks, NULL));
  PetscCall(PetscOptionsReal("-table_max_mb", "largest table per rank (MB); a larger one is refused", "SemgDecTable", o->max_mb, &o->max_mb, NULL));
  PetscCall(PetscOptionsBool("-line_source", "lead-field models: the charge-conserving line source of semg simulate instead of CCS point sources", "SemgDecTable", o->line_source, &o->line_source, NULL));
  PetscCall(SemgTissueOptions(PetscOptionsObject, &o->tissue));
  PetscOptionsEnd();
  PetscCheck(!set || o->use, comm, SEMG_ERR_USER, "-dec_model %s needs -dec_table (the exact decoder is the CCS model)", SemgDecModels[o->model]);
  PetscCheck(o->h[0] > 0 && o->h[1] > 0 && o->h[2] > 0, comm, SEMG_ERR_USER, "-dec_table_h must be three positive spacings (a m, v m/s, depth m)");
  PetscCheck(o->model != SEMG_DECMODEL_VC || o->leadfield[0], comm, SEMG_ERR_USER, "-dec_model vc needs -dec_leadfield FILE (made by semg leadfield)");
  PetscCheck(o->checks >= 0, comm, SEMG_ERR_USER, "-dec_table_checks must be >= 0");
  if (o->model == SEMG_DECMODEL_LAYERED || o->model == SEMG_DECMODEL_HALFSPACE) PetscCall(SemgTissueCheck(comm, &o->tissue));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Uniform cubic B-spline at s = (x - lo)/h on n nodes: interval i (clamped to the last one at the
   upper end), coefficient slots i..i+3, weights w and d/ds weights dw. */
static inline PetscInt BsplineWeights(PetscReal s, PetscInt n, PetscReal w[4], PetscReal dw[4])
{
  PetscInt  i = (PetscInt)floor(s);
  PetscReal t, u;

  if (i > n - 2) i = n - 2;
  if (i < 0) i = 0;
  t     = s - (PetscReal)i;
  u     = 1.0 - t;
  w[0]  = u * u * u / 6.0;
  w[1]  = (3.0 * t * t * t - 6.0 * t * t + 4.0) / 6.0;
  w[2]  = (-3.0 * t * t * t + 3.0 * t * t + 3.0 * t + 1.0) / 6.0;
  w[3]  = t * t * t / 6.0;
  dw[0] = -0.5 * u * u;
  dw[1] = 0.5 * (3.0 * t * t - 4.0 * t);
  dw[2] = 0.5 * (-3.0 * t * t + 2.0 * t + 1.0);
  dw[3] = 0.5 * t * t;
  return i;
}

/* Latent j inside the box; a rounding excess (1e-12 of the width) is moved onto the edge. */
static PetscErrorCode TableLatent(SemgDecTable tab, const PetscReal *theta, PetscInt j, const char *name, PetscReal *x)
{
  const PetscReal lo = tab->box_lo[j], hi = tab->box_hi[j], tol = 1e-12 * (hi - lo);

  PetscFunctionBeginUser;
  *x = theta[j];
  PetscCheck(*x >= lo - tol && *x <= hi + tol, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "decoder table: latent %s = %g outside the table's range [%g, %g]", name, (double)*x, (double)lo, (double)hi);
  *x = PetscMin(PetscMax(*x, lo), hi);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One depth slot's 4 x 4 stencil of (a, v) coefficient vectors (a-slots nt apart, v-slots sv apart),
   accumulated over the times in one pass: p0 += wl F, pa -= wl dF/da (d/d IZ), pv += wl dF/dv,
   pd += dl F (dl = -d wd/d depth: d/d shift_z). Without tangents (pa == NULL) only p0. */
static void StencilAccumulate(PetscInt nt, const double *restrict c, size_t sv, const PetscReal wa[4], const PetscReal dwa[4], const PetscReal wv[4], const PetscReal dwv[4], PetscReal wl, PetscReal dl, PetscReal *restrict p0, PetscReal *restrict pa, PetscReal *restrict pv, PetscReal *restrict pd)
{
  const PetscReal a0 = wa[0], a1 = wa[1], a2 = wa[2], a3 = wa[3], b0 = dwa[0], b1 = dwa[1], b2 = dwa[2], b3 = dwa[3];
  const PetscReal v0 = wv[0], v1 = wv[1], v2 = wv[2], v3 = wv[3], u0 = dwv[0], u1 = dwv[1], u2 = dwv[2], u3 = dwv[3];
  const size_t    o1 = (size_t)nt, o2 = 2 * o1, o3 = 3 * o1, s1 = sv, s2 = 2 * sv, s3 = 3 * sv;

  if (!pa) {
    for (PetscInt k = 0; k < nt; k++) {
      const PetscReal f0 = a0 * c[k] + a1 * c[o1 + k] + a2 * c[o2 + k] + a3 * c[o3 + k];
      const PetscReal f1 = a0 * c[s1 + k] + a1 * c[s1 + o1 + k] + a2 * c[s1 + o2 + k] + a3 * c[s1 + o3 + k];
      const PetscReal f2 = a0 * c[s2 + k] + a1 * c[s2 + o1 + k] + a2 * c[s2 + o2 + k] + a3 * c[s2 + o3 + k];
      const PetscReal f3 = a0 * c[s3 + k] + a1 * c[s3 + o1 + k] + a2 * c[s3 + o2 + k] + a3 * c[s3 + o3 + k];
      p0[k] += wl * (v0 * f0 + v1 * f1 + v2 * f2 + v3 * f3);
    }
    return;
  }
  for (PetscInt k = 0; k < nt; k++) {
    const PetscReal x00 = c[k], x01 = c[o1 + k], x02 = c[o2 + k], x03 = c[o3 + k];
    const PetscReal x10 = c[s1 + k], x11 = c[s1 + o1 + k], x12 = c[s1 + o2 + k], x13 = c[s1 + o3 + k];
    const PetscReal x20 = c[s2 + k], x21 = c[s2 + o1 + k], x22 = c[s2 + o2 + k], x23 = c[s2 + o3 + k];
    const PetscReal x30 = c[s3 + k], x31 = c[s3 + o1 + k], x32 = c[s3 + o2 + k], x33 = c[s3 + o3 + k];
    const PetscReal f0 = a0 * x00 + a1 * x01 + a2 * x02 + a3 * x03, g0 = b0 * x00 + b1 * x01 + b2 * x02 + b3 * x03;
    const PetscReal f1 = a0 * x10 + a1 * x11 + a2 * x12 + a3 * x13, g1 = b0 * x10 + b1 * x11 + b2 * x12 + b3 * x13;
    const PetscReal f2 = a0 * x20 + a1 * x21 + a2 * x22 + a3 * x23, g2 = b0 * x20 + b1 * x21 + b2 * x22 + b3 * x23;
    const PetscReal f3 = a0 * x30 + a1 * x31 + a2 * x32 + a3 * x33, g3 = b0 * x30 + b1 * x31 + b2 * x32 + b3 * x33;
    const PetscReal F = v0 * f0 + v1 * f1 + v2 * f2 + v3 * f3;
    p0[k] += wl * F;
    pa[k] -= wl * (v0 * g0 + v1 * g1 + v2 * g2 + v3 * g3);
    pv[k] += wl * (u0 * f0 + u1 * f1 + u2 * f2 + u3 * f3);
    pd[k] += dl * F;
  }
}

PetscErrorCode SemgDecTablePotential(SemgDecTable tab, const PetscReal *theta, PetscReal *phi, PetscReal *dphi)
{
  const PetscInt nt = tab->nt, N0 = tab->n[0] + 2, N1 = tab->n[1] + 2, nl = tab->D > 2 ? 4 : 1;
  const size_t   net = (size_t)tab->ne * nt;
  PetscReal      iz, v, d = 0, wv[4], dwv[4], wd[4] = {1, 0, 0, 0}, dwd[4] = {0, 0, 0, 0};
  PetscInt       iv, id = 0;

  PetscFunctionBeginUser;
  PetscCall(TableLatent(tab, theta, 0, "IZ", &iz));
  PetscCall(TableLatent(tab, theta, 1, "CV", &v));
  iv = BsplineWeights((v - tab->lo[1]) / tab->h[1], tab->n[1], wv, dwv);
  for (int j = 0; j < 4; j++) dwv[j] /= tab->h[1];
  if (tab->D > 2) {
    PetscCall(TableLatent(tab, theta, 2, "depth", &d));
    id = BsplineWeights((d - tab->lo[2]) / tab->h[2], tab->n[2], wd, dwd);
    for (int j = 0; j < 4; j++) dwd[j] /= tab->h[2];
  }
  for (PetscInt e = 0; e < tab->ne; e++) {
    const PetscInt r = tab->erow[e];
    PetscReal      wa[4], dwa[4];
    const PetscInt ia      = BsplineWeights((tab->ex[e] - iz - tab->row_alo[r]) / tab->h[0], tab->n[0], wa, dwa);
    PetscReal *restrict p0 = phi + (size_t)e * nt, *restrict pa = dphi ? dphi + (size_t)e * nt : NULL;
    PetscReal *restrict pv = dphi ? pa + net : NULL, *restrict pd = dphi ? pa + 2 * net : NULL;

    for (int j = 0; j < 4; j++) dwa[j] /= tab->h[0];
    for (PetscInt k = 0; k < nt; k++) p0[k] = 0.0;
    if (dphi)
      for (PetscInt k = 0; k < nt; k++) pa[k] = pv[k] = pd[k] = 0.0;
    for (PetscInt l = 0; l < nl; l++)
      StencilAccumulate(nt, tab->c + r * tab->row_size + (((size_t)(id + l) * N1 + iv) * N0 + ia) * nt, (size_t)N0 * nt, wa, dwa, wv, dwv, wd[l], -dwd[l], p0, pa, pv, pd);
  }
  PetscCall(PetscLogFlops((PetscLogDouble)tab->ne * nt * 4 * nl * (dphi ? 22.0 : 9.0)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableBytes(SemgDecTable tab, size_t *bytes)
{
  PetscFunctionBeginUser;
  *bytes = tab->row_size * tab->nrow * sizeof(double);
  PetscFunctionReturn(PETSC_SUCCESS);
}
