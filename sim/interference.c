#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/firing.h"
#include "sim/interference.h"
#include "sim/model_mix.h"

PetscErrorCode SemgInterferenceOptions(PetscOptionItems *PetscOptionsObject, SemgSimulateOptions *o)
{
  PetscFunctionBeginUser;
  o->interference_units = 10;
  o->interference_y.lo = -0.01, o->interference_y.hi = 0.01;
  o->sir.lo = o->sir.hi = INFINITY;
  PetscCall(SemgRangeOption(PetscOptionsObject, "-interference_sir_range", "signal-to-interference ratio (dB): lo,hi; other active MUs are added (default none)", &o->sir, &o->interference));
  PetscCall(PetscOptionsInt("-interference_units", "-interference_sir_range: interfering motor units per sample", "", o->interference_units, &o->interference_units, NULL));
  PetscCall(SemgRangeOption(PetscOptionsObject, "-interference_y_range", "-interference_sir_range: transverse position of the interfering MUs' axes (m): lo,hi", &o->interference_y, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgInterferenceCheck(MPI_Comm comm, const SemgSimulateOptions *o)
{
  PetscFunctionBeginUser;
  if (!o->interference) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(o->interference_units >= 1, comm, SEMG_ERR_USER, "-interference_units %" PetscInt_FMT " must be >= 1", o->interference_units);
  PetscCheck(PetscIsNormalReal(o->sir.lo) || o->sir.lo == 0, comm, SEMG_ERR_USER, "-interference_sir_range must be finite dB values");
  PetscCheck(PetscIsNormalReal(o->sir.hi) || o->sir.hi == 0, comm, SEMG_ERR_USER, "-interference_sir_range must be finite dB values");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal SemgPowerRatioDB(size_t n, const PetscReal *s, const PetscReal *i)
{
  PetscReal ps = 0, pi = 0;

  for (size_t k = 0; k < n; k++) ps += s[k] * s[k], pi += i[k] * i[k];
  return pi > 0 ? 10.0 * log10(ps / pi) : INFINITY;
}

/* Interfering unit j: a MU drawn from the sample's ranges (same conventions as the sample's draws)
   at a transverse position of -interference_y_range; its fibres are keyed by (j + 1) above bit 40 of
   the sample index, so they never coincide with any sample's own MU. The units share the sample's
   tissue (depth shift of a layered sample) and fibre CV SD. */
static PetscErrorCode UnitFibres(const SemgSimulateOptions *o, const SemgSampleParams *p, PetscInt sample, PetscInt j, SemgRng *rng, PetscInt *nf, SemgFibre **f)
{
  SemgMotorUnitSpec mu = o->mu;
  PetscReal         n;

  PetscFunctionBeginUser;
  mu.cv_sd     = p->theta[SEMG_THETA_MU_CV_SD];
  mu.iz[0]     = SemgRngUniformRange(rng, o->iz.lo, o->iz.hi);
  mu.iz[1]     = SemgRngUniformRange(rng, o->interference_y.lo, o->interference_y.hi);
  mu.iz[2]     = -(SemgRngUniformRange(rng, o->depth.lo, o->depth.hi) + SemgSampleDepthShift(o, p));
  mu.cv_mean   = SemgRngUniformRange(rng, o->cv.lo, o->cv.hi);
  n            = floor(SemgRngUniformRange(rng, o->fibres.lo, o->fibres.hi + 1.0));
  mu.n_fibres  = (PetscInt)PetscMin(n, floor(o->fibres.hi));
  mu.radius    = SemgRngUniformRange(rng, o->radius.lo, o->radius.hi);
  mu.iz_spread = SemgRngUniformRange(rng, o->iz_spread.lo, o->iz_spread.hi);
  *nf          = mu.n_fibres;
  PetscCall(PetscMalloc1(*nf, f));
  PetscCall(SemgMotorUnitGenerate(&mu, (uint64_t)o->seed, ((uint64_t)(j + 1) << 40) | (uint64_t)sample, *f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Template samples SemgFiringSuperpose reads for these firings (same index arithmetic): the MUAP's
   time samples are independent of each other, so a template cut at this length gives the same window
   bit for bit; 0 when no firing reaches the window (the unit's MUAP is then not computed at all). */
static PetscInt TemplateLength(PetscInt nfire, const PetscReal *times, PetscReal dt, PetscInt nt)
{
  PetscInt len = 0;

  for (PetscInt f = 0; f < nfire; f++) {
    const PetscInt n0 = (PetscInt)floor(times[f] / dt);
    if (n0 < nt && n0 + nt > 0) len = PetscMax(len, PetscMin(nt, nt - n0));
  }
  return len;
}

/* Monopolar interference (ne x nt, +=): every unit's MUAP (nt samples long) at each of its firings in
   [t0 - nt/fs, t0 + nt/fs), so that MUAPs begun before the window contribute their tails. */
static PetscErrorCode InterferenceMono(const SemgSimulateOptions *o, const SemgSampleParams *p, SemgLeadfield lf, PetscInt sample, PetscInt ne, const PetscReal *xyz, PetscInt nt, PetscReal *mono)
{
  SemgFiringSpec  fsp;
  SemgRng         rng;
  PetscReal      *tmpl, t0;
  const PetscReal dt = 1.0 / o->fs;

  PetscFunctionBeginUser;
  PetscCall(SemgFiringSpecDefault(&fsp));
  SemgRngInit(&rng, (uint64_t)o->seed, (uint64_t)sample, SEMG_STREAM_INTERFERENCE);
  /* a window on the plateau of the trapezoidal drive (every unit recruited, steady rates), the plateau
     lengthened so that it holds 1 s of window starts whatever the record length */
  fsp.trapezoid[2] = fsp.trapezoid[1] + 1.0 + 2.0 * nt * dt;
  fsp.trapezoid[3] = fsp.trapezoid[2] + 1.0;
  t0               = SemgRngUniformRange(&rng, fsp.trapezoid[1] + nt * dt, fsp.trapezoid[2] - nt * dt);
  fsp.t_end        = t0 + nt * dt;
  PetscCall(PetscMalloc1((size_t)ne * nt, &tmpl));
  for (PetscInt j = 0; j < o->interference_units; j++) {
    const PetscInt pool = (PetscInt)SemgRngBelow(&rng, (uint64_t)fsp.n_mu); /* its place in the pool sets its rate */
    PetscInt       nf, nfire, ntm;
    SemgFibre     *f;
    PetscReal     *times;

    /* the train starts at a random instant of the last 0.1 s of the ramp (drive >= 0.9 > every recruitment
       threshold, and longer than any plateau ISI), which randomises its phase without stepping through
       the ramp below recruitment */
    fsp.t_start = fsp.trapezoid[1] - 0.1 * SemgRngUniform(&rng);
    PetscCall(UnitFibres(o, p, sample, j, &rng, &nf, &f));
    PetscCall(SemgFiringTrain(&fsp, pool, (uint64_t)o->seed, (uint64_t)sample * (uint64_t)o->interference_units + (uint64_t)j, &nfire, &times));
    for (PetscInt k = 0; k < nfire; k++) times[k] -= t0;
    ntm = TemplateLength(nfire, times, dt, nt);
    if (ntm > 0) { /* the MUAP's samples at and after ntm fall outside the window: not computed */
      PetscCall(SemgSimulateForward(o, p, lf, nf, f, ne, xyz, ntm, tmpl));
      SemgFiringSuperpose(nfire, times, dt, ne, ntm, tmpl, nt, mono);
    }
    PetscCall(PetscFree(times));
    PetscCall(PetscFree(f));
  }
  PetscCall(PetscFree(tmpl));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgInterferenceAdd(const SemgSimulateOptions *o, SemgLeadfield lf, const SemgDataset *ds, PetscInt sample, const PetscReal *xyz, PetscReal *out, SemgSampleParams *p)
{
  PetscReal     *sir_db = &p->theta[SEMG_THETA_SIR];
  const PetscInt ne = ds->n_electrodes, nt = ds->n_times;
  const size_t   n = (size_t)ds->n_channels * nt;
  PetscReal     *mono, *chan, ratio, g;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1((size_t)ne * nt, &mono));
  PetscCall(PetscMalloc1(n, &chan));
  PetscCall(InterferenceMono(o, p, lf, sample, ne, xyz, nt, mono));
  PetscCall(SemgSimulateContactGains(o, p, sample, ne, nt, mono)); /* the electrodes' gains act on every source */
  SemgDatasetApplyChannels(ds, mono, chan);
  ratio = SemgPowerRatioDB(n, out, chan); /* SIR before scaling */
  if (PetscIsInfOrNanReal(ratio)) *sir_db = NAN;
  else {
    g = pow(10.0, (ratio - *sir_db) / 20.0);
    for (size_t k = 0; k < n; k++) out[k] += g * chan[k];
  }
  PetscCall(PetscFree(mono));
  PetscCall(PetscFree(chan));
  PetscFunctionReturn(PETSC_SUCCESS);
}
