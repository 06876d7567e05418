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

/* Energy of the summed squared channels, smoothed over -+half samples (half: the shortest delay, merges
   the ripples of a propagating stretch): p raw, e smoothed, both nt long. */
static void SmoothedEnergy(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt half, PetscReal *p, PetscReal *e)
{
  for (PetscInt k = 0; k < nt; k++) p[k] = e[k] = 0;
  for (PetscInt c = 0; c < nc; c++)
    for (PetscInt k = 0; k < nt; k++) p[k] += x[(size_t)c * nt + k] * x[(size_t)c * nt + k];
  for (PetscInt k = 0; k < nt; k++) {
    PetscInt n = 0;
    for (PetscInt j = PetscMax(0, k - half); j <= PetscMin(nt - 1, k + half); j++) e[k] += p[j], n++;
    e[k] /= n;
  }
}

/* Cut standing bursts off [*lo, *hi): the largest burst of e is tested, cut if standing (from the side
   with less energy; only from the end when right_only), up to MAX_CUTS times. */
static PetscErrorCode CutStanding(PetscInt nt, const PetscReal *x, const PetscReal *p, const PetscReal *e, PetscInt n_columns, const PetscInt *col_start, PetscReal lag_lo, PetscReal lag_hi, PetscInt min_len, PetscBool right_only, PetscInt *lop, PetscInt *hip)
{
  PetscInt lo = *lop, hi = *hip;

  PetscFunctionBeginUser;
  for (PetscInt cut = 0; cut < MAX_CUTS; cut++) {
    PetscInt  kp = lo, a, b, first = lo;
    PetscReal delay;
    PetscBool early;
    /* from the end only: the largest LATER burst, past the energy's descent from the window start (the
       tail of the generation transient there is not the end of the propagating stretch) */
    if (right_only)
      while (first + 1 < hi && e[first + 1] <= e[first]) first++;
    kp = first;
    for (PetscInt k = first; k < hi; k++)
      if (e[k] > e[kp]) kp = k;
    if (!(e[kp] > 0)) break;
    /* the burst: the hill of the energy around its peak, down to the local minima on either side */
    for (a = kp; a > lo && e[a - 1] <= e[a]; a--) { }
    for (b = kp; b < hi - 1 && e[b + 1] <= e[b]; b++) { }
    if (!right_only) { /* a standing core (peak +- the shortest delay) is cut alone: the CCS generation
                          transient's hill can run into the propagation without a minimum between */
      const PetscInt h = PetscMax(1, (PetscInt)PetscCeilReal(lag_lo));
      PetscReal      core;
      PetscCall(BurstDelay(nt, x, n_columns, col_start, PetscMax(a, kp - h), PetscMin(b, kp + h), (PetscInt)PetscCeilReal(lag_hi), &core));
      if (core < 0.5 * lag_lo) a = PetscMax(a, kp - h), b = PetscMin(b, kp + h);
    }
    PetscCall(BurstDelay(nt, x, n_columns, col_start, a, b, (PetscInt)PetscCeilReal(lag_hi), &delay));
    if (delay >= 0.5 * lag_lo) break; /* the largest burst propagates: keep the rest */
    if (right_only) early = PETSC_FALSE;
    else {
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
  *lop = lo, *hip = hi;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgAutoWindow(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt n_columns, const PetscInt *col_start, PetscReal lag_lo, PetscReal lag_hi, PetscInt min_len, PetscInt *k0, PetscInt *k1)
{
  PetscReal *p, *e;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(nt, &p, nt, &e));
  SmoothedEnergy(nc, nt, x, PetscMax(1, (PetscInt)PetscCeilReal(lag_lo)), p, e);
  *k0 = 0, *k1 = nt;
  PetscCall(CutStanding(nt, x, p, e, n_columns, col_start, lag_lo, lag_hi, min_len, PETSC_FALSE, k0, k1));
  PetscCall(PetscFree2(p, e));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt SemgEnergyOnset(PetscInt nt, const PetscReal *e, PetscReal frac)
{
  PetscReal *s, med, lo = e[0], hi = e[0];
  PetscInt   onset = 0;

  if (PetscMalloc1(nt, &s)) return 0;
  for (PetscInt k = 0; k < nt; k++) s[k] = e[k], lo = PetscMin(lo, e[k]), hi = PetscMax(hi, e[k]);
  if (PetscSortReal(nt, s)) onset = -1;
  med = s[nt / 2];
  (void)PetscFree(s);
  if (onset < 0) return 0;
  for (PetscInt k = 0; k < nt; k++)
    if (e[k] > med + frac * (hi - lo)) return k;
  return 0;
}

PetscErrorCode SemgOnsetWindow(PetscInt nc, PetscInt nt, const PetscReal *x, PetscInt n_columns, const PetscInt *col_start, PetscReal lag_lo, PetscReal lag_hi, PetscInt start, PetscInt len, PetscInt min_len, PetscInt *k0, PetscInt *k1, PetscInt *onset)
{
  PetscReal *p, *e;
  PetscInt   on, lo, hi;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(nt, &p, nt, &e));
  SmoothedEnergy(nc, nt, x, PetscMax(1, (PetscInt)PetscCeilReal(lag_lo)), p, e);
  on = SemgEnergyOnset(nt, e, SEMG_ONSET_FRACTION);
  lo = PetscMin(on + start, nt);
  hi = PetscMin(on + start + len, nt);
  if (hi - lo < min_len) lo = PetscMax(0, hi - min_len); /* late discharge: the last min_len samples before the end */
  hi = PetscMax(hi, PetscMin(nt, lo + min_len));
  PetscCall(CutStanding(nt, x, p, e, n_columns, col_start, lag_lo, lag_hi, min_len, PETSC_TRUE, &lo, &hi));
  *k0 = lo, *k1 = hi;
  if (onset) *onset = on;
  PetscCall(PetscFree2(p, e));
  PetscFunctionReturn(PETSC_SUCCESS);
}
