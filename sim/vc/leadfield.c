/* Lead fields in memory: analytic (infinite, half-space), layered (tabulated) and grid ones, their
   evaluation at a point and the MUAP of a fibre set (kept in one file so that the per-point evaluation
   inlines into the MUAP loops). Solve and store: leadfield_store.c; reading a stored file: leadfield_load.c. */
#include <string.h>
#include "core/semg_error.h"
#include "sim/vc/leadfieldimpl.h"
#include "sim/vc/layered.h"

PetscErrorCode SemgLineSourceParamsDefault(SemgLineSourceParams *p)
{
  PetscFunctionBeginUser;
  p->gf     = 1.01 * PETSC_PI * 25e-6 * 25e-6; /* 1.983e-9 S m */
  p->amp    = 0.096;
  p->lambda = 1000.0;
  p->dxi    = 1e-4;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal SemgRosenfalck(const SemgLineSourceParams *p, PetscReal z)
{
  PetscReal u = p->lambda * z;

  if (u <= 0) return 0.0;
  if (u > 60) return 0.0; /* below 1e-20 of the peak */
  return p->amp * u * u * u * PetscExpReal(-u);
}

PetscReal SemgRosenfalckSupport(const SemgLineSourceParams *p)
{
  return 60.0 / p->lambda;
}

PetscErrorCode SemgLeadfieldNew(PetscInt ne, const PetscReal *exyz, SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(lf));
  (*lf)->ne = ne;
  PetscCall(PetscMalloc1(3 * (size_t)ne, &(*lf)->exyz));
  if (exyz) PetscCall(PetscArraycpy((*lf)->exyz, exyz, 3 * (size_t)ne));
  PetscCall(SemgCCSParamsDefault(&(*lf)->ccs));
  PetscCall(SemgLineSourceParamsDefault(&(*lf)->ls));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldCreateAnalytic(SemgLeadfieldType type, PetscInt ne, const PetscReal *exyz, PetscReal sl, PetscReal st, SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  PetscCheck(type != SEMG_LF_GRID, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "grid lead fields come from SemgLeadfieldLoad");
  PetscCheck(type != SEMG_LF_LAYERED, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "layered lead fields come from SemgLeadfieldCreateLayered");
  PetscCall(SemgLeadfieldNew(ne, exyz, lf));
  (*lf)->type = type;
  (*lf)->sl   = sl;
  (*lf)->st   = st;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldCreateLayered(const SemgTissue *t, const SemgLayeredTableSpec *spec, PetscInt ne, const PetscReal *exyz, SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  PetscCall(SemgLeadfieldNew(ne, exyz, lf));
  (*lf)->type = SEMG_LF_LAYERED;
  (*lf)->sl   = t->sigma_long;
  (*lf)->st   = t->sigma_trans;
  PetscCall(SemgLayeredTableCreate(t, spec, &(*lf)->tab));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldSetElectrodes(SemgLeadfield lf, PetscInt ne, const PetscReal *exyz)
{
  PetscFunctionBeginUser;
  PetscCheck(lf->type != SEMG_LF_GRID, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "a grid lead field's electrodes are those it was solved for");
  PetscCheck(ne == lf->ne, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "lead field has %d electrodes, got %d", (int)lf->ne, (int)ne);
  PetscCall(PetscArraycpy(lf->exyz, exyz, 3 * (size_t)ne));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGetLayeredTable(SemgLeadfield lf, SemgLayeredTable *tab)
{
  PetscFunctionBeginUser;
  PetscCheck(lf->type == SEMG_LF_LAYERED, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "not a layered lead field");
  *tab = lf->tab;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldDestroy(SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  if (!*lf) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(SemgLayeredTableDestroy(&(*lf)->tab));
  PetscCall(PetscFree((*lf)->exyz));
  PetscCall(PetscFree((*lf)->nominal));
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree((*lf)->cen[d]));
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree((*lf)->face[d]));
  PetscCall(PetscFree((*lf)->val));
  PetscCall(PetscFree(*lf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGetElectrodes(SemgLeadfield lf, PetscInt *ne, const PetscReal **exyz)
{
  PetscFunctionBeginUser;
  if (ne) *ne = lf->ne;
  if (exyz) *exyz = lf->exyz;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGetNominalElectrodes(SemgLeadfield lf, PetscInt *ne, const PetscReal **xyz)
{
  PetscFunctionBeginUser;
  if (ne) *ne = lf->ne;
  if (xyz) *xyz = lf->nominal ? lf->nominal : lf->exyz;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldSetCCSParams(SemgLeadfield lf, const SemgCCSParams *par)
{
  PetscFunctionBeginUser;
  lf->ccs = *par;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldSetLineSourceParams(SemgLeadfield lf, const SemgLineSourceParams *par)
{
  PetscFunctionBeginUser;
  lf->ls = *par;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Trilinear stencil of point p in the kept box (constant beyond the outer centres). */
typedef struct {
  size_t    id[8];
  PetscReal w[8];
} Stencil;

static void StencilAt(SemgLeadfield lf, const PetscReal p[3], Stencil *s)
{
  PetscInt  i0[3];
  PetscReal f[3];

  for (PetscInt d = 0; d < 3; d++) SemgGridLocate(lf->cen[d], lf->n[d], p[d], &i0[d], &f[d]);
  for (PetscInt c = 0; c < 8; c++) {
    PetscInt b[3] = {c & 1, (c >> 1) & 1, (c >> 2) & 1}, idx[3];
    s->w[c]       = 1;
    for (PetscInt d = 0; d < 3; d++) {
      idx[d] = PetscMin(i0[d] + b[d], lf->n[d] - 1);
      s->w[c] *= b[d] ? f[d] : 1 - f[d];
    }
    s->id[c] = ((size_t)idx[1] * (size_t)lf->n[0] + (size_t)idx[0]) * (size_t)lf->n[2] + (size_t)idx[2];
  }
}

/* l_e(p) for every electrode. */
static void EvalAll(SemgLeadfield lf, const PetscReal p[3], PetscReal *out)
{
  if (lf->type == SEMG_LF_GRID) {
    Stencil s;
    size_t  ncell = (size_t)lf->n[0] * lf->n[1] * lf->n[2];
    StencilAt(lf, p, &s);
    for (PetscInt e = 0; e < lf->ne; e++) {
      const double *v   = lf->val + (size_t)e * ncell;
      PetscReal     sum = 0;
      for (PetscInt c = 0; c < 8; c++) sum += s.w[c] * v[s.id[c]];
      out[e] = sum;
    }
  } else if (lf->type == SEMG_LF_LAYERED) {
    SemgLayeredTableEvalAll(lf->tab, p, lf->ne, lf->exyz, out);
  } else {
    for (PetscInt e = 0; e < lf->ne; e++) {
      const PetscReal *q = &lf->exyz[3 * e];
      out[e]             = lf->type == SEMG_LF_INFINITE ? SemgOracleInfinite(lf->sl, lf->st, lf->st, p[0] - q[0], p[1] - q[1], p[2] - q[2]) : SemgOracleHalfspace(lf->sl, lf->st, p, q);
    }
  }
}

PetscErrorCode SemgLeadfieldEvalAll(SemgLeadfield lf, const PetscReal p[3], PetscReal *val)
{
  PetscFunctionBeginUser;
  EvalAll(lf, p, val);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGetGrid(SemgLeadfield lf, PetscInt n[3], const PetscReal *cen[3], const PetscReal *face[3], const double **val)
{
  PetscFunctionBeginUser;
  PetscCheck(lf->type == SEMG_LF_GRID, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "only grid lead fields have cells");
  for (PetscInt d = 0; d < 3; d++) {
    if (n) n[d] = lf->n[d];
    if (cen) cen[d] = lf->cen[d];
    if (face) face[d] = lf->face[d];
  }
  if (val) *val = lf->val;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A grid lead field answers only inside its kept cells (user error otherwise, not a clamped value). */
static PetscErrorCode CheckInside(SemgLeadfield lf, const PetscReal p[3], const char *what, PetscInt idx)
{
  PetscFunctionBeginUser;
  if (lf->type != SEMG_LF_GRID) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt d = 0; d < 3; d++) {
    PetscBool low = (PetscBool)(p[d] < lf->valid_lo[d]);
    PetscCheck(!low && p[d] <= lf->valid_hi[d], PETSC_COMM_SELF, SEMG_ERR_USER, "-leadfield %s: %s %d reaches (%g, %g, %g) mm, outside the stored cells (%c %s %g mm); recompute with a larger -store_box", lf->path, what, (int)idx, (double)(p[0] * 1e3), (double)(p[1] * 1e3), (double)(p[2] * 1e3), "xyz"[d], low ? ">=" : "<=", (double)((low ? lf->valid_lo[d] : lf->valid_hi[d]) * 1e3));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldEval(SemgLeadfield lf, PetscInt e, const PetscReal p[3], PetscReal *val)
{
  PetscReal *all;

  PetscFunctionBeginUser;
  PetscCall(CheckInside(lf, p, "read-out point of electrode", e));
  PetscCall(PetscMalloc1(lf->ne, &all));
  EvalAll(lf, p, all);
  *val = all[e];
  PetscCall(PetscFree(all));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void FibreDirection(const SemgFibre *f, PetscReal dir[3])
{
  dir[0] = PetscCosReal(f->rz) * PetscCosReal(f->ry);
  dir[1] = PetscSinReal(f->rz) * PetscCosReal(f->ry);
  dir[2] = -PetscSinReal(f->ry);
}

/* Nodes lo..hi (clamped to 0..n) of x_j = x0 + w j / n where x_j - c may lie in [a, b]: one node of
   margin each side, so that rounding never drops a node the exact test keeps. */
static void NodeWindow(PetscReal x0, PetscReal w, PetscInt n, PetscReal c, PetscReal a, PetscReal b, PetscInt *lo, PetscInt *hi)
{
  PetscReal jl, jh;

  if (n == 0 || !(w > 0)) {
    *lo = 0, *hi = n;
    return;
  }
  jl  = PetscFloorReal((c + a - x0) / w * n) - 1;
  jh  = PetscCeilReal((c + b - x0) / w * n) + 1;
  *lo = (PetscInt)PetscMax(0.0, PetscMin(jl, (PetscReal)n + 1));
  *hi = (PetscInt)PetscMin((PetscReal)n, PetscMax(jh, -1.0));
}

/* Spec 5.2: m_e(t) = -G_f sum_j [l(xi_{j+1}) - l(xi_j)] [V(xi_{j+1}) - V(xi_j)] / dxi_j, nodes including
   the IP; V_m from the two Rosenfalck APs leaving the IP (V_rest drops out of the differences).
   Speed (results bit for bit those of evaluating V at every node): V is zero outside the two APs'
   supports, so per time only the nodes of the two windows [IP - s, IP - s + Z] and [IP + s - Z, IP + s]
   (Z = SemgRosenfalckSupport) are evaluated, the segment factors -G_f / dxi_j are computed once, and
   the sum runs into a contiguous per-electrode accumulator in the same order. */
/* acc += D x, electrode by electrode. GCC/Clang vector types do 4 electrodes per instruction with the
   same per-element multiply and add (C11 mode does not contract them into FMAs): bit for bit the plain
   loop, which -O2 leaves scalar. */
#if defined(__GNUC__)
typedef double Vec4 __attribute__((vector_size(32)));
#endif
static inline void Axpy(PetscInt ne, PetscReal D, const PetscReal *restrict x, PetscReal *restrict acc)
{
  PetscInt e = 0;

#if defined(__GNUC__)
  const Vec4 d = {D, D, D, D};
  for (; e + 4 <= ne; e += 4) {
    Vec4 a, v;
    memcpy(&a, acc + e, sizeof(a));
    memcpy(&v, x + e, sizeof(v));
    a += d * v;
    memcpy(acc + e, &a, sizeof(a));
  }
#endif
  for (; e < ne; e++) acc[e] += D * x[e];
}

/* Per time k: the node windows of the two APs (NodeWindow) and the segments jr[2k]..jr[2k+1] next to
   them (empty: lo > hi). */
static void LineSourceWindows(const SemgFibre *f, PetscInt n1, PetscInt n2, PetscReal Z, PetscInt nt, PetscReal dt, PetscInt (*w)[4], PetscInt *jr)
{
  const PetscInt nn = n1 + n2 + 1;

  for (PetscInt k = 0; k < nt; k++) {
    const PetscReal s   = f->cv * k * dt;
    PetscInt        jlo = nn, jhi = -1;

    /* left AP: xi - IP + s in (0, Z]; right AP: IP + s - xi in (0, Z] */
    NodeWindow(0, f->ip, n1, f->ip - s, 0, Z, &w[k][0], &w[k][1]);
    NodeWindow(f->ip, f->length - f->ip, n2, f->ip + s, -Z, 0, &w[k][2], &w[k][3]);
    w[k][2] += n1, w[k][3] += n1;
    for (int a = 0; a < 4; a += 2)
      if (w[k][a] <= w[k][a + 1]) jlo = PetscMin(jlo, w[k][a] - 1), jhi = PetscMax(jhi, w[k][a + 1]);
    jr[2 * k] = PetscMax(jlo, 0), jr[2 * k + 1] = PetscMin(jhi, nn - 2);
  }
}

/* Spec 5.2: m_e(t) = -G_f sum_j [l(xi_{j+1}) - l(xi_j)] [V(xi_{j+1}) - V(xi_j)] / dxi_j, nodes including
   the IP; V_m from the two Rosenfalck APs leaving the IP (V_rest drops out of the differences).
   Speed (results bit for bit those of evaluating V at every node): V is zero outside the two APs'
   supports, so per time only the nodes of the two windows [IP - s, IP - s + Z] and [IP + s - Z, IP + s]
   (Z = SemgRosenfalckSupport) are evaluated, the lead field only at nodes some window reaches, the
   segment factors -G_f / dxi_j once, and the sum runs into a contiguous per-electrode accumulator in
   the same order. */
static PetscErrorCode MUAPLineSource(SemgLeadfield lf, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  const SemgLineSourceParams *ls = &lf->ls;
  PetscInt                    n1 = f->ip > 0 ? (PetscInt)PetscCeilReal(f->ip / ls->dxi) : 0, n2 = f->length - f->ip > 0 ? (PetscInt)PetscCeilReal((f->length - f->ip) / ls->dxi) : 0, nn = n1 + n2 + 1, ne = lf->ne;
  PetscInt(*w)[4], *jr, J0 = nn, J1 = -1;
  PetscReal *xi, *dl, *lv, *V, *cf, *acc, dir[3];

  PetscFunctionBeginUser;
  PetscCheck(f->ip >= 0 && f->ip <= f->length && f->length > 0 && f->cv > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "fibre needs 0 <= ip <= length, length > 0, cv > 0 (ip %g, length %g, cv %g)",
             (double)f->ip, (double)f->length, (double)f->cv);
  PetscCall(PetscMalloc6(nn, &xi, (size_t)ne * nn, &dl, ne, &lv, nn, &V, nn, &cf, ne, &acc));
  PetscCall(PetscMalloc2(nt, &w, 2 * (size_t)nt, &jr));
  for (PetscInt j = 0; j <= n1; j++) xi[j] = n1 ? f->ip * j / n1 : 0;
  for (PetscInt j = 1; j <= n2; j++) xi[n1 + j] = f->ip + (f->length - f->ip) * j / n2;
  LineSourceWindows(f, n1, n2, SemgRosenfalckSupport(ls), nt, dt, w, jr);
  for (PetscInt k = 0; k < nt; k++)
    if (jr[2 * k] <= jr[2 * k + 1]) J0 = PetscMin(J0, jr[2 * k]), J1 = PetscMax(J1, jr[2 * k + 1]);
  FibreDirection(f, dir);
  /* lead field at the nodes of the segments used, then its differences along the fibre (segment-major) */
  for (PetscInt j = J0; j <= J1 + 1; j++) {
    PetscReal p[3] = {f->ox + xi[j] * dir[0], f->oy + xi[j] * dir[1], f->oz + xi[j] * dir[2]};
    EvalAll(lf, p, lv);
    for (PetscInt e = 0; e < ne; e++) dl[(size_t)j * ne + e] = lv[e];
  }
  for (PetscInt j = J0; j <= J1; j++) {
    for (PetscInt e = 0; e < ne; e++) dl[(size_t)j * ne + e] = dl[(size_t)(j + 1) * ne + e] - dl[(size_t)j * ne + e];
    cf[j] = -ls->gf / (xi[j + 1] - xi[j]);
  }
  PetscCall(PetscArrayzero(V, nn));
  for (PetscInt k = 0; k < nt; k++) {
    const PetscReal s = f->cv * k * dt;

    for (int a = 0; a < 4; a += 2)
      for (PetscInt j = w[k][a]; j <= w[k][a + 1]; j++)
        V[j] = xi[j] <= f->ip ? SemgRosenfalck(ls, xi[j] - f->ip + s) : SemgRosenfalck(ls, f->ip + s - xi[j]);
    if (jr[2 * k] <= jr[2 * k + 1]) {
      for (PetscInt e = 0; e < ne; e++) acc[e] = phi[(size_t)e * nt + k];
      for (PetscInt j = jr[2 * k]; j <= jr[2 * k + 1]; j++) {
        PetscReal D = V[j + 1] - V[j];
        if (D == 0) continue;
        D *= cf[j];
        Axpy(ne, D, dl + (size_t)j * ne, acc);
      }
      for (PetscInt e = 0; e < ne; e++) phi[(size_t)e * nt + k] = acc[e];
    }
    for (int a = 0; a < 4; a += 2)
      for (PetscInt j = w[k][a]; j <= w[k][a + 1]; j++) V[j] = 0;
  }
  PetscCall(PetscFree2(w, jr));
  PetscCall(PetscFree6(xi, dl, lv, V, cf, acc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* CCS point sources of sim/ccs.h at each time, weighted by the lead field at their positions. */
static PetscErrorCode MUAPCCS(SemgLeadfield lf, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  SemgCCSSources src;
  PetscReal     *lv;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(lf->ne, &lv));
  for (PetscInt k = 0; k < nt; k++) {
    SemgCCSFibreSources(&lf->ccs, f, f->cv * (k * dt), PETSC_FALSE, &src);
    for (PetscInt j = 0; j < src.n; j++) {
      EvalAll(lf, src.p[j], lv);
      for (PetscInt e = 0; e < lf->ne; e++) phi[(size_t)e * nt + k] += src.current[j] * lv[e];
    }
  }
  PetscCall(PetscFree(lv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A straight fibre is inside the layered table when both its ends are (offsets and depth are convex). */
static PetscErrorCode LayeredCheckFibre(SemgLeadfield lf, PetscInt i, const SemgFibre *f)
{
  PetscReal dir[3];

  PetscFunctionBeginUser;
  FibreDirection(f, dir);
  for (PetscInt end = 0; end < 2; end++) {
    const PetscReal s = end ? f->length : 0, p[3] = {f->ox + s * dir[0], f->oy + s * dir[1], f->oz + s * dir[2]};
    PetscReal       ax = 0, ay = 0;

    for (PetscInt e = 0; e < lf->ne; e++) {
      ax = PetscMax(ax, PetscAbsReal(lf->exyz[3 * e] - p[0]));
      ay = PetscMax(ay, PetscAbsReal(lf->exyz[3 * e + 1] - p[1]));
    }
    PetscCheck(SemgLayeredTableCovers(lf->tab, ax, ay, p[2]), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "fibre %d end (%g, %g, %g) m lies outside the layered lead-field table (above the muscle or beyond the tabulated offsets/depths)", (int)i, (double)p[0], (double)p[1], (double)p[2]);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldMUAP(SemgLeadfield lf, PetscInt nf, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscBool ccs_sources, PetscReal *phi)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(phi, (size_t)lf->ne * nt));
  for (PetscInt i = 0; i < nf; i++) {
    PetscReal dir[3], o[3] = {f[i].ox, f[i].oy, f[i].oz}, q[3];
    FibreDirection(&f[i], dir);
    for (PetscInt d = 0; d < 3; d++) q[d] = o[d] + f[i].length * dir[d];
    PetscCall(CheckInside(lf, o, "fibre", i)); /* both ends inside: the straight fibre is */
    PetscCall(CheckInside(lf, q, "fibre", i));
    if (lf->type == SEMG_LF_LAYERED) PetscCall(LayeredCheckFibre(lf, i, &f[i]));
    if (ccs_sources) PetscCall(MUAPCCS(lf, &f[i], nt, dt, phi));
    else PetscCall(MUAPLineSource(lf, &f[i], nt, dt, phi));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
