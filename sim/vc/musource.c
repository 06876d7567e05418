#include "core/semg_error.h"
#include "sim/vc/musource.h"

struct _p_SemgMUSource {
  PetscInt             ne;
  SemgLineSourceParams ls;
  PetscInt             nc;      /* columns */
  SemgFibre           *col;     /* per column: IP, ends, CV (x) and centre (y, z) */
  PetscReal           *nfib;    /* per column: n_k A_c */
  PetscInt            *first;   /* per column: first territory cell; nc + 1 entries */
  PetscInt             ncell;
  PetscInt            *ijk;     /* 3 per cell */
  PetscReal           *xi;      /* per cell: centre x minus the column's fibre origin */
  PetscReal           *g;       /* per cell: conductance to the next cell of its column (0 at the end), S */
  PetscReal           *w;       /* ncell x ne, cell-major: w_e = -A_i l_e */
};

/* Cell geometry of the source: centres and faces per axis, plus a way to get l_e at a cell. */
typedef struct {
  PetscInt         n[3];
  const PetscReal *face[3];
  PetscReal       *cen[3];
  const double    *val; /* grid lead field values, or NULL: evaluate lf at the centres */
  SemgLeadfield    lf;
} Cells;

static PetscErrorCode CellsSetUp(SemgLeadfield lf, const SemgMUGrid *grid, Cells *cl)
{
  const PetscReal *cen[3];

  PetscFunctionBeginUser;
  cl->lf  = lf;
  cl->val = NULL;
  if (!grid) PetscCall(SemgLeadfieldGetGrid(lf, cl->n, cen, cl->face, &cl->val));
  for (PetscInt d = 0; d < 3; d++) {
    if (grid) {
      cl->n[d]    = grid->n[d];
      cl->face[d] = grid->face[d];
    }
    PetscCheck(cl->n[d] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "MU source: grid needs cells on every axis");
    PetscCall(PetscMalloc1(cl->n[d], &cl->cen[d]));
    for (PetscInt i = 0; i < cl->n[d]; i++) cl->cen[d][i] = grid ? 0.5 * (cl->face[d][i] + cl->face[d][i + 1]) : cen[d][i];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CellsDestroy(Cells *cl)
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree(cl->cen[d]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* l_e at cell (i, j, k) for every electrode: the stored cell value, or the lead field at the centre. */
static PetscErrorCode CellsLead(const Cells *cl, PetscInt ne, const PetscInt ijk[3], PetscReal *l)
{
  PetscFunctionBeginUser;
  if (cl->val) {
    const size_t ncell = (size_t)cl->n[0] * cl->n[1] * cl->n[2], id = ((size_t)ijk[1] * cl->n[0] + ijk[0]) * cl->n[2] + ijk[2];
    for (PetscInt e = 0; e < ne; e++) l[e] = cl->val[(size_t)e * ncell + id];
  } else {
    PetscReal p[3] = {cl->cen[0][ijk[0]], cl->cen[1][ijk[1]], cl->cen[2][ijk[2]]};
    PetscCall(SemgLeadfieldEvalAll(cl->lf, p, l));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Columns (j, k) whose centres lie in the territory disc; the nearest one if the disc holds no centre
   (territory thinner than a cell), so that every MU has a source. jk: 2 per column, PetscMalloc'ed. */
static PetscErrorCode TerritoryColumns(const Cells *cl, const SemgMotorUnitSpec *mu, PetscInt *nc, PetscInt **jk)
{
  PetscInt  best = 0, n = 0;
  PetscReal dbest = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(2 * (size_t)cl->n[1] * cl->n[2], jk));
  for (PetscInt j = 0; j < cl->n[1]; j++)
    for (PetscInt k = 0; k < cl->n[2]; k++) {
      PetscReal d2 = PetscSqr(cl->cen[1][j] - mu->iz[1]) + PetscSqr(cl->cen[2][k] - mu->iz[2]);
      if (d2 < dbest) dbest = d2, best = j * cl->n[2] + k;
      if (d2 <= mu->radius * mu->radius) (*jk)[2 * n] = j, (*jk)[2 * n + 1] = k, n++;
    }
  if (!n) (*jk)[0] = best / cl->n[2], (*jk)[1] = best % cl->n[2], n = 1;
  *nc = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Column fibres from the MU generator (column c takes fibre c's IP, ends and CV), moved to the column
   centres; n_k A_c with n_k = n_fibres / (covered area), so the columns stand for exactly n_fibres fibres. */
static PetscErrorCode ColumnFibres(SemgMUSource s, const Cells *cl, const SemgMotorUnitSpec *mu, const PetscInt *jk, uint64_t seed, uint64_t sample)
{
  SemgMotorUnitSpec m = *mu;
  PetscReal         area = 0;

  PetscFunctionBeginUser;
  m.n_fibres = s->nc;
  PetscCall(SemgMotorUnitGenerate(&m, seed, sample, s->col));
  for (PetscInt c = 0; c < s->nc; c++) {
    const PetscInt j = jk[2 * c], k = jk[2 * c + 1];
    s->col[c].oy = cl->cen[1][j];
    s->col[c].oz = cl->cen[2][k];
    s->nfib[c]   = (cl->face[1][j + 1] - cl->face[1][j]) * (cl->face[2][k + 1] - cl->face[2][k]);
    area += s->nfib[c];
  }
  for (PetscInt c = 0; c < s->nc; c++) s->nfib[c] *= mu->n_fibres / area;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Cells of every column between its fibre ends, their conductances n_k A_c G_f / (centre distance), and
   w_e = -A_i l_e: w_c = -sum_(neighbours q) g_cq (l_c - l_q). */
static PetscErrorCode TerritoryCells(SemgMUSource s, const Cells *cl, const PetscInt *jk)
{
  const PetscInt ne = s->ne, nx = cl->n[0];
  PetscReal     *l;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(s->nc + 1, &s->first));
  s->ncell = 0;
  for (PetscInt c = 0; c < s->nc; c++) {
    s->first[c] = s->ncell;
    for (PetscInt i = 0; i < nx; i++) s->ncell += cl->cen[0][i] >= s->col[c].ox && cl->cen[0][i] <= s->col[c].ox + s->col[c].length;
  }
  s->first[s->nc] = s->ncell;
  PetscCall(PetscMalloc4(3 * (size_t)s->ncell, &s->ijk, s->ncell, &s->xi, s->ncell, &s->g, (size_t)s->ncell * ne, &s->w));
  PetscCall(PetscMalloc1((size_t)s->ncell * ne, &l));
  for (PetscInt c = 0; c < s->nc; c++) {
    PetscInt n = s->first[c];
    for (PetscInt i = 0; i < nx; i++) {
      if (cl->cen[0][i] < s->col[c].ox || cl->cen[0][i] > s->col[c].ox + s->col[c].length) continue;
      s->ijk[3 * n] = i, s->ijk[3 * n + 1] = jk[2 * c], s->ijk[3 * n + 2] = jk[2 * c + 1];
      s->xi[n] = cl->cen[0][i] - s->col[c].ox;
      PetscCall(CellsLead(cl, ne, &s->ijk[3 * n], &l[(size_t)n * ne]));
      n++;
    }
    for (PetscInt q = s->first[c]; q < s->first[c + 1]; q++) s->g[q] = q + 1 < s->first[c + 1] ? s->ls.gf * s->nfib[c] / (s->xi[q + 1] - s->xi[q]) : 0;
  }
  PetscCall(PetscArrayzero(s->w, (size_t)s->ncell * ne));
  for (PetscInt q = 0; q < s->ncell; q++) {
    if (s->g[q] == 0) continue;
    for (PetscInt e = 0; e < ne; e++) {
      const PetscReal f = s->g[q] * (l[(size_t)q * ne + e] - l[(size_t)(q + 1) * ne + e]);
      s->w[(size_t)q * ne + e] -= f;
      s->w[(size_t)(q + 1) * ne + e] += f;
    }
  }
  PetscCall(PetscFree(l));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMUSourceCreate(SemgLeadfield lf, const SemgMUGrid *grid, const SemgMotorUnitSpec *mu, const SemgLineSourceParams *ls, uint64_t seed, uint64_t sample, SemgMUSource *src)
{
  Cells         cl;
  PetscInt     *jk;
  SemgMUSource  s;

  PetscFunctionBeginUser;
  PetscCheck(mu->n_fibres > 0 && mu->radius >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "MU source needs n_fibres > 0 and radius >= 0");
  PetscCall(PetscNew(&s));
  PetscCall(SemgLeadfieldGetElectrodes(lf, &s->ne, NULL));
  if (ls) s->ls = *ls;
  else PetscCall(SemgLineSourceParamsDefault(&s->ls));
  PetscCall(CellsSetUp(lf, grid, &cl));
  PetscCall(TerritoryColumns(&cl, mu, &s->nc, &jk));
  PetscCall(PetscMalloc2(s->nc, &s->col, s->nc, &s->nfib));
  PetscCall(ColumnFibres(s, &cl, mu, jk, seed, sample));
  PetscCall(TerritoryCells(s, &cl, jk));
  PetscCall(PetscFree(jk));
  PetscCall(CellsDestroy(&cl));
  *src = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMUSourceDestroy(SemgMUSource *src)
{
  PetscFunctionBeginUser;
  if (!*src) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree2((*src)->col, (*src)->nfib));
  PetscCall(PetscFree((*src)->first));
  PetscCall(PetscFree4((*src)->ijk, (*src)->xi, (*src)->g, (*src)->w));
  PetscCall(PetscFree(*src));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMUSourceGetColumns(SemgMUSource src, PetscInt *nc, const SemgFibre **col, const PetscReal **fibres)
{
  PetscFunctionBeginUser;
  if (nc) *nc = src->nc;
  if (col) *col = src->col;
  if (fibres) *fibres = src->nfib;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMUSourceGetCells(SemgMUSource src, PetscInt *ncell, const PetscInt **ijk)
{
  PetscFunctionBeginUser;
  if (ncell) *ncell = src->ncell;
  if (ijk) *ijk = src->ijk;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* V_m - V_rest of column c's fibre at fibre coordinate xi, propagation distance s (spec 2.4). */
static inline PetscReal ColumnVm(const SemgLineSourceParams *ls, const SemgFibre *f, PetscReal xi, PetscReal s)
{
  return xi <= f->ip ? SemgRosenfalck(ls, xi - f->ip + s) : SemgRosenfalck(ls, f->ip + s - xi);
}

PetscErrorCode SemgMUSourceCurrents(SemgMUSource src, PetscReal t, PetscReal *b)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(b, src->ncell));
  for (PetscInt c = 0; c < src->nc; c++) {
    const SemgFibre *f = &src->col[c];
    const PetscReal  s = f->cv * t;
    for (PetscInt q = src->first[c]; q + 1 < src->first[c + 1]; q++) {
      /* axial current from q+1 to q inside the fibres: it leaves the cells at q and re-enters at q+1 */
      const PetscReal flux = src->g[q] * (ColumnVm(&src->ls, f, src->xi[q + 1], s) - ColumnVm(&src->ls, f, src->xi[q], s));
      b[q] += flux;
      b[q + 1] -= flux;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMUSourceMUAP(SemgMUSource src, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  const PetscInt ne = src->ne;
  PetscReal     *acc;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(ne, &acc));
  for (PetscInt k = 0; k < nt; k++) {
    PetscCall(PetscArrayzero(acc, ne));
    for (PetscInt c = 0; c < src->nc; c++) {
      const SemgFibre *f = &src->col[c];
      const PetscReal  s = f->cv * k * dt;
      for (PetscInt q = src->first[c]; q < src->first[c + 1]; q++) {
        const PetscReal  V = ColumnVm(&src->ls, f, src->xi[q], s);
        const PetscReal *w = &src->w[(size_t)q * ne];
        if (V == 0) continue;
        for (PetscInt e = 0; e < ne; e++) acc[e] += V * w[e];
      }
    }
    for (PetscInt e = 0; e < ne; e++) phi[(size_t)e * nt + k] = acc[e];
  }
  PetscCall(PetscFree(acc));
  PetscFunctionReturn(PETSC_SUCCESS);
}
