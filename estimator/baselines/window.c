/* Automatic analysis window (see window.h). */
#include "core/semg_error.h"
#include "estimator/baselines/window.h"
#include "estimator/baselines/iz.h"

#define MAX_CUTS 6

/* Median over neighbouring channel pairs of one column of |delay| (samples, parabolic refinement) that
   maximises sum_{k in [a, b]} x_c[k] x_{c+1}[k + L], |L| <= L_max (signed: an opposite lobe never wins). */
static PetscErrorCode BurstDelay(PetscInt nt, const PetscReal *x, PetscInt n_columns, const PetscInt *col_start, PetscInt a, PetscInt b, PetscInt lmax, PetscReal *delay)
{
  PetscReal *d, r[64];
  PetscInt   n = 0;

  PetscFunctionBeginUser;
  lmax = PetscMin(lmax, 30);
  PetscCall(PetscMalloc1(col_start[n_columns], &d));
  for (PetscInt col = 0; col < n_columns; col++)
    for (PetscInt c = col_start[col]; c + 1 < col_start[col + 1]; c++) {
      PetscInt best = 0;
      for (PetscInt L = -lmax; L <= lmax; L++) {
        PetscReal s = 0;
        for (PetscInt k = PetscMax(a, -L); k <= PetscMin(b, nt - 1 - L); k++) s += x[(size_t)c * nt + k] * x[(size_t)(c + 1) * nt + k + L];
        r[L + lmax] = s;
        if (r[L + lmax] > r[best + lmax]) best = L;
      }
      d[n++] = PetscAbsReal(best + ((best > -lmax && best < lmax) ? SemgParabolaVertex(r[best + lmax - 1], r[best + lmax], r[best + lmax + 1]) : 0.0));
    }
  PetscCall(PetscSortReal(n, d));
  *delay = n ? d[n / 2] : PETSC_MAX_REAL;
  PetscCall(PetscFree(d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgAutoWindow(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt n_columns, const PetscInt *col_start, PetscReal lag_lo, PetscReal lag_hi, PetscInt min_len, PetscInt *k0, PetscInt *k1)
{
  const PetscInt half = PetscMax(1, (PetscInt)PetscCeilReal(lag_lo)); /* smoothing over -+ the shortest delay: merges the ripples of a propagating stretch */
  PetscReal *p, *e;
  PetscInt   lo = 0, hi = nt;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(nt, &p, nt, &e));
  for (PetscInt c = 0; c < nc; c++)
    for (PetscInt k = 0; k < nt; k++) p[k] += x[(size_t)c * nt + k] * x[(size_t)c * nt + k];
  for (PetscInt k = 0; k < nt; k++) {
    PetscInt n = 0;
    for (PetscInt j = PetscMax(0, k - half); j <= PetscMin(nt - 1, k + half); j++) e[k] += p[j], n++;
    e[k] /= n;
  }
  for (PetscInt cut = 0; cut < MAX_CUTS; cut++) {
    PetscInt  kp = lo, a, b;
    PetscReal delay;
    PetscBool early;
    for (PetscInt k = lo; k < hi; k++)
      if (e[k] > e[kp]) kp = k;
    if (!(e[kp] > 0)) break;
    /* the burst: the hill of the energy around its peak, down to the local minima on either side */
    for (a = kp; a > lo && e[a - 1] <= e[a]; a--) { }
    for (b = kp; b < hi - 1 && e[b + 1] <= e[b]; b++) { }
    PetscCall(BurstDelay(nt, x, n_columns, col_start, a, b, (PetscInt)PetscCeilReal(lag_hi), &delay));
    if (delay >= 0.5 * lag_lo) break; /* the largest burst propagates: keep the rest */
    {
      PetscReal left = 0, right = 0; /* keep the side with more energy (the propagating stretch, not the noise) */
      for (PetscInt k = lo; k < a; k++) left += p[k];
      for (PetscInt k = b + 1; k < hi; k++) right += p[k];
      early = (PetscBool)(right >= left);
    }
    if (early) { /* standing burst before the propagating stretch: start after it */
      const PetscInt nl = b + 1;
      if (hi - nl < min_len) break;
      lo = nl;
    } else {
      const PetscInt nh = a;
      if (nh - lo < min_len) break;
      hi = nh;
    }
  }
  *k0 = lo, *k1 = hi;
  PetscCall(PetscFree2(p, e));
  PetscFunctionReturn(PETSC_SUCCESS);
}
