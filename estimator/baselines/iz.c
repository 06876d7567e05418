/* Classical IZ estimators (spec estimator.md 4.1 a-c). */
#include <math.h>
#include "core/semg_error.h"
#include "estimator/baselines/iz.h"
#include "estimator/baselines/delay.h"
#include "estimator/baselines/latency.h"

static PetscErrorCode CheckShape(PetscInt nc, PetscInt nt, PetscInt nc_min)
{
  PetscFunctionBeginUser;
  PetscCheck(nc >= nc_min, PETSC_COMM_SELF, SEMG_ERR_USER, "IZ estimator needs at least %d channels, got %d", (int)nc_min, (int)nc);
  PetscCheck(nt >= 2, PETSC_COMM_SELF, SEMG_ERR_USER, "IZ estimator needs at least 2 time samples, got %d", (int)nt);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgIZMinAmplitude(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal *iz, PetscBool *at_edge)
{
  PetscReal *rms;
  PetscInt   n = 0;

  PetscFunctionBeginUser;
  PetscCall(CheckShape(nc, nt, 2));
  PetscCall(PetscMalloc1(nc, &rms));
  for (PetscInt c = 0; c < nc; c++) {
    PetscReal s = 0.0;
    for (PetscInt k = 0; k < nt; k++) s += x[c * nt + k] * x[c * nt + k];
    rms[c] = PetscSqrtReal(s / nt);
    if (rms[c] < rms[n]) n = c;
  }
  if (n == 0 || n == nc - 1) {
    *iz = centre[n];
    if (at_edge) *at_edge = PETSC_TRUE;
  } else {
    PetscReal delta = SemgParabolaVertex(rms[n - 1], rms[n], rms[n + 1]);
    *iz             = centre[n] + delta * 0.5 * (centre[n + 1] - centre[n - 1]);
    if (at_edge) *at_edge = PETSC_FALSE;
  }
  PetscCall(PetscFree(rms));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Pearson correlation of a[n] and b[n + lag] over the overlap. */
static PetscReal Pearson(PetscInt nt, const PetscReal *a, const PetscReal *b, PetscInt lag)
{
  PetscInt  n0 = PetscMax(0, -lag), n1 = PetscMin(nt, nt - lag), m = n1 - n0;
  PetscReal ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

  if (m < 2) return 0.0;
  for (PetscInt k = n0; k < n1; k++) {
    ma += a[k];
    mb += b[k + lag];
  }
  ma /= m;
  mb /= m;
  for (PetscInt k = n0; k < n1; k++) {
    sab += (a[k] - ma) * (b[k + lag] - mb);
    saa += (a[k] - ma) * (a[k] - ma);
    sbb += (b[k + lag] - mb) * (b[k + lag] - mb);
  }
  if (saa <= 0.0 || sbb <= 0.0) return 0.0;
  return sab / PetscSqrtReal(saa * sbb);
}

/* Zero-lag Pearson (max_lag = 0) or the signed value of largest magnitude over lags -max_lag..max_lag. */
static PetscReal SignedPeakCorrelation(PetscInt nt, const PetscReal *a, const PetscReal *b, PetscInt max_lag)
{
  PetscReal best = 0.0;

  for (PetscInt L = -max_lag; L <= max_lag; L++) {
    PetscReal r = Pearson(nt, a, b, L);
    if (PetscAbsReal(r) > PetscAbsReal(best)) best = r;
  }
  return best;
}

PetscErrorCode SemgIZPhaseReversal(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, SemgIZPhaseMode mode, PetscInt max_lag, PetscReal *iz, PetscBool *found, PetscReal *rho_out)
{
  PetscInt   m = nc - 1, n = 0, down = -1, up = -1;
  PetscReal *rho, *pos, xd = 0, xu = 0;

  PetscFunctionBeginUser;
  PetscCall(CheckShape(nc, nt, 3));
  PetscCall(PetscMalloc2(m, &rho, m, &pos));
  for (PetscInt j = 0; j < m; j++) {
    rho[j] = SignedPeakCorrelation(nt, x + j * nt, x + (j + 1) * nt, PetscMin(max_lag, nt - 2));
    pos[j] = 0.5 * (centre[j] + centre[j + 1]);
    if (rho[j] < rho[n]) n = j;
  }
  /* The first downward crossing, then the first upward crossing after it: interpolate linearly. */
  for (PetscInt j = 0; j + 1 < m; j++)
    if (rho[j] > 0.0 && rho[j + 1] <= 0.0) {
      down = j;
      xd   = pos[j] + rho[j] / (rho[j] - rho[j + 1]) * (pos[j + 1] - pos[j]);
      break;
    }
  if (down >= 0)
    for (PetscInt j = down + 1; j + 1 < m; j++)
      if (rho[j] <= 0.0 && rho[j + 1] > 0.0) {
        up = j;
        xu = pos[j] + rho[j] / (rho[j] - rho[j + 1]) * (pos[j + 1] - pos[j]);
        break;
      }
  if (found) *found = (PetscBool)(up >= 0);
  if (mode != SEMG_IZ_PHASE_MINIMUM && up >= 0) {
    *iz = 0.5 * (xd + xu);
  } else if (n == 0 || n == m - 1) {
    *iz = pos[n];
  } else {
    *iz = pos[n] + SemgParabolaVertex(rho[n - 1], rho[n], rho[n + 1]) * 0.5 * (pos[n + 1] - pos[n - 1]);
  }
  if (rho_out)
    for (PetscInt j = 0; j < m; j++) rho_out[j] = rho[j];
  PetscCall(PetscFree2(rho, pos));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLatencyPeak(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, PetscReal *tau, PetscReal *weight)
{
  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < nc; c++) {
    const PetscReal *xc    = x + c * nt;
    PetscInt         k     = 0;
    PetscReal        delta = 0.0;

    for (PetscInt j = 1; j < nt; j++)
      if (PetscAbsReal(xc[j]) > PetscAbsReal(xc[k])) k = j;
    if (k > 0 && k < nt - 1) delta = SemgParabolaVertex(PetscAbsReal(xc[k - 1]), PetscAbsReal(xc[k]), PetscAbsReal(xc[k + 1]));
    tau[c]    = (k + delta) / fs;
    weight[c] = xc[k] * xc[k];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Weighted line fit tau = tau0 + s |c - x0| for a fixed x0; returns the SSE, +inf when the fit is
   degenerate or the slope is not positive (a Lambda shape is not a propagating MUAP). */
static PetscReal VFitAt(PetscInt nc, const PetscReal *tau, const PetscReal *w, const PetscInt *use, const PetscReal *centre, PetscReal x0, PetscReal *slope)
{
  PetscReal sw = 0, sa = 0, saa = 0, st = 0, sat = 0, det, s, t0, sse = 0;

  for (PetscInt c = 0; c < nc; c++) {
    PetscReal a = PetscAbsReal(centre[c] - x0);
    if (!use[c]) continue;
    sw += w[c];
    sa += w[c] * a;
    saa += w[c] * a * a;
    st += w[c] * tau[c];
    sat += w[c] * a * tau[c];
  }
  det = sw * saa - sa * sa;
  if (!(det > 1e-14 * sw * saa)) return PETSC_INFINITY;
  s  = (sw * sat - sa * st) / det;
  t0 = (st - s * sa) / sw;
  if (!(s > 0.0)) return PETSC_INFINITY;
  for (PetscInt c = 0; c < nc; c++) {
    PetscReal r = tau[c] - t0 - s * PetscAbsReal(centre[c] - x0);
    if (use[c]) sse += w[c] * r * r;
  }
  *slope = s;
  return sse;
}

PetscErrorCode SemgVFitLatencies(PetscInt nc, const PetscReal *tau, const PetscReal *w, const PetscInt *use, const PetscReal *centre, PetscReal *iz, PetscReal *cv, PetscReal *sse_out)
{
  PetscReal d = (centre[nc - 1] - centre[0]) / (nc - 1), h = 0.01 * d, best = PETSC_INFINITY, slope = 0.0, s, xb, sse;
  PetscInt  ng = (PetscInt)PetscFloorReal((centre[nc - 1] - centre[0]) / h + 0.5) + 1, jb = -1;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < ng; j++) {
    PetscReal e = VFitAt(nc, tau, w, use, centre, centre[0] + j * h, &s);
    if (e < best) {
      best = e;
      jb   = j;
    }
  }
  if (jb < 0) {
    *iz = NAN;
    *cv = NAN;
    if (sse_out) *sse_out = NAN;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  xb = centre[0] + jb * h;
  if (jb > 0 && jb < ng - 1) {
    PetscReal em = VFitAt(nc, tau, w, use, centre, xb - h, &s), ep = VFitAt(nc, tau, w, use, centre, xb + h, &s);
    if (PetscIsNormalReal(em) && PetscIsNormalReal(ep)) xb += SemgParabolaVertex(em, best, ep) * h;
  }
  sse = VFitAt(nc, tau, w, use, centre, xb, &slope);
  *iz = xb;
  *cv = PetscIsInfReal(sse) ? NAN : 1.0 / slope;
  if (sse_out) *sse_out = sse;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLatencyXcorr(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, PetscInt max_lag, PetscReal *tau, PetscReal *weight)
{
  PetscInt r = 0, L = PetscMin(max_lag, nt - 2);

  PetscFunctionBeginUser;
  PetscCall(SemgLatencyPeak(nc, nt, x, fs, tau, weight));
  for (PetscInt c = 1; c < nc; c++)
    if (weight[c] > weight[r]) r = c;
  for (PetscInt c = 0; c < nc; c++) {
    PetscReal th = 0.0;
    if (c != r) PetscCall(SemgDelayXcorr(nt, x + r * nt, x + c * nt, -L, L, &th, NULL));
    tau[c] = th / fs;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgIZVFit(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal fs, PetscReal *iz, PetscReal *cv, PetscReal *sse)
{
  PetscFunctionBeginUser;
  PetscCall(SemgIZVFitLatency(nc, nt, x, centre, fs, SEMG_LATENCY_PEAK, 0, iz, cv, sse));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgIZVFitLatency(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal fs, SemgLatencyType type, PetscInt max_lag, PetscReal *iz, PetscReal *cv, PetscReal *sse)
{
  PetscReal *tau, *w, d, wmax = 0.0, iz1, cv1, sse1;
  PetscInt  *use, nleft = 0, nright = 0;

  PetscFunctionBeginUser;
  PetscCall(CheckShape(nc, nt, 4));
  PetscCall(PetscMalloc3(nc, &tau, nc, &w, nc, &use));
  if (type == SEMG_LATENCY_XCORR) PetscCall(SemgLatencyXcorr(nc, nt, x, fs, max_lag, tau, w));
  else if (type == SEMG_LATENCY_CHAIN) PetscCall(SemgLatencyChain(nc, nt, x, fs, max_lag, tau, w));
  else PetscCall(SemgLatencyPeak(nc, nt, x, fs, tau, w));
  for (PetscInt c = 0; c < nc; c++) wmax = PetscMax(wmax, w[c]);
  for (PetscInt c = 0; c < nc; c++) {
    w[c]   = wmax > 0.0 ? w[c] / wmax : 1.0; /* only ratios matter; keeps sums O(1) */
    use[c] = 1;
  }
  PetscCall(SemgVFitLatencies(nc, tau, w, use, centre, &iz1, &cv1, &sse1));
  /* Channels next to the IZ see the generation transient, not the propagating peak: drop them, refit. */
  d = (centre[nc - 1] - centre[0]) / (nc - 1);
  if (!PetscIsNanReal(iz1))
    for (PetscInt c = 0; c < nc; c++) {
      use[c] = PetscAbsReal(centre[c] - iz1) > d * (1.0 + 1e-9);
      if (use[c]) {
        if (centre[c] < iz1) nleft++;
        else nright++;
      }
    }
  if (nleft >= 2 && nright >= 2) {
    PetscCall(SemgVFitLatencies(nc, tau, w, use, centre, iz, cv, sse));
  } else {
    *iz = iz1;
    *cv = cv1;
    if (sse) *sse = sse1;
  }
  PetscCall(PetscFree3(tau, w, use));
  PetscFunctionReturn(PETSC_SUCCESS);
}
