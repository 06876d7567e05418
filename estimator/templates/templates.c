/* Templates of the dominant motor unit of an epoch (see templates.h). */
#include "core/semg_error.h"
#include "estimator/templates/templates.h"
#include "estimator/templates/detect.h"
#include "estimator/templates/cluster.h"
#include "estimator/templates/match.h"
#include "estimator/templates/align.h"

const char *const SemgTemplateChoices[] = {"snr", "snr_consistency", "SemgTemplateChoice", "SEMG_TEMPLATE_CHOICE_", NULL};

#define MAX_LAG   2   /* samples of misalignment allowed between two detections of one unit */
#define MAX_SHIFT 1.0 /* largest sub-sample correction of a discharge (samples) */

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
  o->min_consistency = 0.6;
  o->max_candidates  = 300;
  o->max_isi_cov     = 0.3;
  o->n_seeds         = 3;
  o->match_half      = 0.008;
  o->match_iter      = 3;
  o->n_floors        = 2;
  o->match_floor[0] = 0.4, o->match_floor[1] = 0.55;
  o->min_snr       = 8;
  o->min_isi_ratio = 0.6;
  o->align_iter    = 0;
  o->trim          = 0;
  o->max_residual  = 0;
  o->gap_floor     = 0;
  o->choice        = SEMG_TEMPLATE_CHOICE_SNR_CONSISTENCY;
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
  PetscCall(PetscOptionsRealArray("-template_cut", "grouping cuts tried, on |a-b|^2/(|a|^2+|b|^2) (0 identical, 1 unrelated); every cut seeds the matching, the train of the best -template_choice score wins", "SemgTemplateEpoch", o->cuts, &n, &set));
  if (set) o->n_cuts = n;
  for (PetscInt l = 0; l < o->n_cuts; l++)
    PetscCheck(o->cuts[l] > 0 && o->cuts[l] < 2, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_cut values must be in (0, 2)");
  PetscCall(PetscOptionsInt("-template_min_triggers", "fewest discharges of a usable template", "SemgTemplateEpoch", o->min_triggers, &o->min_triggers, NULL));
  PetscCall(PetscOptionsReal("-template_min_consistency", "lowest mean correlation of the discharges with their mean", "SemgTemplateEpoch", o->min_consistency, &o->min_consistency, NULL));
  PetscCall(PetscOptionsReal("-template_max_isi_cov", "most irregular discharge train of one unit (CoV of its intervals without gaps)", "SemgTemplateEpoch", o->max_isi_cov, &o->max_isi_cov, NULL));
  PetscCall(PetscOptionsInt("-template_max_candidates", "largest detections compared per epoch", "SemgTemplateEpoch", o->max_candidates, &o->max_candidates, NULL));
  PetscCall(PetscOptionsInt("-template_seeds", "largest groups per grouping cut refined by multichannel template matching", "SemgTemplateEpoch", o->n_seeds, &o->n_seeds, NULL));
  PetscCall(PetscOptionsReal("-template_match_half", "half-width of the whole-array shape matched against the epoch (s)", "SemgTemplateEpoch", o->match_half, &o->match_half, NULL));
  PetscCall(PetscOptionsInt("-template_match_iter", "re-estimations of the matched shape from its discharges", "SemgTemplateEpoch", o->match_iter, &o->match_iter, NULL));
  n = SEMG_TEMPLATE_MAX_CUTS;
  PetscCall(PetscOptionsRealArray("-template_match_floor", "lowest normalised match 2<T,d>/(|T|^2+|d|^2) of a discharge, one refinement per value (default 0.4,0.55; a higher floor separates two units of similar shape)", "SemgTemplateEpoch", o->match_floor, &n, &set));
  if (set) o->n_floors = n;
  for (PetscInt l = 0; l < o->n_floors; l++)
    PetscCheck(o->match_floor[l] > -1 && o->match_floor[l] < 1, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_match_floor values must be in (-1, 1)");
  PetscCall(PetscOptionsEnum("-template_choice", "score that chooses the train among the accepted ones: snr, or snr x consistency (prefers a train of one unit to one that mixes two of similar shape)", "SemgTemplateEpoch", SemgTemplateChoices,
                             (PetscEnum)o->choice, (PetscEnum *)&o->choice, NULL));
  PetscCall(PetscOptionsReal("-template_min_snr", "lowest signal-to-residual ratio of the averaged shape (discharges x |T|^2 / mean |d-T|^2)", "SemgTemplateEpoch", o->min_snr, &o->min_snr, NULL));
  PetscCall(PetscOptionsReal("-template_min_isi_ratio", "of two discharges closer than this x the train's median interval, the worse match is dropped (0: none)", "SemgTemplateEpoch", o->min_isi_ratio, &o->min_isi_ratio, NULL));
  PetscCall(PetscOptionsInt("-template_align_iter", "rounds of sub-sample alignment of each discharge against the mean of the others before averaging (0: whole samples)", "SemgTemplateEpoch", o->align_iter, &o->align_iter, NULL));
  PetscCall(PetscOptionsReal("-template_trim", "fraction of the discharges dropped at each end, per sample, from the average (0: plain mean)", "SemgTemplateEpoch", o->trim, &o->trim, NULL));
  PetscCall(PetscOptionsReal("-template_max_residual", "discharges whose residual against the mean of the others exceeds this x the train's median (overlapped by another unit) are left out of the average (0: none)", "SemgTemplateEpoch", o->max_residual, &o->max_residual, NULL));
  PetscCall(PetscOptionsReal("-template_gap_floor", "lowest match of a discharge added where the chosen train has a gap of more than 1.5 x its median interval (0: none)", "SemgTemplateEpoch", o->gap_floor, &o->gap_floor, NULL));
  PetscCheck(o->gap_floor >= 0 && o->gap_floor < 1, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_gap_floor in [0, 1) required");
  PetscCheck(o->max_residual == 0 || o->max_residual >= 1, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_max_residual must be 0 or >= 1");
  PetscCheck(o->align_iter >= 0 && o->trim >= 0 && o->trim < 0.5, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_align_iter >= 0 and -template_trim in [0, 0.5) required");
  PetscCheck(o->min_isi_ratio >= 0 && o->min_isi_ratio < 1, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_min_isi_ratio in [0, 1) required");
  PetscCheck(o->n_seeds >= 1 && o->n_seeds <= SEMG_TEMPLATE_MAX_SEEDS && o->match_half > 0 && o->match_iter >= 0 && o->n_floors >= 1 && o->min_snr >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-template_seeds in 1..%d, -template_match_half > 0, -template_match_iter >= 0, -template_match_floor needs a value, -template_min_snr >= 0 required", SEMG_TEMPLATE_MAX_SEEDS);
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

/* Groups of the detections at one cut: label[i] per detection, and the groups of >= min_triggers members
   by decreasing summed energy in rank[0..*n_rank) (at most n_rank on entry). */
static PetscErrorCode RankGroups(const SemgTemplateOptions *o, PetscReal cut, PetscInt n, PetscInt slen, PetscInt nd, const PetscReal *S, const PetscReal *amp, PetscInt *label, PetscInt *n_groups, PetscInt *rank, PetscInt *n_rank)
{
  PetscReal *dist, *score;
  PetscInt  *count, lag, m = 0;

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
  for (PetscInt r = 0; r < *n_rank; r++) { /* selection of the largest, n_rank is small */
    PetscInt g = -1;
    for (PetscInt h = 0; h < *n_groups; h++)
      if (count[h] >= o->min_triggers && (g < 0 || score[h] > score[g])) g = h;
    if (g < 0) break;
    rank[m++] = g, count[g] = 0;
  }
  *n_rank = m;
  PetscCall(PetscFree2(score, count));
  PetscCall(PetscFree(dist));
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
  const PetscInt    npre = Samples(o->pre, fs), len = SemgTemplateLength(o, fs), w = PetscMax(1, Samples(o->half_width, fs)), slen = nd * (2 * w + 1);
  const PetscInt    mh = PetscMax(1, Samples(o->match_half, fs));
  const PetscInt    lo = PetscMax(PetscMax(npre, w + MAX_LAG), mh), hi = PetscMin(PetscMin(nt - (len - npre), nt - w - MAX_LAG), nt - mh - 1);
  PetscReal        *e, *amp, *S, *T, best        = PETSC_MIN_REAL;
  PetscInt         *idx, *label, *cand, n, nkeep = 0;
  SemgMatcher       M;
  SemgRefineOptions ro;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(q, sizeof(*q)));
  PetscCall(PetscMalloc5(nt, &e, nt, &amp, nt, &idx, nt, &label, nt, &cand));
  PetscCall(PetscMalloc2((size_t)PetscMin(nt, o->max_candidates) * slen, &S, (size_t)nd * (2 * mh + 1), &T));
  PetscCall(SemgArrayEnergy(nd, nt, d, PetscMax(1, w / 4), e));
  PetscCall(SemgEnergyPeaks(nt, e, lo, hi, Samples(0.5 * o->half_width, fs), &n, idx, amp)); /* every local maximum, largest first */
  {
    const PetscReal thr = SemgOtsuThreshold(n, amp);
    while (nkeep < n && nkeep < o->max_candidates && amp[nkeep] >= thr) nkeep++;
  }
  q->n_detected = nkeep;
  for (PetscInt i = 0; i < nkeep; i++) Snippet(nt, nd, d, idx[i], w, S + (size_t)i * slen);
  PetscCall(SemgMatcherCreate(nd, nt, d, mh, mh + 1, &M));
  ro.n_iter = o->match_iter, ro.floor = o->match_floor[0], ro.dead = Samples(o->dead, fs), ro.lo = lo, ro.hi = hi, ro.max_trig = nt, ro.smooth = PetscMax(1, w / 4), ro.min_isi_ratio = o->min_isi_ratio;
  /* every cut of the ladder, the largest groups as seeds of the matched filter; of the regular, consistent
     refined trains the one of the best score (o->choice) wins */
  for (PetscInt l = 0; l < o->n_cuts && nkeep >= o->min_triggers; l++) {
    PetscInt ng = 0, rank[SEMG_TEMPLATE_MAX_SEEDS], nr = o->n_seeds;
    PetscCall(RankGroups(o, o->cuts[l], nkeep, slen, nd, S, amp, label, &ng, rank, &nr));
    for (PetscInt r = 0; r < nr; r++)
      for (PetscInt pass = 0; pass <= (o->match_iter ? o->n_floors : 0); pass++) { /* the group as detected, then refined by matching at each floor */
        SemgRefineQuality rq;
        PetscInt          m = 0;
        PetscReal         isi, score;
        for (PetscInt i = 0; i < nkeep; i++)
          if (label[i] == rank[r]) cand[m++] = idx[i];
        PetscCall(PetscSortInt(m, cand));
        ro.n_iter = pass ? o->match_iter : 0, ro.floor = o->match_floor[PetscMax(pass - 1, 0)];
        PetscCall(SemgMatcherRefine(M, &ro, &m, cand, T, &rq));
        isi   = SemgTrainISICoV(m, cand);
        score = o->choice == SEMG_TEMPLATE_CHOICE_SNR ? rq.snr : rq.snr * rq.consistency;
        if (m < o->min_triggers || rq.consistency < o->min_consistency || isi > o->max_isi_cov || rq.snr < o->min_snr || score <= best) continue;
        best          = score;
        q->n_triggers = m, q->consistency = rq.consistency, q->n_groups = ng, q->cut = o->cuts[l], q->isi_cov = isi, q->snr = rq.snr;
        PetscCall(PetscArraycpy(trig, cand, m));
      }
  }
  q->usable = (PetscBool)(best > PETSC_MIN_REAL);
  if (q->usable && o->gap_floor > 0) { /* the discharges the matching missed in the train's gaps */
    PetscCall(SemgMatcherMean(M, q->n_triggers, trig, T));
    PetscCall(SemgMatcherFillGaps(M, T, lo, hi, o->gap_floor, nt, &q->n_triggers, trig));
  }
  if (q->usable) { /* the discharges aligned to a fraction of a sample on the filtered channels, then averaged */
    PetscReal *tau;
    PetscBool *keep;
    PetscInt   nk, m = 0;
    PetscCall(PetscMalloc2(q->n_triggers, &tau, q->n_triggers, &keep));
    PetscCall(SemgAlignSubsample(nd, nt, d, q->n_triggers, trig, mh, mh + 1, o->align_iter, MAX_SHIFT, tau));
    PetscCall(SemgOverlapMask(nd, nt, d, q->n_triggers, trig, tau, mh, mh + 1, o->max_residual, keep, &nk));
    for (PetscInt i = 0; i < q->n_triggers; i++) /* the kept ones to the front of cand (trig stays the whole train) */
      if (keep[i]) cand[m] = trig[i], tau[m++] = tau[i];
    PetscCall(SemgAverageDischarges(nc, nt, x, m, cand, tau, npre, len, o->trim, tmpl));
    PetscCall(PetscFree2(tau, keep));
  }
  PetscCall(SemgMatcherDestroy(&M));
  PetscCall(PetscFree5(e, amp, idx, label, cand));
  PetscCall(PetscFree2(S, T));
  PetscFunctionReturn(PETSC_SUCCESS);
}
