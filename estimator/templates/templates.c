/* Templates of the dominant motor unit of an epoch (see templates.h). */
#include "core/semg_error.h"
#include "estimator/templates/templates.h"
#include "estimator/templates/detect.h"
#include "estimator/templates/cluster.h"

#define MAX_LAG 2 /* samples of misalignment allowed between two detections of one unit */

PetscErrorCode SemgTemplateOptionsDefault(SemgTemplateOptions *o)
{
  PetscFunctionBeginUser;
  o->pre        = 0.005;
  o->post       = 0.02;
  o->half_width = 0.004;
  o->dead       = 0.015;
  o->n_cuts     = 4;
  o->cuts[0] = 0.3, o->cuts[1] = 0.4, o->cuts[2] = 0.5, o->cuts[3] = 0.6;
  o->min_triggers    = 5;
  o->min_consistency = 0.7;
  o->max_candidates  = 300;
  o->max_isi_cov     = 0.3;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTemplateOptionsSet(PetscOptionItems *PetscOptionsObject, SemgTemplateOptions *o)
{
  PetscInt  n;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsReal("-template_pre", "template window before each discharge (s)", "SemgTemplateEpoch", o->pre, &o->pre, NULL));
  PetscCall(PetscOptionsReal("-template_post", "template window after each discharge (s)", "SemgTemplateEpoch", o->post, &o->post, NULL));
  PetscCall(PetscOptionsReal("-template_half_width", "half-width of the shape compared for grouping (s)", "SemgTemplateEpoch", o->half_width, &o->half_width, NULL));
  PetscCall(PetscOptionsReal("-template_dead", "minimum time between two discharges of the unit (s)", "SemgTemplateEpoch", o->dead, &o->dead, NULL));
  n = SEMG_TEMPLATE_MAX_CUTS;
  PetscCall(PetscOptionsRealArray("-template_cut", "grouping cuts tried, on |a-b|^2/(|a|^2+|b|^2) (0 identical, 1 unrelated); the most consistent train wins", "SemgTemplateEpoch", o->cuts, &n, &set));
  if (set) o->n_cuts = n;
  for (PetscInt l = 0; l < o->n_cuts; l++)
    PetscCheck(o->cuts[l] > 0 && o->cuts[l] < 2, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_cut values must be in (0, 2)");
  PetscCall(PetscOptionsInt("-template_min_triggers", "fewest discharges of a usable template", "SemgTemplateEpoch", o->min_triggers, &o->min_triggers, NULL));
  PetscCall(PetscOptionsReal("-template_min_consistency", "lowest mean correlation of the discharges with their mean", "SemgTemplateEpoch", o->min_consistency, &o->min_consistency, NULL));
  PetscCall(PetscOptionsReal("-template_max_isi_cov", "most irregular discharge train of one unit (CoV of its intervals without gaps)", "SemgTemplateEpoch", o->max_isi_cov, &o->max_isi_cov, NULL));
  PetscCall(PetscOptionsInt("-template_max_candidates", "largest detections compared per epoch", "SemgTemplateEpoch", o->max_candidates, &o->max_candidates, NULL));
  PetscCheck(o->pre >= 0 && o->post > 0 && o->half_width > 0 && o->dead > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_pre >= 0, -template_post, -template_half_width, -template_dead > 0 required");
  PetscCheck(o->n_cuts >= 1 && o->min_triggers >= 2 && o->min_consistency >= -1 && o->min_consistency <= 1 && o->max_candidates >= 2 && o->max_candidates <= 5000, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_cut needs a value, -template_min_triggers >= 2, -template_min_consistency in [-1, 1], -template_max_candidates in 2..5000 required");
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscInt Samples(PetscReal s, PetscReal fs)
{
  return (PetscInt)PetscFloorReal(s * fs + 0.5);
}
PetscInt SemgTemplatePreSamples(const SemgTemplateOptions *o, PetscReal fs)
{
  return Samples(o->pre, fs);
}
PetscInt SemgTemplateLength(const SemgTemplateOptions *o, PetscReal fs)
{
  return Samples(o->pre, fs) + Samples(o->post, fs);
}

/* Shape of a discharge at k: d[:, k-w .. k+w] flattened (nd x (2w+1)). */
static void Snippet(PetscInt nt, PetscInt nd, const PetscReal *d, PetscInt k, PetscInt w, PetscReal *s)
{
  for (PetscInt c = 0; c < nd; c++)
    for (PetscInt j = -w; j <= w; j++) s[c * (2 * w + 1) + j + w] = d[(size_t)c * nt + k + j];
}

/* |a - b(shifted by lag)|^2 / (|a|^2 + |b|^2) over the overlap, best lag in [-MAX_LAG, MAX_LAG]. */
static PetscReal ShapeDistance(PetscInt nd, PetscInt len, const PetscReal *a, const PetscReal *b, PetscInt *best_lag)
{
  PetscReal best = PETSC_MAX_REAL;
  for (PetscInt lag = -MAX_LAG; lag <= MAX_LAG; lag++) {
    PetscReal num = 0, den = 0;
    for (PetscInt c = 0; c < nd; c++)
      for (PetscInt j = PetscMax(0, -lag); j < PetscMin(len, len - lag); j++) {
        const PetscReal u = a[c * len + j], v = b[c * len + j + lag];
        num += (u - v) * (u - v), den += u * u + v * v;
      }
    if (den > 0 && num / den < best) best = num / den, *best_lag = lag;
  }
  return best;
}

static PetscReal Correlation(PetscInt n, const PetscReal *a, const PetscReal *b)
{
  PetscReal ab = 0, aa = 0, bb = 0;
  for (PetscInt i = 0; i < n; i++) ab += a[i] * b[i], aa += a[i] * a[i], bb += b[i] * b[i];
  return aa > 0 && bb > 0 ? ab / PetscSqrtReal(aa * bb) : 0.0;
}

/* The dominant group among the detections: largest summed energy among groups of >= min_triggers. */
static PetscErrorCode DominantGroup(const SemgTemplateOptions *o, PetscReal cut, PetscInt n, PetscInt slen, PetscInt nd, const PetscReal *S, const PetscReal *amp, PetscInt *label, PetscInt *group, PetscInt *n_groups)
{
  PetscReal *dist, *score;
  PetscInt  *count, lag;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1((size_t)n * n, &dist));
  for (PetscInt i = 0; i < n; i++) {
    dist[(size_t)i * n + i] = 0;
    for (PetscInt j = i + 1; j < n; j++)
      dist[(size_t)i * n + j] = dist[(size_t)j * n + i] = ShapeDistance(nd, slen / nd, S + (size_t)i * slen, S + (size_t)j * slen, &lag);
  }
  PetscCall(SemgClusterAverageLinkage(n, dist, cut, label, n_groups));
  PetscCall(PetscCalloc2(*n_groups, &score, *n_groups, &count));
  for (PetscInt i = 0; i < n; i++) score[label[i]] += amp[i], count[label[i]]++;
  *group = -1;
  for (PetscInt g = 0; g < *n_groups; g++)
    if (count[g] >= o->min_triggers && (*group < 0 || score[g] > score[*group])) *group = g;
  PetscCall(PetscFree2(score, count));
  PetscCall(PetscFree(dist));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The train of the group: its mean shape, then every local maximum of the epoch (largest first, one per
   dead time) within `cut` of it; this completes the unit's train beyond the detections above the
   threshold. consistency = mean correlation of the accepted shapes with the group mean. */
static PetscErrorCode CompleteTrain(const SemgTemplateOptions *o, PetscReal cut, PetscReal fs, PetscInt nt, PetscInt nd, const PetscReal *d, PetscInt w, PetscInt lo, PetscInt hi, PetscInt nkeep, const PetscReal *S, const PetscInt *label, PetscInt group, PetscReal *mean, PetscReal *s, PetscReal *dist, PetscInt *order, char *taken, PetscInt *trig, PetscInt *ntrig, PetscReal *consistency)
{
  const PetscInt slen = nd * (2 * w + 1), dead = Samples(o->dead, fs);
  PetscInt       m    = 0;
  PetscReal      csum = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(mean, slen));
  for (PetscInt i = 0; i < nkeep; i++)
    if (label[i] == group) {
      for (PetscInt j = 0; j < slen; j++) mean[j] += S[(size_t)i * slen + j];
      m++;
    }
  for (PetscInt j = 0; j < slen; j++) mean[j] /= m;
  /* matched filter: the distance of the shape at every sample to the mean, accepted at its local minima
     below the cut, best first, one per dead time (local energy maxima move when units overlap) */
  for (PetscInt k = 0; k < nt; k++) dist[k] = PETSC_MAX_REAL;
  for (PetscInt k = lo; k < hi; k++) {
    PetscReal num = 0, den = 0;
    for (PetscInt c = 0; c < nd; c++)
      for (PetscInt j = -w; j <= w; j++) {
        const PetscReal u = mean[c * (2 * w + 1) + j + w], v = d[(size_t)c * nt + k + j];
        num += (u - v) * (u - v), den += u * u + v * v;
      }
    dist[k] = den > 0 ? num / den : PETSC_MAX_REAL;
  }
  for (PetscInt k = lo; k < hi; k++) order[k - lo] = k;
  PetscCall(PetscSortRealWithPermutation(hi - lo, dist, order)); /* order[] indexes dist by absolute sample: offset below */
  PetscCall(PetscArrayzero(taken, nt));
  *ntrig = 0;
  for (PetscInt i = 0; i < hi - lo; i++) {
    const PetscInt k = order[i];
    if (dist[k] > cut) break;
    if (taken[k] || dist[k] > dist[k - 1] || dist[k] > dist[k + 1]) continue;
    trig[(*ntrig)++] = k;
    for (PetscInt j = PetscMax(0, k - dead + 1); j < PetscMin(nt, k + dead); j++) taken[j] = 1;
  }
  PetscCall(PetscSortInt(*ntrig, trig));
  for (PetscInt i = 0; i < *ntrig; i++) {
    Snippet(nt, nd, d, trig[i], w, s);
    csum += Correlation(slen, mean, s);
  }
  *consistency = *ntrig ? csum / *ntrig : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Regularity of a discharge train: coefficient of variation of its inter-discharge intervals, leaving out
   the gaps of missed discharges (intervals above 1.5 x the median). One motor unit fires with a CoV of
   0.1-0.3; a train that mixes units (or noise) is irregular. */
PetscReal SemgTrainISICoV(PetscInt n, const PetscInt *trig)
{
  PetscReal isi[512], med, s = 0, ss = 0;
  PetscInt  m = 0, k = 0;

  if (n < 3) return PETSC_MAX_REAL;
  for (PetscInt i = 0; i + 1 < n && m < 512; i++) isi[m++] = trig[i + 1] - trig[i];
  PetscCallAbort(PETSC_COMM_SELF, PetscSortReal(m, isi));
  med = isi[m / 2];
  for (PetscInt i = 0; i < m; i++)
    if (isi[i] <= 1.5 * med) s += isi[i], ss += isi[i] * isi[i], k++;
  if (k < 2) return PETSC_MAX_REAL;
  s /= k;
  return PetscSqrtReal(PetscMax(ss / k - s * s, 0)) / s;
}

PetscErrorCode SemgTemplateEpoch(const SemgTemplateOptions *o, PetscReal fs, PetscInt nt, PetscInt nd, const PetscReal *d, PetscInt nc, const PetscReal *x, PetscReal *tmpl, PetscInt *trig, SemgTemplateQuality *q)
{
  const PetscInt npre = Samples(o->pre, fs), len = SemgTemplateLength(o, fs), w = PetscMax(1, Samples(o->half_width, fs)), slen = nd * (2 * w + 1);
  const PetscInt lo = PetscMax(npre, w + MAX_LAG), hi = PetscMin(nt - (len - npre), nt - w - MAX_LAG);
  PetscReal     *e, *amp, *S, *mean, *s, *dist, thr, best = -1;
  PetscInt      *idx, *label, *cand, *order, n, nkeep = 0;
  char          *taken;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(q, sizeof(*q)));
  PetscCall(PetscMalloc6(nt, &e, nt, &amp, nt, &idx, nt, &label, nt, &cand, nt, &order));
  PetscCall(PetscMalloc1(nt, &dist));
  PetscCall(PetscMalloc4((size_t)PetscMin(nt, o->max_candidates) * slen, &S, slen, &mean, slen, &s, nt, &taken));
  PetscCall(SemgArrayEnergy(nd, nt, d, PetscMax(1, w / 4), e));
  PetscCall(SemgEnergyPeaks(nt, e, lo, hi, Samples(0.5 * o->half_width, fs), &n, idx, amp)); /* every local maximum, largest first */
  thr = SemgOtsuThreshold(n, amp);
  while (nkeep < n && nkeep < o->max_candidates && amp[nkeep] >= thr) nkeep++;
  q->n_detected = nkeep;
  for (PetscInt i = 0; i < nkeep; i++) Snippet(nt, nd, d, idx[i], w, S + (size_t)i * slen);
  /* every cut of the ladder: the dominant group and its completed train; the usable train of largest
     summed energy x consistency wins, so the grouping adapts to the epoch */
  for (PetscInt l = 0; l < o->n_cuts && nkeep >= o->min_triggers; l++) {
    PetscInt  group = -1, ng = 0, nt_c = 0;
    PetscReal cons = 0, score = 0;
    PetscCall(DominantGroup(o, o->cuts[l], nkeep, slen, nd, S, amp, label, &group, &ng));
    if (group < 0) continue;
    PetscCall(CompleteTrain(o, o->cuts[l], fs, nt, nd, d, w, lo, hi, nkeep, S, label, group, mean, s, dist, order, taken, cand, &nt_c, &cons));
    if (nt_c < o->min_triggers || cons < o->min_consistency || SemgTrainISICoV(nt_c, cand) > o->max_isi_cov) continue;
    for (PetscInt i = 0; i < nt_c; i++) score += e[cand[i]];
    if (cons * score <= best) continue;
    best          = cons * score;
    q->n_triggers = nt_c, q->consistency = cons, q->n_groups = ng, q->cut = o->cuts[l], q->isi_cov = SemgTrainISICoV(nt_c, cand);
    PetscCall(PetscArraycpy(trig, cand, nt_c));
  }
  q->usable = (PetscBool)(best > 0);
  if (q->usable) {
    PetscCall(PetscArrayzero(tmpl, (size_t)nc * len));
    for (PetscInt i = 0; i < q->n_triggers; i++)
      for (PetscInt c = 0; c < nc; c++)
        for (PetscInt k = 0; k < len; k++) tmpl[(size_t)c * len + k] += x[(size_t)c * nt + trig[i] - npre + k] / q->n_triggers;
  }
  PetscCall(PetscFree6(e, amp, idx, label, cand, order));
  PetscCall(PetscFree(dist));
  PetscCall(PetscFree4(S, mean, s, taken));
  PetscFunctionReturn(PETSC_SUCCESS);
}
