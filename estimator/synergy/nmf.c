#include <math.h>
#include "core/semg_error.h"
#include "estimator/synergy/metrics.h"
#include "estimator/synergy/nmf.h"

const char *const SemgRankRules[] = {"vaf", "r2fit", "elbow", "fixed", "SemgRankRule", "SEMG_RANK_", NULL};

PetscErrorCode SemgNMFParamsDefault(SemgNMFParams *p)
{
  PetscFunctionBeginUser;
  p->max_iter = 1000;
  p->window   = 20;
  p->rel_tol  = 0.01 / 100;
  p->restarts = 5;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNMFOptions(PetscOptionItems *PetscOptionsObject, SemgNMFParams *p)
{
  PetscFunctionBeginUser;
  PetscOptionsHeadBegin(PetscOptionsObject, "NMF (spec synergies.md 3)");
  PetscCall(PetscOptionsInt("-nmf_restarts", "random restarts per rank (the highest R^2 is kept)", "", p->restarts, &p->restarts, NULL));
  PetscCall(PetscOptionsInt("-nmf_max_iter", "iteration limit", "", p->max_iter, &p->max_iter, NULL));
  PetscCall(PetscOptionsReal("-nmf_rel_tol", "stop when R^2 gained less than R^2 * this over the last 20 iterations", "", p->rel_tol, &p->rel_tol, NULL));
  PetscOptionsHeadEnd();
  PetscCheck(p->restarts >= 1, PETSC_COMM_SELF, SEMG_ERR_USER, "-nmf_restarts must be >= 1 (got %d)", (int)p->restarts);
  PetscCheck(p->max_iter >= 1, PETSC_COMM_SELF, SEMG_ERR_USER, "-nmf_max_iter must be >= 1 (got %d)", (int)p->max_iter);
  PetscCheck(p->rel_tol >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-nmf_rel_tol must be >= 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNMFFloor(PetscInt M, PetscInt T, PetscReal *V, const char *what)
{
  PetscReal minpos = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  for (size_t i = 0; i < (size_t)M * T; i++)
    if (V[i] > 0) minpos = PetscMin(minpos, V[i]);
  PetscCheck(minpos < PETSC_MAX_REAL, PETSC_COMM_SELF, SEMG_ERR_USER, "%s: no positive entry to factorise", what);
  for (size_t i = 0; i < (size_t)M * T; i++)
    if (!(V[i] > 0)) V[i] = minpos;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNMFInit(PetscInt M, PetscInt T, PetscInt N, const PetscReal *V, SemgRng *rng, PetscReal *W, PetscReal *H)
{
  PetscReal lo = V[0], hi = V[0];

  PetscFunctionBeginUser;
  for (size_t i = 1; i < (size_t)M * T; i++) {
    lo = PetscMin(lo, V[i]);
    hi = PetscMax(hi, V[i]);
  }
  for (size_t i = 0; i < (size_t)M * N; i++) W[i] = SemgRngUniformRange(rng, lo, hi);
  for (size_t i = 0; i < (size_t)N * T; i++) H[i] = SemgRngUniformRange(rng, lo, hi);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscCount SemgNMFWorkSize(PetscInt M, PetscInt T, PetscInt N)
{
  return (PetscCount)N * T + 2 * (PetscCount)N * N + 2 * (PetscCount)M * N;
}

/* x <- x * num / den element-wise; an entry whose denominator is exactly 0 stays (the reference has no
   epsilon; results are otherwise identical). */
static void MultiplicativeUpdate(PetscCount n, PetscReal *x, const PetscReal *num, const PetscReal *den)
{
  for (PetscCount i = 0; i < n; i++)
    if (den[i] != 0) x[i] *= num[i] / den[i];
}

PetscErrorCode SemgNMFIterate(PetscInt M, PetscInt T, PetscInt N, const PetscReal *V, PetscReal *W, PetscReal *H, PetscReal *work)
{
  PetscReal *WtV = work, *WtW = WtV + (size_t)N * T, *HHt = WtW + (size_t)N * N, *VHt = HHt + (size_t)N * N, *WHHt = VHt + (size_t)M * N;

  PetscFunctionBeginUser;
  /* H <- H (W^T V) / (W^T W H) */
  for (PetscInt a = 0; a < N; a++) {
    PetscReal *row = WtV + (size_t)a * T;
    for (PetscInt t = 0; t < T; t++) row[t] = 0;
    for (PetscInt m = 0; m < M; m++) {
      PetscReal        w = W[(size_t)m * N + a];
      const PetscReal *v = V + (size_t)m * T;
      for (PetscInt t = 0; t < T; t++) row[t] += w * v[t];
    }
    for (PetscInt b = 0; b < N; b++) {
      PetscReal s = 0;
      for (PetscInt m = 0; m < M; m++) s += W[(size_t)m * N + a] * W[(size_t)m * N + b];
      WtW[(size_t)a * N + b] = s;
    }
  }
  for (PetscInt a = 0; a < N; a++) {
    PetscReal *num = WtV + (size_t)a * T;
    for (PetscInt t = 0; t < T; t++) {
      PetscReal den = 0;
      for (PetscInt b = 0; b < N; b++) den += WtW[(size_t)a * N + b] * H[(size_t)b * T + t];
      /* den depends on every row of H at column t: keep the old column until all rows are updated */
      num[t] = den != 0 ? num[t] / den : 1.0;
    }
  }
  for (size_t i = 0; i < (size_t)N * T; i++) H[i] *= WtV[i];
  /* W <- W (V H^T) / (W H H^T) */
  for (PetscInt a = 0; a < N; a++)
    for (PetscInt b = 0; b < N; b++) {
      PetscReal        s  = 0;
      const PetscReal *ha = H + (size_t)a * T, *hb = H + (size_t)b * T;
      for (PetscInt t = 0; t < T; t++) s += ha[t] * hb[t];
      HHt[(size_t)a * N + b] = s;
    }
  for (PetscInt m = 0; m < M; m++) {
    const PetscReal *v = V + (size_t)m * T;
    for (PetscInt a = 0; a < N; a++) {
      const PetscReal *ha = H + (size_t)a * T;
      PetscReal        s = 0, d = 0;
      for (PetscInt t = 0; t < T; t++) s += v[t] * ha[t];
      for (PetscInt b = 0; b < N; b++) d += W[(size_t)m * N + b] * HHt[(size_t)b * N + a];
      VHt[(size_t)m * N + a]  = s;
      WHHt[(size_t)m * N + a] = d;
    }
  }
  MultiplicativeUpdate((PetscCount)M * N, W, VHt, WHHt);
  SemgNormaliseSynergies(M, N, T, W, H); /* unit-norm synergies, W H unchanged */
  PetscCall(PetscLogFlops(4.0 * M * N * T + 4.0 * N * N * T));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNMFSolve(const SemgNMFParams *p, PetscInt M, PetscInt T, PetscInt N, const PetscReal *V, PetscReal *W, PetscReal *H, PetscReal *r2, PetscInt *iters)
{
  PetscReal *work, *Vhat, *hist, ss_tot;
  PetscInt   i;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(SemgNMFWorkSize(M, T, N), &work, (size_t)M * T, &Vhat, p->window + 1, &hist));
  ss_tot = SemgSumSquaresAboutMean((PetscCount)M * T, V);
  for (i = 1; i <= p->max_iter; i++) {
    PetscReal r;
    PetscCall(SemgNMFIterate(M, T, N, V, W, H, work));
    SemgReconstruct(M, T, N, W, H, Vhat);
    r                         = 1.0 - SemgSumSquaredDiff((PetscCount)M * T, V, Vhat) / ss_tot;
    hist[i % (p->window + 1)] = r;
    *r2                       = r;
    /* musclesyneRgies: stop when i > 20 and R^2_i - R^2_{i-20} < R^2_i * 0.01/100 */
    if (i > p->window && r - hist[(i - p->window) % (p->window + 1)] < r * p->rel_tol) break;
  }
  *iters = PetscMin(i, p->max_iter);
  PetscCall(PetscFree3(work, Vhat, hist));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt SemgRankByVAF(PetscInt nmax, const PetscReal *vaf, PetscReal threshold)
{
  for (PetscInt n = 1; n <= nmax; n++)
    if (vaf[n - 1] >= threshold) return n;
  return nmax;
}

PetscInt SemgRankByR2Fit(PetscInt nmax, const PetscReal *r2, PetscReal mse_tol)
{
  /* Santuz: least-squares line through R^2(N), N = k..nmax; the first k whose mean squared residual is
     <= mse_tol; nmax - 1 if none before that. */
  for (PetscInt k = 1; k < nmax - 1; k++) {
    PetscInt  n  = nmax - k + 1;
    PetscReal sx = 0, sy = 0, sxx = 0, sxy = 0, slope, icpt, mse = 0;
    for (PetscInt N = k; N <= nmax; N++) {
      sx += N;
      sy += r2[N - 1];
      sxx += (PetscReal)N * N;
      sxy += N * r2[N - 1];
    }
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    icpt  = (sy - slope * sx) / n;
    for (PetscInt N = k; N <= nmax; N++) {
      PetscReal e = r2[N - 1] - (icpt + slope * N);
      mse += e * e;
    }
    if (mse / n <= mse_tol) return k;
  }
  return PetscMax(nmax - 1, 1);
}

PetscInt SemgRankByElbow(PetscInt nmax, const PetscReal *vaf)
{
  PetscReal dx = nmax - 1, dy = vaf[nmax - 1] - vaf[0], best = -1;
  PetscInt  arg = 1;

  /* distance to the chord is proportional to |cross product|; the argmax is independent of axis scales */
  for (PetscInt n = 1; n <= nmax; n++) {
    PetscReal d = PetscAbsReal((n - 1) * dy - (vaf[n - 1] - vaf[0]) * dx);
    if (d > best) {
      best = d;
      arg  = n;
    }
  }
  return arg;
}

PetscInt SemgRankMax(PetscInt M)
{
  PetscReal q = M / 4.0, r = floor(q);

  if (q - r == 0.5) r = fmod(r, 2.0) == 0 ? r : r + 1; /* round half to even */
  else r = floor(q + 0.5);
  return M - (PetscInt)r;
}
