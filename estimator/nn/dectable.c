/* Tabulated decoder: options, cubic B-spline coefficients, evaluation with analytic derivatives. */
#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/dectable_model.h"

const char *const SemgDecModels[] = {"ccs", "layered", "halfspace", "vc", "SemgDecModel", "SEMG_DECMODEL_", NULL};

PetscErrorCode SemgDecTableOptionsDefault(SemgDecTableOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->model  = SEMG_DECMODEL_CCS;
  o->h[0]   = 1e-3;   /* m: 1/5 of the 5 mm IED of the experiments; the error is dominated by v (docs/estimator.md) */
  o->h[1]   = 0.01;   /* m/s */
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

PetscErrorCode SemgDecTablePotential(SemgDecTable tab, const PetscReal *theta, PetscReal *phi, PetscReal *dphi)
{
  const PetscInt  nt = tab->nt, N0 = tab->n[0] + 2, N1 = tab->n[1] + 2, nl = tab->D > 2 ? 4 : 1;
  const size_t    net = (size_t)tab->ne * nt;
  PetscReal       iz, v, d = 0, wv[4], dwv[4], wd[4] = {1, 0, 0, 0}, dwd[4] = {0, 0, 0, 0};
  PetscInt        iv, id = 0;

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
    const PetscInt   r = tab->erow[e];
    PetscReal        wa[4], dwa[4];
    const PetscInt   ia = BsplineWeights((tab->ex[e] - iz - tab->row_alo[r]) / tab->h[0], tab->n[0], wa, dwa);
    PetscReal *restrict p0 = phi + (size_t)e * nt, *restrict pa = dphi ? dphi + (size_t)e * nt : NULL;
    PetscReal *restrict pv = dphi ? pa + net : NULL, *restrict pd = dphi ? pa + 2 * net : NULL;

    for (int j = 0; j < 4; j++) dwa[j] /= tab->h[0];
    for (PetscInt k = 0; k < nt; k++) p0[k] = 0.0;
    if (dphi)
      for (PetscInt k = 0; k < nt; k++) pa[k] = pv[k] = pd[k] = 0.0;
    /* contract the 4 a-slots first (value f and d/da g in one pass), then scatter into the outputs */
    for (PetscInt l = 0; l < nl; l++)
      for (int j = 0; j < 4; j++) {
        const double *restrict c0 = tab->c + r * tab->row_size + (((size_t)(id + l) * N1 + iv + j) * N0 + ia) * nt;
        const double *restrict c1 = c0 + nt, *restrict c2 = c1 + nt, *restrict c3 = c2 + nt;
        const PetscReal w0 = wv[j] * wd[l], wV = dwv[j] * wd[l], wD = -wv[j] * dwd[l];
        if (!dphi) {
          for (PetscInt k = 0; k < nt; k++) p0[k] += w0 * (wa[0] * c0[k] + wa[1] * c1[k] + wa[2] * c2[k] + wa[3] * c3[k]);
          continue;
        }
        for (PetscInt k = 0; k < nt; k++) {
          const PetscReal f = wa[0] * c0[k] + wa[1] * c1[k] + wa[2] * c2[k] + wa[3] * c3[k];
          const PetscReal g = dwa[0] * c0[k] + dwa[1] * c1[k] + dwa[2] * c2[k] + dwa[3] * c3[k];
          p0[k] += w0 * f;
          pa[k] -= w0 * g; /* d/d shift_x = d/d IZ = -dF/da */
          pv[k] += wV * f;
        }
        if (nl > 1) /* d/d shift_z = -dF/d depth */
          for (PetscInt k = 0; k < nt; k++) pd[k] += wD * (wa[0] * c0[k] + wa[1] * c1[k] + wa[2] * c2[k] + wa[3] * c3[k]);
      }
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

PetscErrorCode SemgDecTableDestroy(SemgDecTable *tabp)
{
  SemgDecTable tab = *tabp;

  PetscFunctionBeginUser;
  if (!tab) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(SemgDecTableModelDestroy(&tab->model));
  PetscCall(PetscFree4(tab->row_alo, tab->row_y, tab->row_z, tab->erow));
  PetscCall(PetscFree(tab->ex));
  PetscCall(PetscFree(tab->c));
  PetscCall(PetscFree(*tabp));
  PetscFunctionReturn(PETSC_SUCCESS);
}
