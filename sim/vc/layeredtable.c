#include <fftw3.h>
#include "core/semg_error.h"
#include "sim/vc/layered.h"
#include "sim/vc/layeredtable.h"

struct _p_SemgLayeredTable {
  SemgTissue t;
  PetscInt   nx, ny, nd; /* x >= 0, y >= 0 quadrant (G is even in both) and depth slices */
  PetscInt   fx, fy;     /* FFT box in points */
  PetscReal  h, d0, dd;  /* spacing in x and y; first slice depth and step */
  PetscReal  dmin;       /* shallowest covered depth */
  double    *val;        /* correction C at [(j nx + i) nd + k]: the 4 depths of a stencil are adjacent */
};

PetscErrorCode SemgLayeredTableSpecDefault(SemgLayeredTableSpec *s)
{
  PetscFunctionBeginUser;
  s->xmax = s->ymax = 0.05;
  s->dmin = s->dmax = 0.01;
  s->per_depth      = 12.0;
  s->pad            = 3.0;
  s->fix_constant   = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Smallest even 2^a 3^b 5^c >= n: fast FFTW sizes. */
static PetscInt NiceSize(PetscInt n)
{
  for (PetscInt m = PetscMax(4, n + (n & 1));; m += 2) {
    PetscInt r = m;
    while (r % 2 == 0) r /= 2;
    while (r % 3 == 0) r /= 3;
    while (r % 5 == 0) r /= 5;
    if (r == 1) return m;
  }
}

/* Lagrange weights of the nodes -1, 0, 1, 2 at t (exact for cubics). */
static inline void Lagrange4(PetscReal t, PetscReal w[4])
{
  const PetscReal tp = t + 1, tm = t - 1, t2 = t - 2;

  w[0] = -t * tm * t2 / 6.0;
  w[1] = tp * tm * t2 / 2.0;
  w[2] = -tp * t * t2 / 2.0;
  w[3] = tp * t * tm / 6.0;
}

/* Small-k limit of H - H_hs: (D - d)/sigma_T - S k^2 / (sigma_T^2 k_a^2) + O(k), S = sigma_f h_f + sigma_s h_s
   the sheet conductance of the top layers. The direction-dependent second term would leave a 1/r^2 tail
   (slowly decaying periodic images in the FFT box). SheetKernel =
   -S / sigma_T^2 k^2 / k_a^2 (1 + k_a a) exp(-k_a a), a = D, has that limit and no O(k) term of its own,
   and a closed-form inverse transform (SheetPotential). */
/* Inverse 2-D transform of SheetKernel at (x, y). With x' = x / sqrt(R_a), R' = sqrt(x'^2 + y^2 + a^2):
   exp(-k_a a) / k_a^2 -> -ln(a + R') / (2 pi sqrt(R_a)) + const, exp(-k_a a) / k_a -> 1 / (2 pi sqrt(R_a) R'),
   and k_x^2, k_y^2 -> -d_xx, -d_yy. */
static PetscReal SheetPotential(const SemgTissue *t, PetscReal a, PetscReal x, PetscReal y)
{
  const PetscReal S = t->sigma_fat * t->fat_thickness + t->sigma_skin * t->skin_thickness, ra = t->sigma_long / t->sigma_trans;
  const PetscReal xp = x / PetscSqrtReal(ra), R = PetscSqrtReal(xp * xp + y * y + a * a), b = R * (a + R), c = (a + 2 * R) / (R * R * R * (a + R) * (a + R));
  const PetscReal uxx = 1.0 / b - xp * xp * c, uyy = 1.0 / b - y * y * c; /* second derivatives of ln(a + R') in x', y */
  const PetscReal R3 = R * R * R, R5 = R3 * R * R, lap = -1.0 / (ra * R3) + 3 * xp * xp / (ra * R5) - 1.0 / R3 + 3 * y * y / R5; /* (d_xx + d_yy) 1/R' */

  return -S / (t->sigma_trans * t->sigma_trans) / (2 * PETSC_PI * PetscSqrtReal(ra)) * (uxx / ra + uyy - a * lap);
}

/* One depth slice: C(x, y) = F^-1[H - H_hs](x, y) on the fx x fy box (k = 0 bin 0), quadrant copied out. */
/* H - H_hs - SheetKernel at (kx, ky) != 0: SemgLayeredTransfer with its exponentials shared (the FFT box
   has millions of points per slice). */
static inline PetscReal RemainderKernel(const SemgTissue *t, PetscReal d, PetscReal kx, PetscReal ky)
{
  const PetscReal k2 = kx * kx + ky * ky, k = PetscSqrtReal(k2), ka2 = t->sigma_long / t->sigma_trans * kx * kx + ky * ky, ka = PetscSqrtReal(ka2);
  const PetscReal hfs = t->fat_thickness + t->skin_thickness, D = d + hfs, S = t->sigma_fat * t->fat_thickness + t->sigma_skin * t->skin_thickness;
  const PetscReal eh = PetscExpReal(-k * t->fat_thickness), es = PetscExpReal(-k * t->skin_thickness), ed = PetscExpReal(-ka * d), eD = ed * PetscExpReal(-ka * hfs);
  const PetscReal t1 = (1 - eh * eh) / (1 + eh * eh), t2 = (1 - es * es) / (1 + es * es), inv_c1c2 = 4 * eh * es / ((1 + eh * eh) * (1 + es * es)), rc = t->sigma_skin / t->sigma_fat;
  const PetscReal den = t->sigma_trans * ka * (1 + rc * t1 * t2) + t->sigma_fat * k * (t1 + rc * t2);

  return ed * inv_c1c2 / den - eD / (t->sigma_trans * ka) + S / (t->sigma_trans * t->sigma_trans) * k2 / ka2 * (1 + ka * D) * eD;
}

static PetscErrorCode SliceFFT(SemgLayeredTable tab, PetscReal d, fftw_plan plan, double *inr, PetscReal *slice)
{
  const SemgTissue *t  = &tab->t;
  const PetscInt    fx = tab->fx, fy = tab->fy, nh = fy / 2 + 1;
  const PetscReal   Lx = fx * tab->h, Ly = fy * tab->h, D = d + t->fat_thickness + t->skin_thickness;

  PetscFunctionBeginUser;
  /* H and the half-space kernel both decay like exp(-k D): their difference is smooth in x, y; the
     sheet term takes out its direction-dependent limit at k = 0. Rows p and fx - p are equal (k_x^2). */
  for (PetscInt p = 0; p <= fx / 2; p++) {
    const PetscReal kx  = 2.0 * PETSC_PI * p / Lx;
    double         *row = inr + (size_t)p * 2 * nh, *mirror = inr + (size_t)((fx - p) % fx) * 2 * nh;
    for (PetscInt q = 0; q < nh; q++) {
      row[2 * q]     = (p || q) ? RemainderKernel(t, d, kx, 2.0 * PETSC_PI * q / Ly) / (Lx * Ly) : 0.0;
      row[2 * q + 1] = 0.0;
    }
    if (p && p < fx / 2) PetscCall(PetscArraycpy(mirror, row, 2 * nh));
  }
  fftw_execute(plan); /* in place: row i of the result starts at inr[i 2 nh] */
  for (PetscInt j = 0; j < tab->ny; j++)
    for (PetscInt i = 0; i < tab->nx; i++)
      slice[(size_t)j * tab->nx + i] = inr[(size_t)i * 2 * nh + j] + SheetPotential(t, D, i * tab->h, j * tab->h);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The k = 0 bin is unknown (H - H_hs has a direction-dependent limit there): the slice is right up to a
   constant, fixed so that G(0, 0) equals the polar quadrature. */
static PetscErrorCode SliceConstant(SemgLayeredTable tab, PetscReal d, PetscReal c00, PetscReal *shift)
{
  const SemgTissue *t      = &tab->t;
  const PetscReal   src[3] = {0, 0, -(d + t->fat_thickness + t->skin_thickness)}, pt[3] = {0, 0, 0};
  PetscReal         g;

  PetscFunctionBeginUser;
  PetscCall(SemgLayeredSurfacePotential(t, d, 0.0, 0.0, &g));
  *shift = g - SemgOracleHalfspace(t->sigma_long, t->sigma_trans, src, pt) - c00;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TableFill(SemgLayeredTable tab, PetscBool fix_constant)
{
  const PetscInt nh = tab->fy / 2 + 1;
  const size_t   nq = (size_t)tab->nx * tab->ny;
  fftw_complex  *in;
  double        *slice;
  fftw_plan      plan;

  PetscFunctionBeginUser;
  in = fftw_alloc_complex((size_t)tab->fx * nh);
  PetscCheck(in, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW allocation failed (layered table %d x %d)", (int)tab->fx, (int)tab->fy);
  /* FFTW_ESTIMATE: the plan, hence every bit of the table, does not depend on timings */
  plan = fftw_plan_dft_c2r_2d((int)tab->fx, (int)tab->fy, in, (double *)in, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(plan);
  PetscCall(PetscMalloc1(nq, &slice));
  for (PetscInt k = 0; k < tab->nd; k++) {
    const PetscReal d     = tab->d0 + k * tab->dd;
    PetscReal       shift = 0;

    PetscCall(SliceFFT(tab, d, plan, (double *)in, slice));
    if (fix_constant) PetscCall(SliceConstant(tab, d, slice[0], &shift));
    for (size_t q = 0; q < nq; q++) tab->val[q * tab->nd + k] = slice[q] + shift;
  }
  PetscCall(PetscFree(slice));
  fftw_destroy_plan(plan);
  fftw_free(in);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredTableCreate(const SemgTissue *t, const SemgLayeredTableSpec *spec, SemgLayeredTable *tab)
{
  const PetscReal  hfs = t->fat_thickness + t->skin_thickness;
  SemgLayeredTable b;
  PetscReal        bytes, lambda;

  PetscFunctionBeginUser;
  PetscCheck(spec->dmin > 0 && spec->dmax >= spec->dmin, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layered table: need 0 < dmin <= dmax (got %g, %g)",
             (double)spec->dmin, (double)spec->dmax);
  PetscCheck(spec->xmax >= 0 && spec->ymax >= 0 && spec->per_depth > 0 && spec->pad >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layered table: need xmax, ymax >= 0, per_depth > 0, pad >= 1");
  PetscCall(PetscNew(&b));
  b->t    = *t;
  b->dmin = spec->dmin;
  b->h    = (spec->dmin + hfs) / spec->per_depth;
  b->dd   = b->h;
  b->d0   = spec->dmin;
  /* 4-point stencils: two points beyond the last covered offset / depth */
  b->nx = (PetscInt)PetscCeilReal(spec->xmax / b->h) + 3;
  b->ny = (PetscInt)PetscCeilReal(spec->ymax / b->h) + 3;
  b->nd = PetscMax(4, (PetscInt)PetscCeilReal((spec->dmax - spec->dmin) / b->dd) + 3);
  /* Square box (an image across y must be far from every tabulated x offset too), at least 16 times the
     tissue length lambda = S / sigma_T + h_f + h_s + dmax: the O(k) terms left in H - H_hs - SheetKernel
     give tails set by lambda whose periodic images fall off like L^-4.5 (measured: L = 0.2 / 0.4 / 0.8 m
     gave 5e-4 / 2e-5 / 1.4e-6 relative at offsets <= 25 mm, set A). */
  lambda = (t->sigma_fat * t->fat_thickness + t->sigma_skin * t->skin_thickness) / t->sigma_trans + hfs + spec->dmax;
  b->fx  = NiceSize((PetscInt)PetscCeilReal(PetscMax(2 * spec->pad * PetscMax(b->nx, b->ny), 16 * lambda / b->h)));
  b->fy  = b->fx;
  *tab   = b;
  if (hfs == 0) PetscFunctionReturn(PETSC_SUCCESS); /* H = H_hs: nothing to tabulate */
  bytes = 8.0 * b->nx * b->ny * b->nd + 8.0 * b->fx * (b->fy + 2);
  PetscCheck(bytes < 2e9, PETSC_COMM_SELF, SEMG_ERR_USER, "layered lead field: table of %d x %d x %d points (%.2g GB) too large: the shallowest source depth %g m below the fat sets the spacing; use deeper sources or thicker layers",
             (int)b->nx, (int)b->ny, (int)b->nd, bytes / 1e9, (double)spec->dmin);
  PetscCall(PetscMalloc1((size_t)b->nx * b->ny * b->nd, &b->val));
  PetscCall(TableFill(b, spec->fix_constant));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredTableDestroy(SemgLayeredTable *tab)
{
  PetscFunctionBeginUser;
  if (!*tab) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree((*tab)->val));
  PetscCall(PetscFree(*tab));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredTableGetInfo(SemgLayeredTable tab, PetscInt n[3], PetscReal *h, PetscReal *dd, size_t *bytes, PetscInt fft[2])
{
  PetscFunctionBeginUser;
  if (n) n[0] = tab->nx, n[1] = tab->ny, n[2] = tab->nd;
  if (h) *h = tab->h;
  if (dd) *dd = tab->dd;
  if (bytes) *bytes = tab->val ? sizeof(double) * (size_t)tab->nx * tab->ny * tab->nd : 0;
  if (fft) fft[0] = tab->fx, fft[1] = tab->fy;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredTableGetTissue(SemgLayeredTable tab, SemgTissue *t)
{
  PetscFunctionBeginUser;
  *t = tab->t;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscBool SemgLayeredTableCovers(SemgLayeredTable tab, PetscReal ax, PetscReal ay, PetscReal z)
{
  const PetscReal d = -z - tab->t.fat_thickness - tab->t.skin_thickness, eps = 1e-9 * tab->h;

  if (!(d > 0)) return PETSC_FALSE;
  if (!tab->val) return PETSC_TRUE;
  return (PetscBool)(d >= tab->dmin - eps && d <= tab->d0 + (tab->nd - 2) * tab->dd + eps && ax <= (tab->nx - 3) * tab->h + eps &&
                     ay <= (tab->ny - 3) * tab->h + eps);
}

/* Stencil start (node -1) and weights along one quadrant axis; index -1 mirrors to 1 (G even). */
static inline void AxisStencil(PetscReal a, PetscReal h, PetscInt n, PetscInt idx[4], PetscReal w[4])
{
  PetscReal u  = PetscMin(a / h, (PetscReal)n); /* clamped before the cast: far points must not overflow */
  PetscInt  i0 = PetscMin((PetscInt)u, n - 3);

  Lagrange4(u - i0, w);
  for (PetscInt s = 0; s < 4; s++) idx[s] = PetscAbsInt(i0 - 1 + s);
}

void SemgLayeredTableEvalAll(SemgLayeredTable tab, const PetscReal p[3], PetscInt ne, const PetscReal *exyz, PetscReal *val)
{
  const SemgTissue *t = &tab->t;
  PetscReal         wd[4], u;
  PetscInt          k0;

  for (PetscInt e = 0; e < ne; e++) {
    const PetscReal q[3] = {exyz[3 * e], exyz[3 * e + 1], 0.0};
    val[e]               = SemgOracleHalfspace(t->sigma_long, t->sigma_trans, p, q);
  }
  if (!tab->val) return;
  /* depth stencil: nodes k0 .. k0 + 3, the point between the middle two where the table allows */
  u  = PetscMax(-1.0, PetscMin((-p[2] - t->fat_thickness - t->skin_thickness - tab->d0) / tab->dd, (PetscReal)tab->nd));
  k0 = PetscMax(0, PetscMin((PetscInt)PetscFloorReal(u) - 1, tab->nd - 4));
  Lagrange4(u - k0 - 1, wd);
  for (PetscInt e = 0; e < ne; e++) {
    PetscInt  ix[4], iy[4];
    PetscReal wx[4], wy[4], sum = 0;

    AxisStencil(PetscAbsReal(exyz[3 * e] - p[0]), tab->h, tab->nx, ix, wx);
    AxisStencil(PetscAbsReal(exyz[3 * e + 1] - p[1]), tab->h, tab->ny, iy, wy);
    for (PetscInt b = 0; b < 4; b++) {
      PetscReal row = 0;
      for (PetscInt a = 0; a < 4; a++) {
        const double *v = tab->val + ((size_t)iy[b] * tab->nx + ix[a]) * tab->nd + k0;
        row += wx[a] * (wd[0] * v[0] + wd[1] * v[1] + wd[2] * v[2] + wd[3] * v[3]);
      }
      sum += wy[b] * row;
    }
    val[e] += sum;
  }
}
