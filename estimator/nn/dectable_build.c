/* Building a decoder table: layout (rows, grid, latent box), parallel fill by the forward model,
   cubic B-spline coefficients, accuracy check against the model, cache, attachment to the decoder. */
#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/nn/dectable_build.h"

#define DECTABLE_VERSION 1

static uint64_t Fnv(uint64_t h, const void *p, size_t n)
{
  const unsigned char *c = (const unsigned char *)p;
  for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ULL;
  return h;
}

/* Uniform grid over [lo, hi] with spacing at most h (at least 7 nodes: the end conditions use 6). */
static void GridAxis(PetscReal lo, PetscReal hi, PetscReal h, PetscInt *n, PetscReal *hout)
{
  *n    = PetscMax(7, (PetscInt)ceil((hi - lo) / h - 1e-9) + 1);
  *hout = (hi - lo) / (*n - 1);
}

/* Rows: electrodes sharing (y, z) in invariant tissue, each electrode alone for a grid lead field. Every
   row's a-grid starts at its smallest x minus the largest IZ and has the same spacing and node count. */
static PetscErrorCode TableLayout(SemgDecTable tab, const SemgDecoder *dec)
{
  const PetscBool per_electrode = (PetscBool)(tab->opt.model == SEMG_DECMODEL_VC);
  PetscReal       span          = 0.0;

  PetscFunctionBeginUser;
  tab->ne = dec->ne, tab->nt = dec->nt, tab->D = dec->K;
  for (PetscInt j = 0; j < dec->K; j++) tab->box_lo[j] = dec->scaler.lo[j], tab->box_hi[j] = dec->scaler.hi[j];
  PetscCall(PetscMalloc4(dec->ne, &tab->row_alo, dec->ne, &tab->row_y, dec->ne, &tab->row_z, dec->ne, &tab->erow));
  PetscCall(PetscMalloc1(dec->ne, &tab->ex));
  tab->nrow = 0;
  for (PetscInt e = 0; e < dec->ne; e++) {
    PetscInt r = 0;
    tab->ex[e] = dec->ex[e];
    if (!per_electrode)
      for (; r < tab->nrow; r++)
        if (PetscAbsReal(tab->row_y[r] - dec->ey[e]) < 1e-9 && PetscAbsReal(tab->row_z[r] - dec->ez[e]) < 1e-9) break;
    if (per_electrode) r = tab->nrow;
    if (r == tab->nrow) {
      tab->row_y[r] = dec->ey[e], tab->row_z[r] = dec->ez[e], tab->row_alo[r] = PETSC_MAX_REAL;
      tab->nrow++;
    }
    tab->erow[e]    = r;
    tab->row_alo[r] = PetscMin(tab->row_alo[r], dec->ex[e] - tab->box_hi[0]);
  }
  for (PetscInt e = 0; e < dec->ne; e++) span = PetscMax(span, dec->ex[e] - tab->box_lo[0] - tab->row_alo[tab->erow[e]]);
  tab->h[0]  = tab->opt.h[0];
  tab->n[0]  = PetscMax(7, (PetscInt)ceil(span / tab->h[0] - 1e-9) + 1);
  tab->lo[1] = tab->box_lo[1];
  GridAxis(tab->box_lo[1], tab->box_hi[1], tab->opt.h[1], &tab->n[1], &tab->h[1]);
  if (tab->D > 2) {
    tab->lo[2] = tab->box_lo[2];
    GridAxis(tab->box_lo[2], tab->box_hi[2], tab->opt.h[2], &tab->n[2], &tab->h[2]);
  } else tab->n[2] = 1, tab->h[2] = 0.0, tab->lo[2] = dec->spec.depth;
  tab->row_size = (size_t)(tab->n[0] + 2) * (tab->n[1] + 2) * (tab->D > 2 ? tab->n[2] + 2 : 1) * tab->nt;
  PetscCheck(tab->row_size * tab->nrow * sizeof(double) <= tab->opt.max_mb * 1e6, PETSC_COMM_SELF, SEMG_ERR_USER, "decoder table of %d row(s) x %d a x %d v x %d depth x %d times needs %.0f MB per rank > -dec_table_max_mb %g: coarsen -dec_table_h",
             (int)tab->nrow, (int)tab->n[0], (int)tab->n[1], (int)tab->n[2], (int)tab->nt, tab->row_size * tab->nrow * sizeof(double) / 1e6,
             (double)tab->opt.max_mb);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TableKey(SemgDecTable tab, const SemgDecoder *dec, SemgDecTableModel m)
{
  const PetscInt  ints[6] = {DECTABLE_VERSION, tab->D, tab->nrow, tab->nt, tab->ne, 0};
  const PetscReal geo[2]  = {dec->dt, dec->spec.depth};

  PetscFunctionBeginUser;
  tab->key = Fnv(1469598103934665603ULL, ints, sizeof(ints));
  tab->key = Fnv(tab->key, tab->n, sizeof(tab->n));
  tab->key = Fnv(tab->key, tab->lo, sizeof(tab->lo));
  tab->key = Fnv(tab->key, tab->h, sizeof(tab->h));
  tab->key = Fnv(tab->key, tab->box_lo, sizeof(tab->box_lo));
  tab->key = Fnv(tab->key, tab->box_hi, sizeof(tab->box_hi));
  tab->key = Fnv(tab->key, geo, sizeof(geo));
  tab->key = Fnv(tab->key, tab->row_alo, sizeof(PetscReal) * tab->nrow);
  tab->key = Fnv(tab->key, tab->row_y, sizeof(PetscReal) * tab->nrow);
  tab->key = Fnv(tab->key, tab->row_z, sizeof(PetscReal) * tab->nrow);
  tab->key = Fnv(tab->key, tab->erow, sizeof(PetscInt) * tab->ne);
  tab->key = Fnv(tab->key, tab->ex, sizeof(PetscReal) * tab->ne);
  tab->key = Fnv(tab->key, dec->tmpl, sizeof(SemgFibre) * dec->nf); /* all doubles: no padding */
  tab->key = Fnv(tab->key, dec->dcv, sizeof(PetscReal) * dec->nf);
  PetscCall(SemgDecTableModelHash(m, &tab->key));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Work items round-robin over the ranks (each a (depth, v) node, or a (depth, v, a) node for per-node
   models), values scattered into node slots of the zeroed table, then one sum over the ranks. */
static PetscErrorCode TableFill(MPI_Comm comm, SemgDecTable tab, SemgDecTableModel m)
{
  const PetscBool per_node = SemgDecTableModelPerNode(m);
  const PetscInt  n0 = tab->n[0], N0 = n0 + 2, N1 = tab->n[1] + 2, nt = tab->nt, na = per_node ? 1 : n0;
  const PetscInt  nitems = tab->n[1] * tab->n[2] * (per_node ? n0 : 1);
  const size_t    total  = tab->row_size * tab->nrow;
  PetscMPIInt     rank, size;
  PetscReal      *buf;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscCalloc1(total, &tab->c));
  PetscCall(PetscMalloc1((size_t)tab->nrow * na * nt, &buf));
  for (PetscInt it = rank; it < nitems; it += size) {
    const PetscInt  i = per_node ? it % n0 : -1, j = (per_node ? it / n0 : it) % tab->n[1], l = (per_node ? it / n0 : it) / tab->n[1];
    const PetscReal v = tab->lo[1] + j * tab->h[1], d = tab->D > 2 ? tab->lo[2] + l * tab->h[2] : tab->lo[2];
    const PetscInt  sl = tab->D > 2 ? l + 1 : 0;

    PetscCall(SemgDecTableModelFill(m, i, v, d, buf));
    for (PetscInt r = 0; r < tab->nrow; r++)
      for (PetscInt q = 0; q < na; q++) {
        const PetscInt si = per_node ? i + 1 : q + 1;
        PetscCall(PetscArraycpy(tab->c + r * tab->row_size + (((size_t)sl * N1 + j + 1) * N0 + si) * nt, buf + ((size_t)r * na + q) * nt, nt));
      }
  }
  PetscCall(PetscFree(buf));
  for (size_t o = 0; o < total; o += (size_t)1 << 28) {
    const PetscMPIInt cnt = (PetscMPIInt)PetscMin((size_t)1 << 28, total - o);
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, tab->c + o, cnt, MPI_DOUBLE, MPI_SUM, comm));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Cubic B-spline coefficients of one axis: slot s = node + 1 holds the value f_node on entry, slots 0
   and n + 1 are free; on return slots 0..n + 1 hold c_{-1}..c_n with c_{i-1} + 4 c_i + c_{i+1} = 6 f_i.
   End condition: the spline's second derivative at each end equals the data's, by the 6-point
   one-sided O(h^4) difference; the system is then tridiagonal in c_1..c_{n-2} (Thomas, constant
   coefficients). Element (s, q) is x[s stride + q], q < w (the columns solved together). */
static void SplineAxis(double *x, PetscInt n, size_t stride, size_t w, double *cp)
{
  cp[1] = 0.25;
  for (PetscInt i = 2; i <= n - 2; i++) cp[i] = 1.0 / (4.0 - cp[i - 1]);
  for (size_t q = 0; q < w; q++) {
    const double *f  = x + stride + q; /* f[i stride] = f_i */
    const double  d0 = (45 * f[0] - 154 * f[stride] + 214 * f[2 * stride] - 156 * f[3 * stride] + 61 * f[4 * stride] - 10 * f[5 * stride]) / 12.0;
    const double *g  = x + n * stride + q; /* g[-i stride] = f_{n-1-i} */
    const double  dl = (45 * g[0] - 154 * g[-(ptrdiff_t)stride] + 214 * g[-2 * (ptrdiff_t)stride] - 156 * g[-3 * (ptrdiff_t)stride] + 61 * g[-4 * (ptrdiff_t)stride] - 10 * g[-5 * (ptrdiff_t)stride]) / 12.0;
    x[q]             = f[0] - d0 / 6.0;        /* c_0, parked in slot 0 */
    x[(n + 1) * stride + q] = g[0] - dl / 6.0; /* c_{n-1}, parked in slot n + 1 */
  }
  /* forward sweep over nodes 1..n-2 (slots 2..n-1), in place */
  for (PetscInt i = 1; i <= n - 2; i++) {
    double       *xi = x + (i + 1) * stride;
    const double *xp = x + i * stride; /* previous d' (i > 1) */
    for (size_t q = 0; q < w; q++) {
      double r = 6.0 * xi[q];
      if (i == 1) r -= x[q];
      else r -= xp[q];
      if (i == n - 2) r -= x[(n + 1) * stride + q];
      xi[q] = r * cp[i];
    }
  }
  /* back substitution */
  for (PetscInt i = n - 3; i >= 1; i--) {
    double       *xi = x + (i + 1) * stride;
    const double *xn = x + (i + 2) * stride;
    for (size_t q = 0; q < w; q++) xi[q] -= cp[i] * xn[q];
  }
}

/* SplineAxis needs the end values f_0, f_{n-1} after it overwrote them: keep them in save. */
static void SplineAxisChunked(double *x, PetscInt n, size_t stride, double *cp, double *save)
{
  for (size_t q0 = 0; q0 < stride; q0 += 4096) {
    const size_t w = PetscMin((size_t)4096, stride - q0);
    double      *y = x + q0;
    for (size_t q = 0; q < w; q++) save[q] = y[stride + q], save[4096 + q] = y[n * stride + q];
    SplineAxis(y, n, stride, w, cp);
    for (size_t q = 0; q < w; q++) {
      const double c0 = y[q], cl = y[(n + 1) * stride + q];
      y[stride + q]           = c0;
      y[n * stride + q]       = cl;
      y[q]                    = 6.0 * save[q] - 4.0 * c0 - y[2 * stride + q];
      y[(n + 1) * stride + q] = 6.0 * save[4096 + q] - 4.0 * cl - y[(n - 1) * stride + q];
    }
  }
}

static PetscErrorCode TableSpline(SemgDecTable tab)
{
  const PetscInt N0 = tab->n[0] + 2, N1 = tab->n[1] + 2, nt = tab->nt, nl = tab->D > 2 ? tab->n[2] : 1;
  double        *cp, *save;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(PetscMax(PetscMax(tab->n[0], tab->n[1]), tab->n[2]), &cp, 2 * 4096, &save));
  for (PetscInt r = 0; r < tab->nrow; r++) {
    double *row = tab->c + r * tab->row_size;
    for (PetscInt l = 0; l < nl; l++) {
      const PetscInt sl = tab->D > 2 ? l + 1 : 0;
      for (PetscInt j = 1; j <= tab->n[1]; j++) SplineAxisChunked(row + ((size_t)sl * N1 + j) * N0 * nt, tab->n[0], (size_t)nt, cp, save);
      SplineAxisChunked(row + (size_t)sl * N1 * N0 * nt, tab->n[1], (size_t)N0 * nt, cp, save);
    }
    if (tab->D > 2) SplineAxisChunked(row, tab->n[2], (size_t)N1 * N0 * nt, cp, save);
  }
  PetscCall(PetscFree2(cp, save));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableCheck(MPI_Comm comm, SemgDecTable tab, SemgDecoder *dec, PetscInt nlat, uint64_t seed, PetscReal *err)
{
  const size_t net = (size_t)dec->ne * dec->nt, nct = (size_t)dec->nc * dec->nt;
  PetscReal   *phi, *y, *ye, e_max = 0.0;
  PetscMPIInt  rank, size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (!tab->model) PetscCall(SemgDecTableModelCreate(comm, tab, dec, &tab->model)); /* released after the build */
  PetscCall(PetscMalloc3(net, &phi, nct, &y, nct, &ye));
  for (PetscInt s = rank; s < nlat; s += size) {
    PetscReal theta[3], num = 0.0, den = 0.0;
    SemgRng   rng;
    SemgRngInit(&rng, seed, (uint64_t)s, SEMG_STREAM_USER);
    for (PetscInt j = 0; j < tab->D; j++) theta[j] = SemgRngUniformRange(&rng, tab->box_lo[j], tab->box_hi[j]);
    PetscCall(SemgDecTableModelExact(tab->model, theta, phi));
    SemgDecoderMontage(dec, phi, ye);
    PetscCall(SemgDecTablePotential(tab, theta, phi, NULL));
    SemgDecoderMontage(dec, phi, y);
    for (size_t i = 0; i < nct; i++) num = PetscMax(num, PetscAbsReal(y[i] - ye[i])), den = PetscMax(den, PetscAbsReal(ye[i]));
    if (den > 0) e_max = PetscMax(e_max, num / den);
  }
  PetscCall(PetscFree3(phi, y, ye));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &e_max, 1, MPIU_REAL, MPI_MAX, comm));
  *err = e_max;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableCreate(MPI_Comm comm, const SemgDecTableOptions *opt, SemgDecoder *dec, SemgDecTable *tabp)
{
  SemgDecTable   tab;
  PetscLogDouble t0, t1;
  PetscBool      found = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(PetscNew(&tab));
  tab->opt = *opt;
  PetscCall(TableLayout(tab, dec));
  PetscCall(SemgDecTableModelCreate(comm, tab, dec, &tab->model));
  PetscCall(TableKey(tab, dec, tab->model));
  if (opt->cache[0]) PetscCall(SemgDecTableCacheLoad(comm, tab, &found));
  if (!found) {
    PetscCall(TableFill(comm, tab, tab->model));
    PetscCall(TableSpline(tab));
    PetscCall(PetscTime(&t1));
    tab->build_seconds = t1 - t0;
    PetscCall(SemgDecTableCheck(comm, tab, dec, opt->checks, tab->key, &tab->err_max));
    if (opt->cache[0]) PetscCall(SemgDecTableCacheSave(comm, tab));
  }
  tab->from_cache = found;
  *tabp           = tab;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecoderUseTable(MPI_Comm comm, SemgDecoder *dec)
{
  const SemgDecTableOptions opt = dec->spec.table;
  size_t                    bytes;

  PetscFunctionBeginUser;
  if (!opt.use) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(SemgDecTableDestroy(&dec->table));
  PetscCall(SemgDecTableCreate(comm, &opt, dec, &dec->table));
  PetscCall(SemgDecTableModelDestroy(&dec->table->model)); /* e.g. a grid lead field: SemgDecTableCheck rebuilds it when asked */
  PetscCall(SemgDecTableBytes(dec->table, &bytes));
  PetscCall(PetscInfo(NULL, "decoder table %016llx\n", (unsigned long long)dec->table->key));
  PetscCall(PetscPrintf(comm, "decoder table (%s, key %016llx): %d row(s) x %d a x %d v x %d depth x %d times, %.1f MB per rank, %s %.2f s",
                        SemgDecModels[opt.model], (unsigned long long)dec->table->key, (int)dec->table->nrow, (int)dec->table->n[0], (int)dec->table->n[1],
                        (int)dec->table->n[2], (int)dec->table->nt, bytes / 1e6, dec->table->from_cache ? "read from cache, built originally in" : "built in",
                        (double)dec->table->build_seconds));
  if (opt.checks > 0)
    PetscCall(PetscPrintf(comm, ", max |table - model| / max |model| %.2e over %d random latents\n", (double)dec->table->err_max, (int)opt.checks));
  else PetscCall(PetscPrintf(comm, ", accuracy not checked (-dec_table_checks 0)\n"));
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
