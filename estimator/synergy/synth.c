#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/synergy/butterworth.h"
#include "estimator/synergy/metrics.h"
#include "estimator/synergy/synth.h"

const char *const SemgSynthMixings[] = {"linear", "saturating", "SemgSynthMixing", "SEMG_MIX_", NULL};
const char *const SemgSynthNoises[]  = {"envelope", "signal", "SemgSynthNoise", "SEMG_NOISE_", NULL};

enum { STREAM_W = SEMG_STREAM_USER + 1, STREAM_H, STREAM_NOISE, STREAM_CARRIER };

PetscErrorCode SemgSynthParamsDefault(SemgSynthParams *p)
{
  PetscFunctionBeginUser;
  p->M          = 13;
  p->N          = 4;
  p->cycles     = 10;
  p->points     = 200;
  p->mixing     = SEMG_MIX_LINEAR;
  p->agonist    = PETSC_FALSE;
  p->background = PETSC_FALSE;
  p->snr_db     = PETSC_INFINITY;
  p->noise      = SEMG_NOISE_ENVELOPE;
  p->fs         = 1000;
  p->seed       = 1;
  p->bump_cut   = 0;
  p->distinct   = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynthOptions(PetscOptionItems *PetscOptionsObject, SemgSynthParams *p)
{
  PetscInt seed = (PetscInt)p->seed;

  PetscFunctionBeginUser;
  PetscOptionsHeadBegin(PetscOptionsObject, "Synthetic synergies (spec synergies.md 6)");
  PetscCall(PetscOptionsInt("-synth_muscles", "muscles M", "", p->M, &p->M, NULL));
  PetscCall(PetscOptionsInt("-synth_synergies", "planted synergies N_true", "", p->N, &p->N, NULL));
  PetscCall(PetscOptionsInt("-synth_cycles", "cycles of 200 points", "", p->cycles, &p->cycles, NULL));
  PetscCall(
    PetscOptionsEnum("-synth_mixing", "V = W H (linear) or 1 - exp(-W H) (saturating)", "", SemgSynthMixings, (PetscEnum)p->mixing, (PetscEnum *)&p->mixing, NULL));
  PetscCall(PetscOptionsBool("-synth_agonist", "one negative (antagonist) weight per synergy", "", p->agonist, &p->agonist, NULL));
  PetscCall(PetscOptionsBool("-synth_background", "inactive muscles get weights U(0, 0.05)", "", p->background, &p->background, NULL));
  {
    PetscReal snr = p->snr_db < PETSC_INFINITY ? p->snr_db : 0;
    PetscBool set;
    PetscCall(PetscOptionsReal("-synth_snr", "signal-to-noise ratio, dB (not given: noise-free)", "", snr, &snr, &set));
    if (set) p->snr_db = snr;
  }
  PetscCall(PetscOptionsEnum("-synth_noise", "where the noise enters: envelope, or EMG-like signal through the full envelope pipeline", "", SemgSynthNoises,
                             (PetscEnum)p->noise, (PetscEnum *)&p->noise, NULL));
  PetscCall(PetscOptionsReal("-synth_fs", "sampling rate of the signal-level model, Hz (one cycle lasts 1 s)", "", p->fs, &p->fs, NULL));
  PetscCall(PetscOptionsReal("-synth_bump_cut", "activation bumps are 0 beyond this many widths from their centre (0 = never)", "", p->bump_cut, &p->bump_cut, NULL));
  PetscCall(PetscOptionsBool("-synth_distinct", "redraw the activations until none lies inside another (identifiable synergies)", "", p->distinct, &p->distinct, NULL));
  PetscCall(PetscOptionsInt("-synth_seed", "seed", "", seed, &seed, NULL));
  PetscOptionsHeadEnd();
  p->seed = seed;
  PetscCheck(p->M >= 2 && p->M <= 64 && p->N <= 64, PETSC_COMM_SELF, SEMG_ERR_USER, "-synth_muscles must be in 2..64 (got %d)", (int)p->M);
  PetscCheck(p->N >= 1 && p->N <= p->M, PETSC_COMM_SELF, SEMG_ERR_USER, "-synth_synergies must be in 1..%d (-synth_muscles) (got %d)", (int)p->M,
             (int)p->N);
  PetscCheck(p->cycles >= 3, PETSC_COMM_SELF, SEMG_ERR_USER, "-synth_cycles must be >= 3 (got %d)", (int)p->cycles);
  PetscCheck(p->fs >= 1000, PETSC_COMM_SELF, SEMG_ERR_USER, "-synth_fs must be >= 1000 Hz (carriers are band-limited to 20-450 Hz; got %g)", (double)p->fs);
  PetscCheck(seed >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-synth_seed must be >= 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscReal MaxPairCosine(PetscInt M, PetscInt N, const PetscReal *W)
{
  PetscReal worst = -1;
  for (PetscInt a = 0; a < N; a++)
    for (PetscInt b = a + 1; b < N; b++) {
      PetscReal s = 0;
      for (PetscInt m = 0; m < M; m++) s += W[m * N + a] * W[m * N + b];
      worst = PetscMax(worst, s);
    }
  return worst;
}

/* Step 1: 2-5 active muscles per synergy, weights U(0.2, 1), unit norm; redraw until all pairwise cosines
   < 0.6. Every muscle is active in at least one synergy when M <= 5 N (a random permutation of the muscles
   is dealt round-robin first): a muscle no synergy drives would be pure noise once scaled to maximum 1. */
static PetscErrorCode DrawSynergies(const SemgSynthParams *p, PetscReal *W)
{
  PetscInt   M = p->M, N = p->N;
  SemgRng    rng;
  PetscCount perm[64];

  PetscFunctionBeginUser;
  SemgRngInit(&rng, (uint64_t)p->seed, 0, STREAM_W);
  for (PetscInt attempt = 0;; attempt++) {
    PetscBool active[64 * 64] = {0};
    PetscCheck(attempt < 100000, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot draw %d synergies of %d muscles with pairwise cosine < 0.6; use fewer synergies or more muscles", (int)N, (int)M);
    SemgRngPermutation(&rng, M, perm);
    for (PetscInt i = 0; i < M && M <= 5 * N; i++) active[perm[i] * N + i % N] = PETSC_TRUE;
    for (PetscInt a = 0; a < N; a++) {
      PetscInt k = 2 + (PetscInt)SemgRngBelow(&rng, (uint64_t)PetscMin(4, M - 1)), have = 0, antagonist = -1;
      for (PetscInt m = 0; m < M; m++) have += active[m * N + a];
      SemgRngPermutation(&rng, M, perm);
      for (PetscInt j = 0; j < M && have < k; j++)
        if (!active[perm[j] * N + a]) {
          active[perm[j] * N + a] = PETSC_TRUE;
          have++;
        }
      for (PetscInt j = 0; j < M && antagonist < 0; j++)
        if (!active[perm[j] * N + a]) antagonist = (PetscInt)perm[j];
      for (PetscInt m = 0; m < M; m++) {
        PetscReal bg = p->background ? SemgRngUniformRange(&rng, 0, 0.05) : 0.0;
        W[m * N + a] = active[m * N + a] ? SemgRngUniformRange(&rng, 0.2, 1.0) : bg;
      }
      /* antagonist: one muscle outside the active set pulls against the synergy */
      if (p->agonist && antagonist >= 0) W[antagonist * N + a] = -SemgRngUniformRange(&rng, 0.2, 0.5);
    }
    SemgNormaliseSynergies(M, N, 0, W, NULL);
    if (MaxPairCosine(M, N, W) < 0.6) break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Step 2: per synergy 1-2 Gaussian bumps per cycle (periodic in the cycle phase), jittered per cycle. */
static void DrawBumps(const SemgSynthParams *p, SemgRng *rng, PetscInt cycles, PetscInt points, PetscReal *H)
{
  PetscInt T = cycles * points;

  for (PetscInt a = 0; a < p->N; a++) {
    PetscInt  nb = 1 + (PetscInt)SemgRngBelow(rng, 2);
    PetscReal c[2], w[2], A[2];
    for (PetscInt j = 0; j < nb; j++) {
      c[j] = SemgRngUniform(rng);
      w[j] = SemgRngUniformRange(rng, 0.05, 0.15) / 2.3548200450309493; /* width = full width at half maximum */
      A[j] = SemgRngUniformRange(rng, 0.5, 1.0);
    }
    for (PetscInt t = 0; t < T; t++) H[a * T + t] = 0;
    for (PetscInt cy = 0; cy < cycles; cy++)
      for (PetscInt j = 0; j < nb; j++) {
        PetscReal cc = c[j] + SemgRngUniformRange(rng, -0.02, 0.02), aa = A[j] * (1 + SemgRngUniformRange(rng, -0.1, 0.1));
        for (PetscInt k = 0; k < points; k++) {
          PetscReal ph = (PetscReal)k / points, d = ph - cc;
          d -= round(d); /* circular distance within the cycle */
          /* a cut bump leaves rest periods (true zeros), as real envelopes have */
          if (p->bump_cut > 0 && PetscAbsReal(d) > p->bump_cut * w[j]) continue;
          H[a * T + cy * points + k] += aa * PetscExpReal(-0.5 * d * d / (w[j] * w[j]));
        }
      }
  }
}

/* The largest e such that H_b - e H_a >= 0 wherever H_a is active (rows scaled to maximum 1), over ordered
   pairs (a, b). With e > 0, W_a + e W_b and H_b - e H_a is another exact non-negative factorisation of
   W H: synergy a's activity lies inside b's, and no method can tell the planted synergies from the mixed
   ones. */
PetscReal SemgSynthActivationContainment(PetscInt N, PetscInt T, const PetscReal *H)
{
  PetscReal worst = 0;

  for (PetscInt a = 0; a < N; a++)
    for (PetscInt b = 0; b < N; b++) {
      PetscReal ma = 0, mb = 0, e = PETSC_MAX_REAL;
      if (a == b) continue;
      for (PetscInt t = 0; t < T; t++) {
        ma = PetscMax(ma, H[a * T + t]);
        mb = PetscMax(mb, H[b * T + t]);
      }
      if (!(ma > 0 && mb > 0)) continue;
      for (PetscInt t = 0; t < T; t++)
        if (H[a * T + t] > SEMG_SYNTH_ACTIVE * ma) e = PetscMin(e, (H[b * T + t] / mb) / (H[a * T + t] / ma));
      worst = PetscMax(worst, e);
    }
  return worst;
}

/* Step 2 with identifiability: bumps are redrawn until no synergy's activity lies inside another's
   (containment < SEMG_SYNTH_CONTAINMENT), as the synergies are redrawn until their cosines are < 0.6. */
static PetscErrorCode DrawActivations(const SemgSynthParams *p, PetscInt cycles, PetscInt points, PetscReal *H)
{
  SemgRng rng;

  PetscFunctionBeginUser;
  SemgRngInit(&rng, (uint64_t)p->seed, 0, STREAM_H);
  for (PetscInt attempt = 0;; attempt++) {
    PetscCheck(attempt < 10000, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot draw activations of %d synergies in which none lies inside another; use fewer synergies (-synth_synergies) or -synth_distinct false",
               (int)p->N);
    DrawBumps(p, &rng, cycles, points, H);
    if (!p->distinct || SemgSynthActivationContainment(p->N, cycles * points, H) < SEMG_SYNTH_CONTAINMENT) break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void Mix(const SemgSynthParams *p, PetscInt T, const PetscReal *W, const PetscReal *H, PetscReal *V)
{
  for (PetscInt m = 0; m < p->M; m++)
    for (PetscInt t = 0; t < T; t++) {
      PetscReal s = 0;
      for (PetscInt a = 0; a < p->N; a++) s += W[m * p->N + a] * H[a * T + t];
      s            = PetscMax(s, 0.0); /* antagonist weights can pull a muscle below rest */
      V[m * T + t] = p->mixing == SEMG_MIX_LINEAR ? s : 1.0 - PetscExpReal(-s);
    }
}

static PetscReal MeanPower(PetscCount n, const PetscReal *x)
{
  PetscReal s = 0;
  for (PetscCount i = 0; i < n; i++) s += x[i] * x[i];
  return s / n;
}

/* Step 4 (signal level): EMG-like carriers e_m(t) = V_m(t) n_m(t) with n_m white noise band-limited to
   20-450 Hz, additive white noise at the SNR, then the full envelope pipeline and time normalisation
   (one cycle = 1 s, liftoff at mid-cycle so that stance and swing keep 100 + 100 points). */
static PetscErrorCode SignalLevel(const SemgSynthParams *p, const SemgEnvelopeParams *env, PetscInt cyc_all, PetscReal *Vall, PetscInt ncyc, PetscReal *V)
{
  PetscInt           M = p->M, P = p->points, Tall = cyc_all * P, S = (PetscInt)round(cyc_all * p->fs), ne = cyc_all + 1;
  PetscReal         *e, *time, *work, *td, *lo, sigma;
  SemgButter         hp, lp;
  SemgRng            rng;
  SemgEnvelopeParams e2 = *env;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc5((size_t)M * S, &e, S, &time, S + 200, &work, ne, &td, ne, &lo));
  PetscCall(SemgButterDesign(SEMG_BUTTER_HIGHPASS, 4, 20, p->fs, "-synth_fs", &hp));
  PetscCall(SemgButterDesign(SEMG_BUTTER_LOWPASS, 4, 450, p->fs, "-synth_fs", &lp));
  for (PetscInt s = 0; s < S; s++) time[s] = s / p->fs;
  for (PetscInt m = 0; m < M; m++) {
    PetscReal *c = e + (size_t)m * S;
    SemgRngInit(&rng, (uint64_t)p->seed, (uint64_t)m, STREAM_CARRIER);
    for (PetscInt s = 0; s < S; s++) c[s] = SemgRngNormal(&rng);
    PetscCall(SemgButterFiltFilt(&hp, S, c, work));
    PetscCall(SemgButterFiltFilt(&lp, S, c, work));
    for (PetscInt s = 0; s < S; s++) { /* envelope at the signal's time, linear in the 200-point grid */
      PetscReal x = time[s] * P, f = x - PetscFloorReal(x);
      PetscInt  k = PetscMin((PetscInt)x, Tall - 1), k1 = PetscMin(k + 1, Tall - 1);
      c[s] *= (1 - f) * Vall[m * Tall + k] + f * Vall[m * Tall + k1];
    }
  }
  if (p->snr_db < PETSC_INFINITY) {
    sigma = PetscSqrtReal(MeanPower((PetscCount)M * S, e) / PetscPowReal(10.0, p->snr_db / 10));
    SemgRngInit(&rng, (uint64_t)p->seed, 0, STREAM_NOISE);
    for (size_t i = 0; i < (size_t)M * S; i++) e[i] += sigma * SemgRngNormal(&rng);
  }
  PetscCall(SemgEnvelopeFilter(env, M, S, p->fs, "synthetic signal", NULL, e));
  for (PetscInt c = 0; c < ne; c++) {
    td[c] = c;
    lo[c] = c + 0.5;
  }
  e2.points_per_phase = P / 2;
  e2.trim             = PETSC_TRUE;
  PetscCall(SemgEnvelopeNormaliseTime(&e2, M, S, time, e, ne, td, lo, ncyc, V));
  PetscCall(PetscFree5(e, time, work, td, lo));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynthGenerate(const SemgSynthParams *p, const SemgEnvelopeParams *env, PetscInt *Tout, PetscReal **Vout, PetscReal **Wout, PetscReal **Hout)
{
  PetscInt   M = p->M, N = p->N, P = p->points, T = p->cycles * P;
  PetscBool  sig = (PetscBool)(p->noise == SEMG_NOISE_SIGNAL), noisy = (PetscBool)(p->snr_db < PETSC_INFINITY);
  PetscInt   cyc_all = p->cycles + (sig ? 2 : 0), Tall = cyc_all * P, off = sig ? P : 0;
  PetscReal *W, *Hall, *Vall, *V, *H;

  PetscFunctionBeginUser;
  PetscCheck(!sig || P % 2 == 0, PETSC_COMM_SELF, SEMG_ERR_USER, "signal-level noise needs an even number of points per cycle");
  PetscCall(PetscMalloc1((size_t)M * N, &W));
  PetscCall(PetscMalloc1((size_t)M * T, &V));
  PetscCall(PetscMalloc1((size_t)N * T, &H));
  PetscCall(PetscMalloc2((size_t)N * Tall, &Hall, (size_t)M * Tall, &Vall));
  PetscCall(DrawSynergies(p, W));
  PetscCall(DrawActivations(p, cyc_all, P, Hall));
  Mix(p, Tall, W, Hall, Vall);
  /* signal-level runs simulate one extra cycle at each end, which the envelope's trimming drops */
  for (PetscInt a = 0; a < N; a++) PetscCall(PetscArraycpy(H + (size_t)a * T, Hall + (size_t)a * Tall + off, T));
  if (sig) {
    /* the pipeline scales each muscle's envelope to maximum 1 itself: the truth follows the clean maxima */
    for (PetscInt m = 0; m < M; m++) {
      PetscReal mx = 0;
      for (PetscInt t = 0; t < T; t++) mx = PetscMax(mx, Vall[(size_t)m * Tall + off + t]);
      for (PetscInt a = 0; a < N && mx > 0; a++) W[m * N + a] /= mx;
    }
    PetscCall(SignalLevel(p, env, cyc_all, Vall, p->cycles, V));
  } else {
    for (PetscInt m = 0; m < M; m++) PetscCall(PetscArraycpy(V + (size_t)m * T, Vall + (size_t)m * Tall, T));
    if (noisy) {
      SemgRng   rng;
      PetscReal sigma = PetscSqrtReal(MeanPower((PetscCount)M * T, V) / PetscPowReal(10.0, p->snr_db / 10));
      SemgRngInit(&rng, (uint64_t)p->seed, 0, STREAM_NOISE);
      for (size_t i = 0; i < (size_t)M * T; i++) V[i] = PetscMax(V[i] + sigma * SemgRngNormal(&rng), 0.0);
    }
  }
  /* Step 5: each muscle to maximum 1, as real data; the ground truth follows (D V = (D W) H), then W's columns
     back to unit norm with H taking the scale. */
  for (PetscInt m = 0; m < M; m++) {
    PetscReal mx = 0;
    for (PetscInt t = 0; t < T; t++) mx = PetscMax(mx, V[(size_t)m * T + t]);
    if (!(mx > 0)) continue; /* a muscle no synergy drives stays silent (NMF floors it) */
    for (PetscInt t = 0; t < T; t++) V[(size_t)m * T + t] /= mx;
    for (PetscInt a = 0; a < N; a++) W[m * N + a] /= mx;
  }
  SemgNormaliseSynergies(M, N, T, W, H);
  PetscCall(PetscFree2(Hall, Vall));
  *Tout = T;
  *Vout = V;
  *Wout = W;
  *Hout = H;
  PetscFunctionReturn(PETSC_SUCCESS);
}
