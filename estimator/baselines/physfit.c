/* Per-sample physics fit with PETSc TAO (spec estimator.md 4.3). The unknowns are scaled to
   u = (theta - lo) / (hi - lo) in [0, 1] so one set of TAO tolerances fits every parameter. */
#include <string.h>
#include "core/semg_error.h"
#include "estimator/baselines/physfit.h"

PetscErrorCode SemgPhysFitCreate(SemgPhysFit **pf)
{
  SemgPhysFit *p;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(1, &p));
  PetscCall(SemgCCSParamsDefault(&p->par));
  p->lo[1]       = 2.5; /* estimator.md 1: CV scaler bounds */
  p->hi[1]       = 5.4;
  p->n_starts    = 3;
  p->grid_v_step = 0.5;
  *pf            = p;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPhysFitSetTemplate(SemgPhysFit *pf, const SemgCCSParams *par, PetscInt nf, const SemgFibre *fibres, PetscReal iz_x, PetscReal iz_z, PetscReal v_ref)
{
  PetscFunctionBeginUser;
  PetscCheck(nf > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "physics fit: empty template");
  PetscCall(PetscFree2(pf->tmpl, pf->fib));
  pf->par = *par;
  pf->nf  = nf;
  PetscCall(PetscMalloc2(nf, &pf->tmpl, nf, &pf->fib));
  PetscCall(PetscArraycpy(pf->tmpl, fibres, nf));
  pf->tmpl_iz = iz_x;
  pf->tmpl_z  = iz_z;
  pf->tmpl_v  = v_ref;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPhysFitSetGeometry(SemgPhysFit *pf, PetscInt ne, const PetscReal *exyz, PetscInt nc, const PetscInt *ch_el, const PetscReal *ch_w, PetscInt nt, PetscReal fs)
{
  PetscReal xmin = PETSC_MAX_REAL, xmax = -PETSC_MAX_REAL, ied = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  PetscCheck(ne >= 2 && nc >= 1 && nt >= 2 && fs > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "physics fit: bad geometry (%d electrodes, %d channels, %d samples, fs %g)", (int)ne,
             (int)nc, (int)nt, (double)fs);
  PetscCall(PetscFree3(pf->exyz, pf->ch_el, pf->ch_w));
  pf->ne = ne, pf->nc = nc, pf->nt = nt, pf->fs = fs;
  PetscCall(PetscMalloc3(3 * ne, &pf->exyz, 3 * nc, &pf->ch_el, 3 * nc, &pf->ch_w));
  PetscCall(PetscArraycpy(pf->exyz, exyz, 3 * ne));
  PetscCall(PetscArraycpy(pf->ch_el, ch_el, 3 * nc));
  PetscCall(PetscArraycpy(pf->ch_w, ch_w, 3 * nc));
  pf->ez_mean = 0;
  for (PetscInt e = 0; e < ne; e++) {
    xmin = PetscMin(xmin, exyz[3 * e]);
    xmax = PetscMax(xmax, exyz[3 * e]);
    pf->ez_mean += exyz[3 * e + 2] / ne;
    /* IED: the smallest x step between electrodes of one row (same y) */
    for (PetscInt f = 0; f < e; f++) {
      PetscReal dx = PetscAbsReal(exyz[3 * e] - exyz[3 * f]);
      if (PetscAbsReal(exyz[3 * e + 1] - exyz[3 * f + 1]) < 1e-9 && dx > 1e-9) ied = PetscMin(ied, dx);
    }
  }
  PetscCheck(ied < PETSC_MAX_REAL, PETSC_COMM_SELF, SEMG_ERR_USER, "physics fit: electrodes have no spacing along x");
  pf->ied   = ied;
  pf->lo[0] = xmin; /* estimator.md 1: IZ scaler bounds = first and last electrode */
  pf->hi[0] = xmax;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPhysFitSetFromOptions(MPI_Comm comm, SemgPhysFit *pf)
{
  PetscInt  n;
  PetscReal izb[2], cvb[2], db[2], depth0;

  PetscFunctionBeginUser;
  PetscCheck(pf->tmpl && pf->exyz, PETSC_COMM_SELF, PETSC_ERR_ORDER, "SemgPhysFitSetTemplate and SemgPhysFitSetGeometry first");
  depth0 = pf->ez_mean - pf->tmpl_z;
  izb[0] = pf->lo[0], izb[1] = pf->hi[0], cvb[0] = pf->lo[1], cvb[1] = pf->hi[1];
  if (pf->hi[2] > pf->lo[2]) db[0] = pf->lo[2], db[1] = pf->hi[2]; /* set by the caller */
  else db[0] = PetscMax(1e-3, depth0 - 5e-3), db[1] = depth0 + 5e-3;
  PetscOptionsBegin(comm, NULL, "Physics fit (semg baseline -method physfit)", "semg");
  n = 2;
  PetscCall(PetscOptionsRealArray("-physfit_iz_bounds", "IZ bounds lo,hi (m); default first and last electrode x", "SemgPhysFit", izb, &n, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-physfit_cv_bounds", "CV bounds lo,hi (m/s)", "SemgPhysFit", cvb, &n, NULL));
  PetscCall(PetscOptionsBool("-physfit_fit_depth", "also fit the MU depth below the electrodes (nuisance)", "SemgPhysFit", pf->fit_depth, &pf->fit_depth, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-physfit_depth_bounds", "depth bounds lo,hi (m) with -physfit_fit_depth; default template depth +-5 mm", "SemgPhysFit", db, &n, NULL));
  PetscCall(PetscOptionsInt("-physfit_starts", "grid starts refined by TAO (best of the grid)", "SemgPhysFit", pf->n_starts, &pf->n_starts, NULL));
  PetscCall(PetscOptionsReal("-physfit_grid_cv_step", "CV step of the start grid (m/s); x_IZ step = IED", "SemgPhysFit", pf->grid_v_step, &pf->grid_v_step, NULL));
  PetscOptionsEnd();
  PetscCheck(izb[0] < izb[1] && cvb[0] > 0 && cvb[0] < cvb[1] && db[0] > 0 && db[0] < db[1], comm, SEMG_ERR_USER,
             "-physfit_iz_bounds, -physfit_cv_bounds, -physfit_depth_bounds: need 0 < lo < hi (CV, depth) and lo < hi (IZ)");
  PetscCheck(pf->n_starts >= 1 && pf->grid_v_step > 0, comm, SEMG_ERR_USER, "-physfit_starts must be >= 1 and -physfit_grid_cv_step > 0");
  pf->lo[0] = izb[0], pf->hi[0] = izb[1], pf->lo[1] = cvb[0], pf->hi[1] = cvb[1], pf->lo[2] = db[0], pf->hi[2] = db[1];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* TAO callback in the scaled unknowns u. */
static PetscErrorCode FormObjectiveGradient(Tao tao, Vec U, PetscReal *f, Vec G, void *ctx)
{
  SemgPhysFit       *pf = (SemgPhysFit *)ctx;
  const PetscScalar *u;
  PetscScalar       *g;
  PetscReal          th[SEMG_PHYSFIT_MAX_K], gr[SEMG_PHYSFIT_MAX_K];

  PetscFunctionBeginUser;
  (void)tao;
  PetscCall(VecGetArrayRead(U, &u));
  for (PetscInt j = 0; j < pf->K; j++) th[j] = pf->lo[j] + (pf->hi[j] - pf->lo[j]) * PetscRealPart(u[j]);
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(SemgPhysFitObjective(pf, pf->x, th, f, gr, NULL));
  PetscCall(VecGetArray(G, &g));
  for (PetscInt j = 0; j < pf->K; j++) g[j] = gr[j] * (pf->hi[j] - pf->lo[j]);
  PetscCall(VecRestoreArray(G, &g));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPhysFitSetUp(SemgPhysFit *pf)
{
  size_t ent = (size_t)pf->ne * pf->nt;

  PetscFunctionBeginUser;
  if (pf->setup) PetscFunctionReturn(PETSC_SUCCESS);
  pf->K = pf->fit_depth ? 3 : 2;
  PetscCall(PetscMalloc4(ent, &pf->phi, 3 * ent, &pf->dphi, (size_t)pf->nc * pf->nt, &pf->y, (size_t)pf->K * pf->nc * pf->nt, &pf->dy));
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, pf->K, &pf->u));
  PetscCall(VecDuplicate(pf->u, &pf->ulo));
  PetscCall(VecDuplicate(pf->u, &pf->uhi));
  PetscCall(VecSet(pf->ulo, 0.0));
  PetscCall(VecSet(pf->uhi, 1.0));
  PetscCall(TaoCreate(PETSC_COMM_SELF, &pf->tao));
  PetscCall(TaoSetType(pf->tao, TAOBQNLS));
  PetscCall(TaoSetOptionsPrefix(pf->tao, "physfit_"));
  PetscCall(TaoSetSolution(pf->tao, pf->u));
  PetscCall(TaoSetObjectiveAndGradient(pf->tao, NULL, FormObjectiveGradient, pf));
  PetscCall(TaoSetVariableBounds(pf->tao, pf->ulo, pf->uhi));
  PetscCall(TaoSetTolerances(pf->tao, 1e-10, 1e-8, 0.0)); /* spec start values: gatol, grtol */
  PetscCall(TaoSetMaximumIterations(pf->tao, 200));
  PetscCall(TaoSetFromOptions(pf->tao));
  pf->setup = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Monopolar potentials of the moved template and d/d(shift x), d/dv, d/d(shift z). Sources are computed
   once per fibre and time, then summed over the electrodes (the cost is the 1/r terms). */
static PetscErrorCode DecodeMonopolar(SemgPhysFit *pf, PetscBool want)
{
  const PetscInt ne = pf->ne, nt = pf->nt;
  const size_t   ent = (size_t)ne * nt;
  PetscReal     *phi = pf->phi, *dsx = pf->dphi, *dv = pf->dphi + ent, *dsz = pf->dphi + 2 * ent;
  SemgCCSSources src;

  PetscFunctionBeginUser;
  if (pf->par.anisotropic) { /* general metric: the forward model's own routine */
    PetscReal *ds[3] = {dsx, NULL, dsz};
    PetscCall(SemgCCSPotentialTangents(&pf->par, pf->nf, pf->fib, ne, pf->exyz, nt, 0.0, 1.0 / pf->fs, phi, want ? ds : NULL, want ? dv : NULL, NULL));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscArrayzero(phi, ent));
  if (want) PetscCall(PetscArrayzero(pf->dphi, 3 * ent));
  for (PetscInt i = 0; i < pf->nf; i++) {
    const SemgFibre *f = &pf->fib[i];
    for (PetscInt k = 0; k < nt; k++) {
      const PetscReal t = (PetscReal)k / pf->fs;
      SemgCCSFibreSources(&pf->par, f, f->cv * t, want, &src);
      for (PetscInt j = 0; j < src.n; j++) {
        const PetscReal I = src.current[j], *p = src.p[j];
        for (PetscInt e = 0; e < ne; e++) {
          const PetscReal dx = p[0] - pf->exyz[3 * e], dy = p[1] - pf->exyz[3 * e + 1], dz = p[2] - pf->exyz[3 * e + 2];
          const PetscReal r2 = dx * dx + dy * dy + dz * dz, r = PetscSqrtReal(r2);
          const size_t    o  = (size_t)e * nt + k;
          phi[o] += I / r;
          if (want) {
            const PetscReal r3 = r2 * r, gx = -I * dx / r3, gy = -I * dy / r3, gz = -I * dz / r3;
            dsx[o] += gx;
            dsz[o] += gz;
            dv[o] += t * (src.dI_ds[j] / r + gx * src.dp_ds[j][0] + gy * src.dp_ds[j][1] + gz * src.dp_ds[j][2]);
          }
        }
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* out[c, k] = sign * sum_j w_cj in[el_cj, k] */
static void Montage(const SemgPhysFit *pf, const PetscReal *in, PetscReal sign, PetscReal *out)
{
  for (PetscInt c = 0; c < pf->nc; c++) {
    PetscReal *o = out + (size_t)c * pf->nt;
    for (PetscInt k = 0; k < pf->nt; k++) o[k] = 0.0;
    for (int j = 0; j < 3; j++) {
      PetscInt  e = pf->ch_el[3 * c + j];
      PetscReal w = sign * pf->ch_w[3 * c + j];
      if (e < 0) continue;
      for (PetscInt k = 0; k < pf->nt; k++) o[k] += w * in[(size_t)e * pf->nt + k];
    }
  }
}

PetscErrorCode SemgPhysFitDecode(SemgPhysFit *pf, const PetscReal *theta, PetscReal *y, PetscReal *dy)
{
  const size_t ent = (size_t)pf->ne * pf->nt, cnt = (size_t)pf->nc * pf->nt;
  PetscReal    sx  = theta[0] - pf->tmpl_iz, sz = pf->fit_depth ? (pf->ez_mean - theta[2]) - pf->tmpl_z : 0.0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < pf->nf; i++) {
    pf->fib[i] = pf->tmpl[i];
    pf->fib[i].ox += sx;
    pf->fib[i].oz += sz;
    pf->fib[i].cv = theta[1] + (pf->tmpl[i].cv - pf->tmpl_v);
  }
  PetscCall(DecodeMonopolar(pf, (PetscBool)(dy != NULL)));
  Montage(pf, pf->phi, 1.0, y);
  if (dy) {
    Montage(pf, pf->dphi, 1.0, dy);                     /* d/dx_IZ = d/d(shift x) */
    Montage(pf, pf->dphi + ent, 1.0, dy + cnt);         /* d/dv */
    if (pf->fit_depth) Montage(pf, pf->dphi + 2 * ent, -1.0, dy + 2 * cnt); /* deeper = shift z down */
  }
  pf->n_decodes++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPhysFitObjective(SemgPhysFit *pf, const PetscReal *x, const PetscReal *theta, PetscReal *f, PetscReal *grad, PetscReal *gain)
{
  const size_t cnt = (size_t)pf->nc * pf->nt;
  PetscReal    xy = 0, yy = 0, xx = 0, g, rr = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgPhysFitDecode(pf, theta, pf->y, grad ? pf->dy : NULL));
  for (size_t i = 0; i < cnt; i++) {
    xy += x[i] * pf->y[i];
    yy += pf->y[i] * pf->y[i];
    xx += x[i] * x[i];
  }
  g = (yy > 1e-300 && xy > 0) ? xy / yy : 0.0; /* closed-form gain, clamped >= 0 (no sign-flipped fits) */
  for (size_t i = 0; i < cnt; i++) rr += (x[i] - g * pf->y[i]) * (x[i] - g * pf->y[i]);
  *f = xx > 0 ? 0.5 * rr / xx : 0.0;
  if (grad)
    for (PetscInt j = 0; j < pf->K; j++) {
      const PetscReal *d = pf->dy + j * cnt;
      PetscReal        s = 0;
      if (g > 0)
        for (size_t i = 0; i < cnt; i++) s += (x[i] - g * pf->y[i]) * d[i];
      grad[j] = xx > 0 ? -g * s / xx : 0.0; /* the dg/dtheta term drops out: df/dg = 0 at the optimal gain */
    }
  if (gain) *gain = g;
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  PetscReal f, th[SEMG_PHYSFIT_MAX_K];
} Start;

static int CompareStart(const void *a, const void *b)
{
  PetscReal fa = ((const Start *)a)->f, fb = ((const Start *)b)->f;
  return fa < fb ? -1 : (fa > fb ? 1 : 0);
}

PetscErrorCode SemgPhysFitSolve(SemgPhysFit *pf, const PetscReal *x, PetscReal *theta, PetscReal *gain, PetscReal *nrmse, PetscInt *its)
{
  PetscInt  niz, nv = 0, ns = 0, total_its = 0;
  PetscReal vgrid[64], best_f = PETSC_INFINITY, depth0;
  Start    *st;

  PetscFunctionBeginUser;
  PetscCall(SemgPhysFitSetUp(pf));
  pf->x = x;
  niz   = (PetscInt)PetscFloorReal((pf->hi[0] - pf->lo[0]) / pf->ied + 1e-9) + 1;
  for (PetscReal v = 2.5; v <= pf->hi[1] + 1e-9 && nv < 64; v += pf->grid_v_step)
    if (v >= pf->lo[1] - 1e-9) vgrid[nv++] = v;
  if (!nv) vgrid[nv++] = 0.5 * (pf->lo[1] + pf->hi[1]);
  depth0 = PetscMin(PetscMax(pf->ez_mean - pf->tmpl_z, pf->lo[2]), pf->hi[2]);
  PetscCall(PetscMalloc1(niz * nv, &st));
  for (PetscInt a = 0; a < niz; a++)
    for (PetscInt b = 0; b < nv; b++) {
      Start *s = &st[ns++];
      s->th[0] = PetscMin(pf->lo[0] + a * pf->ied, pf->hi[0]);
      s->th[1] = vgrid[b];
      s->th[2] = depth0;
      PetscCall(SemgPhysFitObjective(pf, x, s->th, &s->f, NULL, NULL));
    }
  qsort(st, (size_t)ns, sizeof(Start), CompareStart);
  for (PetscInt s = 0; s < PetscMin(pf->n_starts, ns); s++) {
    PetscScalar       *u;
    const PetscScalar *uc;
    PetscReal          f;
    PetscInt           it;

    PetscCall(VecGetArray(pf->u, &u));
    for (PetscInt j = 0; j < pf->K; j++) u[j] = (st[s].th[j] - pf->lo[j]) / (pf->hi[j] - pf->lo[j]);
    PetscCall(VecRestoreArray(pf->u, &u));
    PetscCall(TaoSetSolution(pf->tao, pf->u));
    PetscCall(TaoSolve(pf->tao));
    PetscCall(TaoGetSolutionStatus(pf->tao, &it, &f, NULL, NULL, NULL, NULL));
    total_its += it;
    if (f < best_f) {
      best_f = f;
      PetscCall(VecGetArrayRead(pf->u, &uc));
      for (PetscInt j = 0; j < pf->K; j++) theta[j] = pf->lo[j] + (pf->hi[j] - pf->lo[j]) * PetscRealPart(uc[j]);
      PetscCall(VecRestoreArrayRead(pf->u, &uc));
    }
  }
  PetscCall(PetscFree(st));
  PetscCall(SemgPhysFitObjective(pf, x, theta, &best_f, NULL, gain));
  if (nrmse) *nrmse = PetscSqrtReal(2.0 * best_f);
  if (its) *its = total_its;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPhysFitDestroy(SemgPhysFit **pf)
{
  SemgPhysFit *p = *pf;

  PetscFunctionBeginUser;
  if (!p) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(TaoDestroy(&p->tao));
  PetscCall(VecDestroy(&p->u));
  PetscCall(VecDestroy(&p->ulo));
  PetscCall(VecDestroy(&p->uhi));
  PetscCall(PetscFree4(p->phi, p->dphi, p->y, p->dy));
  PetscCall(PetscFree2(p->tmpl, p->fib));
  PetscCall(PetscFree3(p->exyz, p->ch_el, p->ch_w));
  PetscCall(PetscFree(p));
  *pf = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}
