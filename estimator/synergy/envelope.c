#include <math.h>
#include "core/semg_error.h"
#include "estimator/synergy/butterworth.h"
#include "estimator/synergy/envelope.h"

#define SEMG_MIN_CYCLES 3

PetscErrorCode SemgEnvelopeParamsDefault(SemgEnvelopeParams *p)
{
  PetscFunctionBeginUser;
  p->hp_fc            = 50;
  p->lp_fc            = 20;
  p->hp_order         = 4;
  p->lp_order         = 4;
  p->half_wave        = PETSC_FALSE;
  p->points_per_phase = 100;
  p->trim             = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEnvelopeOptions(PetscOptionItems *PetscOptionsObject, SemgEnvelopeParams *p)
{
  PetscFunctionBeginUser;
  PetscOptionsHeadBegin(PetscOptionsObject, "EMG envelope (spec synergies.md 2)");
  PetscCall(PetscOptionsReal("-env_highpass", "zero-phase Butterworth high-pass cut-off, Hz (0 = none)", "", p->hp_fc, &p->hp_fc, NULL));
  PetscCall(PetscOptionsInt("-env_highpass_order", "high-pass order", "", p->hp_order, &p->hp_order, NULL));
  PetscCall(PetscOptionsReal("-env_lowpass", "zero-phase Butterworth low-pass cut-off of the rectified signal, Hz", "", p->lp_fc, &p->lp_fc, NULL));
  PetscCall(PetscOptionsInt("-env_lowpass_order", "low-pass order", "", p->lp_order, &p->lp_order, NULL));
  PetscCall(PetscOptionsBool("-env_half_wave", "half-wave rectification (default full-wave)", "", p->half_wave, &p->half_wave, NULL));
  PetscCall(PetscOptionsInt("-env_points", "points per phase of a cycle (two phases: stance, swing)", "", p->points_per_phase, &p->points_per_phase, NULL));
  PetscCall(PetscOptionsBool("-env_trim", "drop the first and last cycle", "", p->trim, &p->trim, NULL));
  PetscOptionsHeadEnd();
  PetscCheck(p->points_per_phase >= 2, PETSC_COMM_SELF, SEMG_ERR_USER, "-env_points must be >= 2 (got %d)", (int)p->points_per_phase);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ZeroPhase(SemgButterKind kind, PetscInt order, PetscReal fc, PetscReal fs, const char *opt, PetscInt M, PetscInt T, PetscReal *x)
{
  SemgButter f;
  PetscReal *work;

  PetscFunctionBeginUser;
  PetscCall(SemgButterDesign(kind, order, fc, fs, opt, &f));
  PetscCheck(T > SemgButterPadLength(&f), PETSC_COMM_SELF, SEMG_ERR_USER, "%s: the recording has %d samples, too few to filter (needs > %d)", opt, (int)T, (int)SemgButterPadLength(&f));
  PetscCall(PetscMalloc1(T + 2 * SemgButterPadLength(&f), &work));
  for (PetscInt m = 0; m < M; m++) PetscCall(SemgButterFiltFilt(&f, T, x + (size_t)m * T, work));
  PetscCall(PetscFree(work));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEnvelopeFilter(const SemgEnvelopeParams *p, PetscInt M, PetscInt T, PetscReal fs, const char *what, const char *const names[], PetscReal *x)
{
  PetscReal minpos = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  /* a constant channel has no envelope: every later step would divide by zero */
  for (PetscInt m = 0; m < M; m++) {
    const PetscReal *c  = x + (size_t)m * T;
    PetscReal        lo = c[0], hi = c[0];
    for (PetscInt t = 1; t < T; t++) {
      lo = PetscMin(lo, c[t]);
      hi = PetscMax(hi, c[t]);
    }
    PetscCheck(hi > lo, PETSC_COMM_SELF, SEMG_ERR_USER, "%s: muscle '%s' is constant (%g) over the whole recording", what, names ? names[m] : "?", (double)lo);
  }
  for (PetscInt m = 0; m < M; m++) { /* 1: de-mean */
    PetscReal *c = x + (size_t)m * T, mean = 0;
    for (PetscInt t = 0; t < T; t++) mean += c[t];
    mean /= T;
    for (PetscInt t = 0; t < T; t++) c[t] -= mean;
  }
  if (p->hp_fc > 0) PetscCall(ZeroPhase(SEMG_BUTTER_HIGHPASS, p->hp_order, p->hp_fc, fs, "-env_highpass", M, T, x)); /* 2 */
  for (size_t i = 0; i < (size_t)M * T; i++) x[i] = p->half_wave ? PetscMax(x[i], 0.0) : PetscAbsReal(x[i]);         /* 3 */
  PetscCall(ZeroPhase(SEMG_BUTTER_LOWPASS, p->lp_order, p->lp_fc, fs, "-env_lowpass", M, T, x));                     /* 4 */
  for (size_t i = 0; i < (size_t)M * T; i++) /* 5: entries <= 0 -> smallest positive entry */
    if (x[i] > 0) minpos = PetscMin(minpos, x[i]);
  PetscCheck(minpos < PETSC_MAX_REAL, PETSC_COMM_SELF, SEMG_ERR_USER, "%s: no positive envelope value at all", what);
  for (size_t i = 0; i < (size_t)M * T; i++)
    if (x[i] <= 0) x[i] = minpos;
  for (PetscInt m = 0; m < M; m++) { /* 6, 7: channel minimum to 0, maximum to 1 */
    PetscReal *c = x + (size_t)m * T, lo = c[0], hi = c[0];
    for (PetscInt t = 1; t < T; t++) {
      lo = PetscMin(lo, c[t]);
      hi = PetscMax(hi, c[t]);
    }
    PetscCheck(hi > lo, PETSC_COMM_SELF, SEMG_ERR_USER, "%s: muscle '%s' has a flat envelope (no activity above the filters' pass band)", what, names ? names[m] : "?");
    for (PetscInt t = 0; t < T; t++) c[t] = (c[t] - lo) / (hi - lo);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEnvelopeCheckEvents(const SemgEnvelopeParams *p, PetscInt ne, const PetscReal *td, const PetscReal *lo, PetscReal t0, PetscReal t1, const char *what, PetscInt *ncycles)
{
  PetscInt n = ne - 1;

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < ne; c++) {
    PetscCheck(td[c] >= t0 && td[c] <= t1, PETSC_COMM_SELF, SEMG_ERR_USER, "%s row %d: touchdown %g s lies outside the recording [%g, %g] s", what, (int)c + 1, (double)td[c], (double)t0, (double)t1);
    if (c < ne - 1) {
      PetscCheck(td[c] < lo[c] && lo[c] < td[c + 1], PETSC_COMM_SELF, SEMG_ERR_USER, "%s row %d: events out of order (need touchdown %g < liftoff %g < next touchdown %g)", what, (int)c + 1, (double)td[c], (double)lo[c], (double)td[c + 1]);
    }
  }
  if (p->trim) n -= 2;
  PetscCheck(n >= SEMG_MIN_CYCLES, PETSC_COMM_SELF, SEMG_ERR_USER, "%s: %d gait cycle(s)%s, need at least %d (a cycle runs from one touchdown to the next)", what, (int)PetscMax(n, 0), p->trim ? " after dropping the first and last" : "", SEMG_MIN_CYCLES);
  *ncycles = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Linear interpolation of one channel at np points evenly spaced from ta to tb (both included). */
static void Resample(PetscInt T, const PetscReal *time, const PetscReal *c, PetscReal ta, PetscReal tb, PetscInt np, PetscInt *j, PetscReal *out)
{
  for (PetscInt k = 0; k < np; k++) {
    PetscReal tk = ta + (tb - ta) * k / (np - 1), w;
    while (*j + 2 < T && time[*j + 1] < tk) (*j)++;
    w      = (tk - time[*j]) / (time[*j + 1] - time[*j]);
    w      = PetscMin(PetscMax(w, 0.0), 1.0);
    out[k] = (1 - w) * c[*j] + w * c[*j + 1];
  }
}

PetscErrorCode SemgEnvelopeNormaliseTime(const SemgEnvelopeParams *p, PetscInt M, PetscInt T, const PetscReal *time, const PetscReal *x, PetscInt ne, const PetscReal *td, const PetscReal *lo, PetscInt ncycles, PetscReal *out)
{
  PetscInt P = p->points_per_phase, first = p->trim ? 1 : 0, len = ncycles * 2 * P;

  PetscFunctionBeginUser;
  PetscCheck(first + ncycles <= ne - 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "%d cycles from %d events", (int)ncycles, (int)ne);
  for (PetscInt m = 0; m < M; m++) {
    const PetscReal *c = x + (size_t)m * T;
    PetscReal       *o = out + (size_t)m * len;
    PetscInt         j = 0;
    for (PetscInt k = 0; k < ncycles; k++) {
      PetscInt cyc = first + k;
      /* stance [touchdown, liftoff] and swing [liftoff, next touchdown], as normEMG's two phases */
      Resample(T, time, c, td[cyc], lo[cyc], P, &j, o + (size_t)k * 2 * P);
      Resample(T, time, c, lo[cyc], td[cyc + 1], P, &j, o + (size_t)k * 2 * P + P);
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
