#include <math.h>
#include "core/semg_error.h"
#include "estimator/synergy/hungarian.h"
#include "estimator/synergy/metrics.h"

PetscReal SemgSumSquaredDiff(PetscCount n, const PetscReal *a, const PetscReal *b)
{
  PetscReal s = 0;
  for (PetscCount i = 0; i < n; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

PetscReal SemgSumSquaresAboutMean(PetscCount n, const PetscReal *a)
{
  PetscReal mean = 0, s = 0;
  for (PetscCount i = 0; i < n; i++) mean += a[i];
  mean /= n;
  for (PetscCount i = 0; i < n; i++) s += (a[i] - mean) * (a[i] - mean);
  return s;
}

void SemgReconstruct(PetscInt M, PetscInt T, PetscInt N, const PetscReal *W, const PetscReal *H, PetscReal *Vhat)
{
  for (PetscInt m = 0; m < M; m++) {
    PetscReal *o = Vhat + (size_t)m * T;
    for (PetscInt t = 0; t < T; t++) o[t] = 0;
    for (PetscInt a = 0; a < N; a++) {
      PetscReal        w = W[(size_t)m * N + a];
      const PetscReal *h = H + (size_t)a * T;
      for (PetscInt t = 0; t < T; t++) o[t] += w * h[t];
    }
  }
}

void SemgNormaliseSynergies(PetscInt M, PetscInt N, PetscInt T, PetscReal *W, PetscReal *H)
{
  for (PetscInt a = 0; a < N; a++) {
    PetscReal s = 0;
    for (PetscInt m = 0; m < M; m++) s += W[(size_t)m * N + a] * W[(size_t)m * N + a];
    s = PetscSqrtReal(s);
    if (s <= 0) continue;
    for (PetscInt m = 0; m < M; m++) W[(size_t)m * N + a] /= s;
    if (H)
      for (PetscInt t = 0; t < T; t++) H[(size_t)a * T + t] *= s;
  }
}

PetscReal SemgVAF(PetscCount n, const PetscReal *V, const PetscReal *Vhat)
{
  PetscReal s = 0;
  for (PetscCount i = 0; i < n; i++) s += V[i] * V[i];
  return 1.0 - SemgSumSquaredDiff(n, V, Vhat) / s;
}

PetscReal SemgR2(PetscCount n, const PetscReal *V, const PetscReal *Vhat)
{
  return 1.0 - SemgSumSquaredDiff(n, V, Vhat) / SemgSumSquaresAboutMean(n, V);
}

static PetscReal ColumnCosine(PetscInt M, PetscInt Na, const PetscReal *A, PetscInt a, PetscInt Nb, const PetscReal *B, PetscInt b)
{
  PetscReal ab = 0, aa = 0, bb = 0;
  for (PetscInt m = 0; m < M; m++) {
    PetscReal x = A[(size_t)m * Na + a], y = B[(size_t)m * Nb + b];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / PetscSqrtReal(aa * bb) : 0.0;
}

PetscReal SemgPearson(PetscInt n, const PetscReal *a, const PetscReal *b)
{
  PetscReal ma = 0, mb = 0, ab = 0, aa = 0, bb = 0;
  for (PetscInt i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  for (PetscInt i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return aa > 0 && bb > 0 ? ab / PetscSqrtReal(aa * bb) : 0.0;
}

PetscErrorCode SemgMatchSynergies(PetscInt M, PetscInt Na, const PetscReal *A, PetscInt Nb, const PetscReal *B, PetscInt T, const PetscReal *HA, const PetscReal *HB, PetscReal threshold, SemgMatch *res, PetscInt *perm)
{
  PetscInt   n = PetscMax(Na, Nb), *p, pairs = 0;
  PetscReal *C, corr = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1((size_t)n * n, &C));
  PetscCall(PetscMalloc1(n, &p));
  for (PetscInt a = 0; a < Na; a++)
    for (PetscInt b = 0; b < Nb; b++) C[(size_t)a * n + b] = ColumnCosine(M, Na, A, a, Nb, B, b);
  PetscCall(SemgHungarianMax(n, C, p));
  res->mean    = 0;
  res->min     = PETSC_MAX_REAL;
  res->n_above = 0;
  /* the mean runs over the larger set: an unmatched synergy counts as similarity 0 */
  for (PetscInt a = 0; a < n; a++) {
    PetscReal c = C[(size_t)a * n + p[a]];
    res->mean += c / n;
    res->min = PetscMin(res->min, c);
    if (c >= threshold) res->n_above++;
    if (HA && HB && a < Na && p[a] < Nb) {
      corr += SemgPearson(T, HA + (size_t)a * T, HB + (size_t)p[a] * T);
      pairs++;
    }
  }
  res->act_corr = pairs ? corr / pairs : NAN;
  if (perm) PetscCall(PetscArraycpy(perm, p, n));
  PetscCall(PetscFree(C));
  PetscCall(PetscFree(p));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal SemgHoyerSparsity(PetscInt M, PetscInt N, const PetscReal *W)
{
  PetscReal s = 0, rm = PetscSqrtReal((PetscReal)M);
  for (PetscInt a = 0; a < N; a++) {
    PetscReal l1 = 0, l2 = 0;
    for (PetscInt m = 0; m < M; m++) {
      l1 += PetscAbsReal(W[(size_t)m * N + a]);
      l2 += W[(size_t)m * N + a] * W[(size_t)m * N + a];
    }
    s += l2 > 0 ? (rm - l1 / PetscSqrtReal(l2)) / (rm - 1) : 0.0;
  }
  return s / N;
}

PetscReal SemgNegativeShare(PetscCount n, const PetscReal *W)
{
  PetscReal neg = 0, all = 0;
  for (PetscCount i = 0; i < n; i++) {
    all += PetscAbsReal(W[i]);
    if (W[i] < 0) neg -= W[i];
  }
  return all > 0 ? neg / all : 0.0;
}

void SemgParetoFront(PetscInt n, const PetscReal *x, const PetscReal *y, PetscInt *front)
{
  for (PetscInt i = 0; i < n; i++) {
    front[i] = 1;
    for (PetscInt j = 0; j < n && front[i]; j++)
      if (j != i && x[j] >= x[i] && y[j] >= y[i] && (x[j] > x[i] || y[j] > y[i])) front[i] = 0;
  }
}
