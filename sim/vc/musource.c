#include "core/semg_error.h"
#include "sim/vc/musource.h"

struct _p_SemgMUSource {
  PetscInt             ne;
  SemgLineSourceParams ls;
  PetscInt             nc;    /* columns */
  SemgFibre           *col;   /* per column: IP, ends, CV (x) and centre (y, z) */
  PetscReal           *nfib;  /* per column: n_k A_c */
  PetscInt            *first; /* per column: first territory cell; nc + 1 entries */
  PetscInt             ncell; /* nodes: cell centres and the sub-cell fibre ends */
  PetscInt            *ijk;   /* 3 per node: its cell (for an end: the cell below it in x) */
  PetscReal           *frac;  /* per node: weight of cell i+1 (fibre ends between two centres; else 0) */
  PetscReal           *xi;    /* per node: fibre coordinate x - origin */
  PetscReal           *g;     /* per node: conductance to the next node of its column (0 at the end), S */
  PetscReal           *w;     /* ncell x ne, node-major: w_e = -A_i l_e */
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

/* Fraction of the (y, z) face of column (j, k) covered by the territory disc, from 16 x 16 sub-samples. */
static PetscReal CoveredFraction(const Cells *cl, const SemgMotorUnitSpec *mu, PetscInt j, PetscInt k)
{
  const PetscInt m  = 16;
  PetscInt       in = 0;

  for (PetscInt a = 0; a < m; a++)
    for (PetscInt b = 0; b < m; b++) {
      const PetscReal y = cl->face[1][j] + (a + 0.5) / m * (cl->face[1][j + 1] - cl->face[1][j]);
      const PetscReal z = cl->face[2][k] + (b + 0.5) / m * (cl->face[2][k + 1] - cl->face[2][k]);
      in += PetscSqr(y - mu->iz[1]) + PetscSqr(z - mu->iz[2]) <= mu->radius * mu->radius;
    }
  return (PetscReal)in / (m * m);
}

/* Columns (j, k) that the territory disc overlaps, with their covered face areas A_c (m^2); the nearest
   column if the disc covers no sub-sample (territory thinner than a cell), so that every MU has a source.
   Area weights, not centre-inside tests, keep the MUAP continuous in the MU's position and radius.
   jk: 2 per column, area: 1 per column, both PetscMalloc'ed. */
static PetscErrorCode TerritoryColumns(const Cells *cl, const SemgMotorUnitSpec *mu, PetscInt *nc, PetscInt **jk, PetscReal **area)
{
  PetscInt  best = 0, n = 0;
  PetscReal dbest = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(2 * (size_t)cl->n[1] * cl->n[2], jk, (size_t)cl->n[1] * cl->n[2], area));
  for (PetscInt j = 0; j < cl->n[1]; j++)
    for (PetscInt k = 0; k < cl->n[2]; k++) {
      const PetscReal d2 = PetscSqr(cl->cen[1][j] - mu->iz[1]) + PetscSqr(cl->cen[2][k] - mu->iz[2]);
      PetscReal       f;
      if (d2 < dbest) dbest = d2, best = j * cl->n[2] + k;
      if (cl->face[1][j + 1] < mu->iz[1] - mu->radius || cl->face[1][j] > mu->iz[1] + mu->radius || cl->face[2][k + 1] < mu->iz[2] - mu->radius || cl->face[2][k] > mu->iz[2] + mu->radius)
        continue;
      f = CoveredFraction(cl, mu, j, k);
      if (f > 0)
        (*jk)[2 * n] = j, (*jk)[2 * n + 1] = k, (*area)[n] = f * (cl->face[1][j + 1] - cl->face[1][j]) * (cl->face[2][k + 1] - cl->face[2][k]), n++;
    }
  if (!n) (*jk)[0] = best / cl->n[2], (*jk)[1] = best % cl->n[2], (*area)[0] = 1, n = 1;
  *nc = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Column fibres from the MU generator (column c takes fibre c's IP, ends and CV), moved to the column
   centres; n_k A_c with n_k = n_fibres / sum_c A_c (= n_fibres / (pi r^2) up to the sub-sampling), so
   the columns stand for exactly n_fibres fibres. */
static PetscErrorCode ColumnFibres(SemgMUSource s, const Cells *cl, const SemgMotorUnitSpec *mu, const PetscInt *jk, const PetscReal *area, uint64_t seed, uint64_t sample)
{
  SemgMotorUnitSpec m   = *mu;
  PetscReal         tot = 0;

  PetscFunctionBeginUser;
  m.n_fibres = s->nc;
  PetscCall(SemgMotorUnitGenerate(&m, seed, sample, s->col));
  for (PetscInt c = 0; c < s->nc; c++) {
    s->col[c].oy = cl->cen[1][jk[2 * c]];
    s->col[c].oz = cl->cen[2][jk[2 * c + 1]];
    tot += area[c];
  }
  for (PetscInt c = 0; c < s->nc; c++) s->nfib[c] = area[c] * mu->n_fibres / tot;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Node of the column chain at fibre coordinate xi: a cell centre, or a fibre end between the centres of
   cells i and i+1 (frac = weight of cell i+1; its lead field and current are shared linearly). */
static PetscErrorCode AddNode(SemgMUSource s, const Cells *cl, PetscInt c, const PetscInt jk[2], PetscReal x, PetscReal *l)
{
  const PetscInt n = s->ncell;
  PetscInt       i;
  PetscReal      f, *l1;

  PetscFunctionBeginUser;
  SemgGridLocate(cl->cen[0], cl->n[0], x, &i, &f);
  if (f == 1) i++, f = 0; /* beyond the last centre: all on the last cell */
  s->ijk[3 * n] = i, s->ijk[3 * n + 1] = jk[0], s->ijk[3 * n + 2] = jk[1];
  s->frac[n] = f;
  s->xi[n]   = x - s->col[c].ox;
  PetscCall(CellsLead(cl, s->ne, &s->ijk[3 * n], &l[(size_t)n * s->ne]));
  if (f > 0) {
    PetscInt ijk1[3] = {i + 1, jk[0], jk[1]};
    PetscCall(PetscMalloc1(s->ne, &l1));
    PetscCall(CellsLead(cl, s->ne, ijk1, l1));
    for (PetscInt e = 0; e < s->ne; e++) l[(size_t)n * s->ne + e] += f * (l1[e] - l[(size_t)n * s->ne + e]);
    PetscCall(PetscFree(l1));
  }
  s->ncell++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Chain of one column: the fibre ends (sub-cell nodes, unless they fall on a centre to within 1 pm)
   and the cell centres between them. */
static PetscErrorCode ColumnNodes(SemgMUSource s, const Cells *cl, PetscInt c, const PetscInt jk[2], PetscReal *l)
{
  const PetscReal  a = s->col[c].ox, b = s->col[c].ox + s->col[c].length, tol = 1e-12;
  const PetscReal *x = cl->cen[0];
  PetscReal        xlast;
  PetscInt         i = 0;

  PetscFunctionBeginUser;
  while (i < cl->n[0] && x[i] < a) i++;
  xlast = a;
  if (i == cl->n[0] || x[i] - a > tol) PetscCall(AddNode(s, cl, c, jk, a, l));
  for (; i < cl->n[0] && x[i] <= b; i++) {
    PetscCall(AddNode(s, cl, c, jk, x[i], l));
    xlast = x[i];
  }
  if (b - xlast > tol) PetscCall(AddNode(s, cl, c, jk, b, l));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Nodes of every column, their conductances n_k A_c G_f / (node distance) (sealed: none past the ends),
   and w_e = -A_i l_e: w_q = -sum_(neighbours p) g_qp (l_q - l_p). */
static PetscErrorCode TerritoryCells(SemgMUSource s, const Cells *cl, const PetscInt *jk)
{
  const PetscInt ne   = s->ne;
  PetscInt       nmax = s->nc * (cl->n[0] + 2);
  PetscReal     *l;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(s->nc + 1, &s->first));
  PetscCall(PetscMalloc5(3 * (size_t)nmax, &s->ijk, nmax, &s->frac, nmax, &s->xi, nmax, &s->g, (size_t)nmax * ne, &s->w));
  PetscCall(PetscMalloc1((size_t)nmax * ne, &l));
  s->ncell = 0;
  for (PetscInt c = 0; c < s->nc; c++) {
    s->first[c] = s->ncell;
    PetscCall(ColumnNodes(s, cl, c, &jk[2 * c], l));
    for (PetscInt q = s->first[c]; q < s->ncell; q++) s->g[q] = q + 1 < s->ncell ? s->ls.gf * s->nfib[c] / (s->xi[q + 1] - s->xi[q]) : 0;
  }
  s->first[s->nc] = s->ncell;
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
  Cells        cl;
  PetscInt    *jk;
  PetscReal   *area;
  SemgMUSource s;

  PetscFunctionBeginUser;
  PetscCheck(mu->n_fibres > 0 && mu->radius >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "MU source needs n_fibres > 0 and radius >= 0");
  PetscCall(PetscNew(&s));
  PetscCall(SemgLeadfieldGetElectrodes(lf, &s->ne, NULL));
  if (ls) s->ls = *ls;
  else PetscCall(SemgLineSourceParamsDefault(&s->ls));
  PetscCall(CellsSetUp(lf, grid, &cl));
  PetscCall(TerritoryColumns(&cl, mu, &s->nc, &jk, &area));
  PetscCall(PetscMalloc2(s->nc, &s->col, s->nc, &s->nfib));
  PetscCall(ColumnFibres(s, &cl, mu, jk, area, seed, sample));
  PetscCall(TerritoryCells(s, &cl, jk));
  PetscCall(PetscFree2(jk, area));
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
  PetscCall(PetscFree5((*src)->ijk, (*src)->frac, (*src)->xi, (*src)->g, (*src)->w));
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

PetscErrorCode SemgMUSourceGetNodes(SemgMUSource src, PetscInt *nn, const PetscInt **ijk, const PetscReal **frac)
{
  PetscFunctionBeginUser;
  if (nn) *nn = src->ncell;
  if (ijk) *ijk = src->ijk;
  if (frac) *frac = src->frac;
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
