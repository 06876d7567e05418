/* Gauss-Newton / Laplace covariance of the decoder latents (laplace.h). */
#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/laplace.h"

#define SEMG_LAPLACE_MAX_K 8

PetscErrorCode SemgLaplaceOptionsDefault(SemgLaplaceOptions *o)
{
  PetscFunctionBeginUser;
  o->lags    = 0;
  o->ch_lags = 0;
  for (PetscInt j = 0; j < SEMG_LAPLACE_FLOOR_MAX; j++) o->floor[j] = 0.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLaplaceOptionsSetFromOptions(MPI_Comm comm, SemgLaplaceOptions *o)
{
  PetscInt n;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Uncertainty of the estimates (Gauss-Newton / Laplace)", "semg");
  PetscCall(PetscOptionsInt("-unc_lags", "time lags of the residual autocovariance in the sandwich covariance (0 = white residuals)", "SemgLaplace", o->lags, &o->lags, NULL));
  PetscCall(PetscOptionsInt("-unc_channel_lags", "channel offsets of the residual covariance in the sandwich covariance (neighbouring channels)", "SemgLaplace", o->ch_lags, &o->ch_lags, NULL));
  n = SEMG_LAPLACE_FLOOR_MAX;
  PetscCall(PetscOptionsRealArray("-unc_floor", "model-error SD added in quadrature per latent: iz (m),cv (m/s)[,depth (m)], calibrated on a separate set", "SemgLaplace", o->floor, &n, NULL));
  PetscOptionsEnd();
  PetscCheck(o->lags >= 0 && o->ch_lags >= 0, comm, SEMG_ERR_USER, "-unc_lags and -unc_channel_lags must be >= 0");
  for (PetscInt j = 0; j < SEMG_LAPLACE_FLOOR_MAX; j++) PetscCheck(o->floor[j] >= 0, comm, SEMG_ERR_USER, "-unc_floor values must be >= 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Inverse of the symmetric K x K matrix a (Gauss-Jordan, partial pivoting); PETSC_FALSE when singular. */
static PetscBool InvertSmall(PetscInt K, const PetscReal *a, PetscReal *inv)
{
  PetscReal m[SEMG_LAPLACE_MAX_K][2 * SEMG_LAPLACE_MAX_K], scale = 0;

  for (PetscInt i = 0; i < K; i++) {
    for (PetscInt j = 0; j < K; j++) m[i][j] = a[i * K + j], m[i][K + j] = i == j;
    scale = PetscMax(scale, PetscAbsReal(a[i * K + i]));
  }
  if (!(scale > 0)) return PETSC_FALSE;
  for (PetscInt c = 0; c < K; c++) {
    PetscInt piv = c;
    for (PetscInt i = c + 1; i < K; i++)
      if (PetscAbsReal(m[i][c]) > PetscAbsReal(m[piv][c])) piv = i;
    if (PetscAbsReal(m[piv][c]) < 1e-13 * scale) return PETSC_FALSE;
    for (PetscInt j = 0; j < 2 * K; j++) {
      PetscReal t = m[c][j];
      m[c][j] = m[piv][j], m[piv][j] = t;
    }
    for (PetscInt j = 2 * K - 1; j >= c; j--) m[c][j] /= m[c][c];
    for (PetscInt i = 0; i < K; i++)
      if (i != c)
        for (PetscInt j = 2 * K - 1; j >= c; j--) m[i][j] -= m[i][c] * m[c][j];
  }
  for (PetscInt i = 0; i < K; i++)
    for (PetscInt j = 0; j < K; j++) inv[i * K + j] = m[i][K + j];
  return PETSC_TRUE;
}

/* sum over the channel pairs (c, c+q) and times (t, t+k) inside the record of u[c][t] v[c+q][t+k] */
static PetscReal LaggedDot(PetscInt nc, PetscInt nt, const PetscReal *u, const PetscReal *v, PetscInt q, PetscInt k)
{
  PetscReal s = 0;

  for (PetscInt c = PetscMax(0, -q); c < nc && c + q < nc; c++) {
    const PetscReal *uc = u + (size_t)c * nt, *vc = v + (size_t)(c + q) * nt;
    for (PetscInt t = PetscMax(0, -k); t < nt && t + k < nt; t++) s += uc[t] * vc[t + k];
  }
  return s;
}

/* meat M = B^T C B with C_(c,t),(c+q,t+k) = w(q,k) gamma(q,k): the residual's lagged covariance, scaled so
   that gamma(0,0) = s2 (the degrees-of-freedom corrected variance), Bartlett weights in both lags. */
static void SandwichMeat(const SemgDecoder *dec, const SemgLaplaceOptions *o, const PetscReal *B, const PetscReal *r, PetscReal rr, PetscReal s2, PetscReal *M)
{
  const PetscInt K = dec->K, nc = dec->nc, nt = dec->nt;
  const size_t   nct = (size_t)nc * nt;

  for (PetscInt i = 0; i < K * K; i++) M[i] = 0;
  for (PetscInt q = -o->ch_lags; q <= o->ch_lags; q++)
    for (PetscInt k = -o->lags; k <= o->lags; k++) {
      const PetscReal w     = (1.0 - (PetscReal)PetscAbsInt(q) / (o->ch_lags + 1)) * (1.0 - (PetscReal)PetscAbsInt(k) / (o->lags + 1));
      const PetscReal gamma = LaggedDot(nc, nt, r, r, q, k) / rr * s2; /* autocorrelation x s2 */
      for (PetscInt i = 0; i < K; i++)
        for (PetscInt j = 0; j < K; j++) M[i * K + j] += w * gamma * LaggedDot(nc, nt, B + (size_t)i * nct, B + (size_t)j * nct, q, k);
    }
}

PetscErrorCode SemgLaplaceJacobian(SemgDecoder *dec, const PetscReal *theta, const PetscReal *x, PetscReal *B, PetscReal *r, PetscReal *gain, PetscBool *ok)
{
  const size_t nct = (size_t)dec->nc * dec->nt;
  PetscReal    xy = 0, yy = 0, g;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(dec, theta, dec->y, dec->J));
  for (size_t i = 0; i < nct; i++) xy += x[i] * dec->y[i], yy += dec->y[i] * dec->y[i];
  *ok = (PetscBool)(yy > 1e-300 && xy > 0);
  if (!*ok) PetscFunctionReturn(PETSC_SUCCESS);
  g = xy / yy;
  for (size_t i = 0; i < nct; i++) r[i] = x[i] - g * dec->y[i];
  /* B_j = g (I - y y^T/<y,y>) J_j: the tangent with its component along y (a gain change) removed */
  for (PetscInt j = 0; j < dec->K; j++) {
    const PetscReal *Jj = dec->J + (size_t)j * nct;
    PetscReal       *Bj = B + (size_t)j * nct, yJ = 0;
    for (size_t i = 0; i < nct; i++) yJ += dec->y[i] * Jj[i];
    for (size_t i = 0; i < nct; i++) Bj[i] = g * (Jj[i] - yJ / yy * dec->y[i]);
  }
  if (gain) *gain = g;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* cov = Hi M Hi (the sandwich) */
static void Sandwich(PetscInt K, const PetscReal *Hi, const PetscReal *M, PetscReal *cov)
{
  PetscReal T[SEMG_LAPLACE_MAX_K * SEMG_LAPLACE_MAX_K];

  for (PetscInt i = 0; i < K; i++)
    for (PetscInt j = 0; j < K; j++) {
      T[i * K + j] = 0;
      for (PetscInt l = 0; l < K; l++) T[i * K + j] += Hi[i * K + l] * M[l * K + j];
    }
  for (PetscInt i = 0; i < K; i++)
    for (PetscInt j = 0; j < K; j++) {
      cov[i * K + j] = 0;
      for (PetscInt l = 0; l < K; l++) cov[i * K + j] += T[i * K + l] * Hi[l * K + j];
    }
}

PetscErrorCode SemgLaplaceCovariance(SemgDecoder *dec, const SemgLaplaceOptions *o, const PetscReal *theta, const PetscReal *x, PetscReal *cov, PetscReal *s2out, PetscReal *gain)
{
  const PetscInt K   = dec->K;
  const size_t   nct = (size_t)dec->nc * dec->nt;
  PetscReal      rr  = 0, s2, H[SEMG_LAPLACE_MAX_K * SEMG_LAPLACE_MAX_K], Hi[SEMG_LAPLACE_MAX_K * SEMG_LAPLACE_MAX_K];
  PetscReal     *B, *r;
  PetscBool      ok;

  PetscFunctionBeginUser;
  PetscCheck(K <= SEMG_LAPLACE_MAX_K, PETSC_COMM_SELF, PETSC_ERR_SUP, "uncertainty of at most %d latents", SEMG_LAPLACE_MAX_K);
  for (PetscInt i = 0; i < K * K; i++) cov[i] = NAN;
  if (s2out) *s2out = NAN;
  if (gain) *gain = 0.0;
  if (nct <= (size_t)K + 1) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc2(K * nct, &B, nct, &r));
  PetscCall(SemgLaplaceJacobian(dec, theta, x, B, r, gain, &ok));
  if (ok) {
    for (size_t i = 0; i < nct; i++) rr += r[i] * r[i];
    s2 = rr / (PetscReal)(nct - (size_t)K - 1); /* p = K latents + the gain */
    for (PetscInt i = 0; i < K; i++)
      for (PetscInt j = 0; j <= i; j++) {
        PetscReal s = 0;
        for (size_t l = 0; l < nct; l++) s += B[(size_t)i * nct + l] * B[(size_t)j * nct + l];
        H[i * K + j] = H[j * K + i] = s;
      }
    if (rr > 0 && InvertSmall(K, H, Hi)) {
      if (o->lags == 0 && o->ch_lags == 0) {
        for (PetscInt i = 0; i < K * K; i++) cov[i] = s2 * Hi[i];
      } else {
        PetscReal M[SEMG_LAPLACE_MAX_K * SEMG_LAPLACE_MAX_K];
        SandwichMeat(dec, o, B, r, rr, s2, M);
        Sandwich(K, Hi, M, cov);
      }
      for (PetscInt j = 0; j < PetscMin(K, SEMG_LAPLACE_FLOOR_MAX); j++) cov[j * K + j] += o->floor[j] * o->floor[j];
    }
    if (s2out) *s2out = s2;
  }
  PetscCall(PetscFree2(B, r));
  PetscFunctionReturn(PETSC_SUCCESS);
}
