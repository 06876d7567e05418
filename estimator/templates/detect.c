/* Discharge detection kernels (see detect.h). */
#include <stdlib.h>
#include "core/semg_error.h"
#include "estimator/templates/detect.h"

PetscErrorCode SemgArrayEnergy(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt half, PetscReal *e)
{
  PetscReal *p, acc = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(nt, &p));
  for (PetscInt c = 0; c < nc; c++)
    for (PetscInt k = 0; k < nt; k++) p[k] += x[(size_t)c * nt + k] * x[(size_t)c * nt + k];
  /* running sum over the clipped window [k-half, k+half] */
  for (PetscInt k = 0; k <= PetscMin(half, nt - 1); k++) acc += p[k];
  for (PetscInt k = 0; k < nt; k++) {
    const PetscInt lo = PetscMax(0, k - half), hi = PetscMin(nt - 1, k + half);
    e[k] = acc / (hi - lo + 1);
    if (k + half + 1 < nt) acc += p[k + half + 1];
    if (k - half >= 0) acc -= p[k - half];
  }
  PetscCall(PetscFree(p));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  PetscReal a;
  PetscInt  k;
} Peak;

static int PeakDesc(const void *p, const void *q)
{
  const PetscReal a = ((const Peak *)p)->a, b = ((const Peak *)q)->a;
  if (a != b) return a > b ? -1 : 1;
  return ((const Peak *)p)->k < ((const Peak *)q)->k ? -1 : 1; /* ties: earlier first, deterministic */
}

PetscErrorCode SemgEnergyPeaks(PetscInt nt, const PetscReal *e, PetscInt lo, PetscInt hi, PetscInt dead, PetscInt *n, PetscInt *idx, PetscReal *amp)
{
  Peak    *pk;
  PetscInt np = 0;
  char    *taken;

  PetscFunctionBeginUser;
  *n = 0;
  lo = PetscMax(lo, 1), hi = PetscMin(hi, nt - 1);
  if (hi <= lo) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc1(hi - lo, &pk));
  PetscCall(PetscCalloc1(nt, &taken));
  for (PetscInt k = lo; k < hi; k++)
    if (e[k] > 0 && e[k] >= e[k - 1] && e[k] > e[k + 1]) pk[np].a = e[k], pk[np++].k = k;
  qsort(pk, (size_t)np, sizeof(Peak), PeakDesc);
  for (PetscInt i = 0; i < np; i++) {
    if (taken[pk[i].k]) continue;
    idx[*n] = pk[i].k, amp[(*n)++] = pk[i].a;
    for (PetscInt k = PetscMax(0, pk[i].k - dead + 1); k < PetscMin(nt, pk[i].k + dead); k++) taken[k] = 1;
  }
  PetscCall(PetscFree(taken));
  PetscCall(PetscFree(pk));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int RealAsc(const void *p, const void *q)
{
  const PetscReal a = *(const PetscReal *)p, b = *(const PetscReal *)q;
  return a < b ? -1 : (a > b ? 1 : 0);
}

PetscReal SemgOtsuThreshold(PetscInt n, const PetscReal *v)
{
  PetscReal *l, tot = 0, best = -1, thr;
  PetscReal  s0 = 0;

  if (n < 2) return n ? v[0] : 0.0;
  l = (PetscReal *)malloc(sizeof(PetscReal) * (size_t)n);
  for (PetscInt i = 0; i < n; i++) l[i] = PetscLogReal(PetscMax(v[i], PETSC_SMALL)), tot += l[i];
  qsort(l, (size_t)n, sizeof(PetscReal), RealAsc);
  thr = l[n - 1];
  for (PetscInt i = 0; i + 1 < n; i++) { /* lower class l[0..i], upper l[i+1..n-1] */
    s0 += l[i];
    const PetscReal w0 = (PetscReal)(i + 1) / n, w1 = 1 - w0, m0 = s0 / (i + 1), m1 = (tot - s0) / (n - i - 1);
    const PetscReal between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (l[i + 1] > l[i] && between > best) best = between, thr = l[i + 1];
  }
  free(l);
  return PetscExpReal(thr);
}
