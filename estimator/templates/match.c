/* Multichannel template matching (see match.h). The correlation of the array shape with the epoch is one
   product of spectra per channel and one inverse transform (FFTW), the window energies a running sum. */
#include <fftw3.h>
#include "core/semg_error.h"
#include "estimator/templates/match.h"
#include "estimator/templates/detect.h"

struct _p_SemgMatcher {
  PetscInt      nd, nt, a, b, nfft, nf;
  const double *d;
  double       *buf, *p;      /* FFT input/output (nfft); prefix sums of the array energy (nt + 1) */
  fftw_complex *D, *tf, *acc; /* spectra of the channels (nd x nf), of one template channel, their sum */
  fftw_plan     fwd, inv;
};

PetscErrorCode SemgMatcherCreate(PetscInt nd, PetscInt nt, const PetscReal *d, PetscInt a, PetscInt b, SemgMatcher *m)
{
  SemgMatcher M;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&M));
  M->nd = nd, M->nt = nt, M->a = a, M->b = b, M->d = d;
  M->nfft = nt + a + b; /* no circular wrap of a window onto the other end of the epoch */
  M->nf   = M->nfft / 2 + 1;
  M->buf  = fftw_alloc_real((size_t)M->nfft);
  M->D    = fftw_alloc_complex((size_t)nd * M->nf);
  M->tf   = fftw_alloc_complex((size_t)M->nf);
  M->acc  = fftw_alloc_complex((size_t)M->nf);
  PetscCheck(M->buf && M->D && M->tf && M->acc, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW allocation failed");
  M->fwd = fftw_plan_dft_r2c_1d((int)M->nfft, M->buf, M->tf, FFTW_ESTIMATE);
  M->inv = fftw_plan_dft_c2r_1d((int)M->nfft, M->acc, M->buf, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(M->fwd);
  SemgCheckFFTWPlan(M->inv);
  for (PetscInt c = 0; c < nd; c++) {
    for (PetscInt k = 0; k < M->nfft; k++) M->buf[k] = k < nt ? d[(size_t)c * nt + k] : 0.0;
    fftw_execute_dft_r2c(M->fwd, M->buf, M->D + (size_t)c * M->nf);
  }
  PetscCall(PetscMalloc1(nt + 1, &M->p));
  M->p[0] = 0;
  for (PetscInt k = 0; k < nt; k++) {
    PetscReal e = 0;
    for (PetscInt c = 0; c < nd; c++) e += d[(size_t)c * nt + k] * d[(size_t)c * nt + k];
    M->p[k + 1] = M->p[k] + e;
  }
  *m = M;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMatcherDestroy(SemgMatcher *m)
{
  PetscFunctionBeginUser;
  if (!*m) PetscFunctionReturn(PETSC_SUCCESS);
  fftw_destroy_plan((*m)->fwd);
  fftw_destroy_plan((*m)->inv);
  fftw_free((*m)->buf);
  fftw_free((*m)->D);
  fftw_free((*m)->tf);
  fftw_free((*m)->acc);
  PetscCall(PetscFree((*m)->p));
  PetscCall(PetscFree(*m));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMatcherMean(SemgMatcher m, PetscInt n, const PetscInt *trig, PetscReal *T)
{
  const PetscInt L = m->a + m->b;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(T, (size_t)m->nd * L));
  for (PetscInt i = 0; i < n; i++)
    for (PetscInt c = 0; c < m->nd; c++)
      for (PetscInt j = 0; j < L; j++) T[(size_t)c * L + j] += m->d[(size_t)c * m->nt + trig[i] - m->a + j] / n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMatcherScore(SemgMatcher m, const PetscReal *T, PetscInt lo, PetscInt hi, PetscReal *s)
{
  const PetscInt L  = m->a + m->b;
  PetscReal      tt = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero((PetscReal *)m->acc, 2 * (size_t)m->nf));
  for (PetscInt c = 0; c < m->nd; c++) {
    const fftw_complex *Dc = m->D + (size_t)c * m->nf;
    for (PetscInt k = 0; k < m->nfft; k++) m->buf[k] = k < L ? T[(size_t)c * L + k] : 0.0;
    for (PetscInt j = 0; j < L; j++) tt += T[(size_t)c * L + j] * T[(size_t)c * L + j];
    fftw_execute_dft_r2c(m->fwd, m->buf, m->tf);
    /* correlation sum_j T[j] d[j + q]: conj(spectrum of T) x spectrum of d */
    for (PetscInt f = 0; f < m->nf; f++) {
      m->acc[f][0] += m->tf[f][0] * Dc[f][0] + m->tf[f][1] * Dc[f][1];
      m->acc[f][1] += m->tf[f][0] * Dc[f][1] - m->tf[f][1] * Dc[f][0];
    }
  }
  fftw_execute_dft_c2r(m->inv, m->acc, m->buf);
  for (PetscInt k = 0; k < m->nt; k++) s[k] = -1;
  for (PetscInt k = PetscMax(lo, m->a); k < PetscMin(hi, m->nt - m->b + 1); k++) {
    const PetscReal c = m->buf[k - m->a] / m->nfft, e = m->p[k + m->b] - m->p[k - m->a];
    s[k] = tt + e > 0 ? 2 * c / (tt + e) : -1;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One motor unit does not fire twice within a fraction of its usual interval: of two discharges closer
   than min_isi_ratio x the median interval, the one matching worse is another unit's (or noise). */
static PetscErrorCode Prune(const SemgRefineOptions *o, const PetscReal *s, PetscReal *work, PetscInt *n, PetscInt *trig)
{
  PetscReal med;

  PetscFunctionBeginUser;
  if (*n < 3 || o->min_isi_ratio <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt i = 0; i + 1 < *n; i++) work[i] = trig[i + 1] - trig[i];
  PetscCall(PetscSortReal(*n - 1, work));
  med = work[(*n - 1) / 2];
  for (;;) {
    PetscInt ib = -1;
    for (PetscInt i = 0; i + 1 < *n; i++)
      if (trig[i + 1] - trig[i] < o->min_isi_ratio * med && (ib < 0 || trig[i + 1] - trig[i] < trig[ib + 1] - trig[ib])) ib = i;
    if (ib < 0) break;
    if (s[trig[ib + 1]] < s[trig[ib]]) ib++; /* drop the worse match of the pair */
    for (PetscInt i = ib; i + 1 < *n; i++) trig[i] = trig[i + 1];
    (*n)--;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The discharges of shape T: local maxima of s one per dead time, largest first, above the larger of
   Otsu's split of all of them and the floor. */
static PetscErrorCode Accept(SemgMatcher m, const SemgRefineOptions *o, const PetscReal *s, PetscReal *idx_amp, PetscInt *idx, PetscInt *n, PetscInt *trig, PetscReal *thr)
{
  PetscInt np, k = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgEnergyPeaks(m->nt, s, o->lo, o->hi, o->dead, &np, idx, idx_amp));
  *thr = PetscMax(SemgOtsuThreshold(np, idx_amp), o->floor);
  while (k < np && k < o->max_trig && idx_amp[k] >= *thr) trig[k] = idx[k], k++;
  *n = k;
  PetscCall(PetscSortInt(*n, trig));
  PetscCall(Prune(o, s, idx_amp, n, trig));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Keep the train anchored at the energy maximum of its mean shape (the detection's convention, which the
   template window and the truth latency use): the matched filter alone lets the alignment drift. */
static PetscErrorCode Anchor(SemgMatcher m, const SemgRefineOptions *o, PetscInt *n, PetscInt *trig, PetscReal *T)
{
  const PetscInt L = m->a + m->b;
  PetscReal     *e;
  PetscInt       kmax = 0, sh, k = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgMatcherMean(m, *n, trig, T));
  PetscCall(PetscMalloc1(L, &e));
  PetscCall(SemgArrayEnergy(m->nd, L, T, o->smooth, e));
  for (PetscInt j = 1; j < L; j++)
    if (e[j] > e[kmax]) kmax = j;
  PetscCall(PetscFree(e));
  sh = kmax - m->a;
  if (!sh) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt i = 0; i < *n; i++)
    if (trig[i] + sh >= o->lo && trig[i] + sh < o->hi) trig[k++] = trig[i] + sh;
  *n = k;
  if (k) PetscCall(SemgMatcherMean(m, *n, trig, T));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMatcherRefine(SemgMatcher m, const SemgRefineOptions *o, PetscInt *n, PetscInt *trig, PetscReal *T, SemgRefineQuality *q)
{
  const PetscInt L = m->a + m->b;
  PetscReal     *s, *amp, tt = 0, res = 0, cs = 0;
  PetscInt      *idx, *prev, np = *n;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(m->nt, &s, m->nt, &amp, m->nt, &idx, m->nt, &prev));
  q->threshold = 0;
  for (PetscInt it = 0; it < o->n_iter && *n >= 2; it++) {
    PetscCall(PetscArraycpy(prev, trig, *n));
    np = *n;
    PetscCall(Anchor(m, o, n, trig, T));
    PetscCall(SemgMatcherScore(m, T, o->lo, o->hi, s));
    PetscCall(Accept(m, o, s, amp, idx, n, trig, &q->threshold));
    if (*n == np) {
      PetscBool same;
      PetscCall(PetscArraycmp(prev, trig, np, &same));
      if (same) break; /* converged */
    }
  }
  PetscCall(Anchor(m, o, n, trig, T));
  for (PetscInt j = 0; j < m->nd * L; j++) tt += T[j] * T[j];
  for (PetscInt i = 0; i < *n; i++) {
    PetscReal r = 0, ab = 0, bb = 0;
    for (PetscInt c = 0; c < m->nd; c++)
      for (PetscInt j = 0; j < L; j++) {
        const PetscReal v = m->d[(size_t)c * m->nt + trig[i] - m->a + j], u = T[(size_t)c * L + j];
        r += (v - u) * (v - u), ab += u * v, bb += v * v;
      }
    res += r / *n, cs += (tt > 0 && bb > 0 ? ab / PetscSqrtReal(tt * bb) : 0) / *n;
  }
  q->snr         = *n > 0 && res > 0 ? *n * tt / res : 0;
  q->consistency = *n > 0 ? cs : 0;
  PetscCall(PetscFree4(s, amp, idx, prev));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Best s in [a, b) (clipped to [lo, hi)), -1 and k = -1 when empty. */
static PetscReal BestIn(const PetscReal *s, PetscInt a, PetscInt b, PetscInt lo, PetscInt hi, PetscInt *k)
{
  PetscReal best = -1;
  *k             = -1;
  for (PetscInt j = PetscMax(a, lo); j < PetscMin(b, hi); j++)
    if (s[j] > best) best = s[j], *k = j;
  return best;
}

PetscErrorCode SemgMatcherFillGaps(SemgMatcher m, const PetscReal *T, PetscInt lo, PetscInt hi, PetscReal floor, PetscInt max, PetscInt *n, PetscInt *trig)
{
  PetscReal *s, *isi, med;
  PetscBool  added = PETSC_TRUE;

  PetscFunctionBeginUser;
  if (*n < 3 || floor <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc2(m->nt, &s, *n, &isi));
  for (PetscInt i = 0; i + 1 < *n; i++) isi[i] = trig[i + 1] - trig[i];
  PetscCall(PetscSortReal(*n - 1, isi));
  med = isi[(*n - 1) / 2];
  PetscCall(SemgMatcherScore(m, T, lo, hi, s));
  while (added && *n < max) {
    added = PETSC_FALSE;
    for (PetscInt i = -1; i < *n && !added; i++) { /* the gap after trig[i]; -1: before the first */
      const PetscInt a = i < 0 ? trig[0] - (PetscInt)(1.4 * med) : trig[i] + (PetscInt)(0.6 * med);
      const PetscInt b = i + 1 < *n ? trig[i + 1] - (PetscInt)(0.6 * med) + 1 : trig[i] + (PetscInt)(1.4 * med) + 1;
      PetscInt       k;
      if ((i >= 0 && i + 1 < *n && trig[i + 1] - trig[i] <= 1.5 * med) || BestIn(s, a, b, lo, hi, &k) < floor) continue;
      for (PetscInt j = *n; j > i + 1; j--) trig[j] = trig[j - 1];
      trig[i + 1] = k, (*n)++, added = PETSC_TRUE;
    }
  }
  PetscCall(PetscFree2(s, isi));
  PetscFunctionReturn(PETSC_SUCCESS);
}
