/* Motor-unit pool: recruitment, sizes, territories, rate coding (see pool.h). */
#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/pool.h"

PetscErrorCode SemgPoolSpecDefault(SemgPoolSpec *s)
{
  PetscFunctionBeginUser;
  s->n_units         = 120;
  s->recruit_range   = 30;
  s->recruit_max     = 0.6;
  s->rate_min        = 8;
  s->rate_gain       = 40;
  s->peak_rate_first = 35;
  s->peak_rate_last  = 25;
  s->isi_cov         = 0.15;
  s->fibres_first    = 25;
  s->fibres_last     = 500;
  s->fibre_density   = 2e7;
  s->depth[0] = 0.005, s->depth[1] = 0.020;
  s->lateral[0] = -0.008, s->lateral[1] = 0.008;
  s->iz_x[0] = -0.0075, s->iz_x[1] = 0.0075;
  s->cv[0] = 3.0, s->cv[1] = 5.0;
  s->cv_jitter = 0.3;
  s->iz_spread = 0.005;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PairOption(PetscOptionItems *PetscOptionsObject, const char *name, const char *text, PetscReal v[2])
{
  PetscInt  n = 2;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsRealArray(name, text, "SemgPoolSpec", v, &n, &set));
  PetscCheck(!set || n == 2, PETSC_COMM_WORLD, SEMG_ERR_USER, "%s takes two values lo,hi", name);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPoolSpecOptions(PetscOptionItems *PetscOptionsObject, SemgPoolSpec *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInt("-pool_units", "motor units whose territories lie under the array", "SemgPoolSpec", s->n_units, &s->n_units, NULL));
  PetscCall(PetscOptionsReal("-pool_recruit_range", "ratio of the largest to the smallest recruitment threshold", "SemgPoolSpec", s->recruit_range, &s->recruit_range, NULL));
  PetscCall(PetscOptionsReal("-pool_recruit_max", "excitation (fraction of maximal contraction) recruiting the last unit", "SemgPoolSpec", s->recruit_max, &s->recruit_max, NULL));
  PetscCall(PetscOptionsReal("-pool_rate_min", "firing rate at recruitment (Hz)", "SemgPoolSpec", s->rate_min, &s->rate_min, NULL));
  PetscCall(PetscOptionsReal("-pool_rate_gain", "rate increase per unit of excitation above threshold (Hz)", "SemgPoolSpec", s->rate_gain, &s->rate_gain, NULL));
  PetscCall(PetscOptionsReal("-pool_peak_rate_first", "peak firing rate of the first-recruited unit (Hz)", "SemgPoolSpec", s->peak_rate_first, &s->peak_rate_first, NULL));
  PetscCall(PetscOptionsReal("-pool_peak_rate_last", "peak firing rate of the last-recruited unit (Hz)", "SemgPoolSpec", s->peak_rate_last, &s->peak_rate_last, NULL));
  PetscCall(PetscOptionsReal("-pool_isi_cov", "coefficient of variation of the inter-spike intervals", "SemgPoolSpec", s->isi_cov, &s->isi_cov, NULL));
  PetscCall(PetscOptionsReal("-pool_fibres_first", "fibres of the first-recruited unit", "SemgPoolSpec", s->fibres_first, &s->fibres_first, NULL));
  PetscCall(PetscOptionsReal("-pool_fibres_last", "fibres of the last-recruited unit (exponential in between)", "SemgPoolSpec", s->fibres_last, &s->fibres_last, NULL));
  PetscCall(PetscOptionsReal("-pool_fibre_density", "fibres per m^2 of territory (sets the territory radius)", "SemgPoolSpec", s->fibre_density, &s->fibre_density, NULL));
  PetscCall(PairOption(PetscOptionsObject, "-pool_depth", "territory centre depth below the electrodes lo,hi (m)", s->depth));
  PetscCall(PairOption(PetscOptionsObject, "-pool_lateral", "territory centre y lo,hi (m)", s->lateral));
  PetscCall(PairOption(PetscOptionsObject, "-pool_iz", "IZ centre x lo,hi (m)", s->iz_x));
  PetscCall(PairOption(PetscOptionsObject, "-pool_cv", "mean CV of the first and the last unit (m/s)", s->cv));
  PetscCall(PetscOptionsReal("-pool_cv_jitter", "uniform +- jitter of each unit's CV (m/s)", "SemgPoolSpec", s->cv_jitter, &s->cv_jitter, NULL));
  PetscCall(PetscOptionsReal("-pool_iz_spread", "IP spread W_I of every unit (m)", "SemgPoolSpec", s->iz_spread, &s->iz_spread, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPoolSpecCheck(MPI_Comm comm, const SemgPoolSpec *s)
{
  PetscFunctionBeginUser;
  PetscCheck(s->n_units >= 1 && s->n_units <= 100000, comm, SEMG_ERR_USER, "-pool_units %" PetscInt_FMT " must be in 1..100000", s->n_units);
  PetscCheck(s->recruit_range >= 1 && s->recruit_max > 0 && s->recruit_max <= 1, comm, SEMG_ERR_USER, "-pool_recruit_range >= 1 and 0 < -pool_recruit_max <= 1 required");
  PetscCheck(s->rate_min > 0 && s->rate_gain >= 0 && s->peak_rate_first >= s->rate_min && s->peak_rate_last >= s->rate_min, comm, SEMG_ERR_USER, "-pool_rate_min > 0, -pool_rate_gain >= 0 and peak rates >= -pool_rate_min required");
  PetscCheck(s->isi_cov >= 0 && s->isi_cov < 0.5, comm, SEMG_ERR_USER, "-pool_isi_cov %g must be in [0, 0.5)", (double)s->isi_cov);
  PetscCheck(s->fibres_first >= 1 && s->fibres_last >= s->fibres_first && s->fibre_density > 0, comm, SEMG_ERR_USER, "1 <= -pool_fibres_first <= -pool_fibres_last and -pool_fibre_density > 0 required");
  PetscCheck(s->depth[0] > 0 && s->depth[1] >= s->depth[0] && s->lateral[1] >= s->lateral[0] && s->iz_x[1] >= s->iz_x[0], comm, SEMG_ERR_USER, "-pool_depth (> 0), -pool_lateral, -pool_iz need lo <= hi");
  PetscCheck(s->cv[0] - s->cv_jitter > 0.5 && s->cv[1] - s->cv_jitter > 0.5 && s->cv_jitter >= 0 && s->iz_spread >= 0, comm, SEMG_ERR_USER, "-pool_cv minus -pool_cv_jitter must exceed 0.5 m/s; -pool_iz_spread >= 0");
  {
    const PetscReal rmax = PetscSqrtReal(s->fibres_last / (PETSC_PI * s->fibre_density));
    PetscCheck(s->depth[0] > rmax, comm, SEMG_ERR_USER, "-pool_depth lo %g m must exceed the largest territory radius %g m (-pool_fibres_last / -pool_fibre_density)",
               (double)s->depth[0], (double)rmax);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPoolUnitMake(const SemgPoolSpec *s, uint64_t seed, PetscInt i, SemgPoolUnit *u)
{
  const PetscReal q = s->n_units > 1 ? (PetscReal)i / (PetscReal)(s->n_units - 1) : 0.0; /* rank by threshold */
  const PetscReal r = (PetscReal)(i + 1) / (PetscReal)s->n_units;
  SemgRng         rng;

  PetscFunctionBeginUser;
  SemgRngInit(&rng, seed, (uint64_t)i, SEMG_STREAM_PARAMS);
  /* Fuglevand 1993: thresholds exp(ln(RR) i/n), the last one at recruit_max */
  u->threshold = s->recruit_max * PetscExpReal(PetscLogReal(s->recruit_range) * (r - 1.0));
  u->peak_rate = s->peak_rate_first - (s->peak_rate_first - s->peak_rate_last) * q;
  u->n_fibres  = (PetscInt)PetscFloorReal(s->fibres_first * PetscExpReal(PetscLogReal(s->fibres_last / s->fibres_first) * q) + 0.5);
  u->radius    = PetscSqrtReal(u->n_fibres / (PETSC_PI * s->fibre_density));
  u->iz[0]     = SemgRngUniformRange(&rng, s->iz_x[0], s->iz_x[1]);
  u->iz[1]     = SemgRngUniformRange(&rng, s->lateral[0], s->lateral[1]);
  u->iz[2]     = -SemgRngUniformRange(&rng, s->depth[0], s->depth[1]);
  u->cv        = s->cv[0] + (s->cv[1] - s->cv[0]) * q + SemgRngUniformRange(&rng, -s->cv_jitter, s->cv_jitter);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal SemgPoolRate(const SemgPoolSpec *s, const SemgPoolUnit *u, PetscReal e)
{
  if (e < u->threshold) return 0.0;
  return PetscMin(u->peak_rate, s->rate_min + s->rate_gain * (e - u->threshold));
}

PetscErrorCode SemgPoolFiringTrain(const SemgPoolSpec *s, const SemgPoolUnit *u, PetscReal e, PetscReal duration, uint64_t seed, PetscInt i, PetscInt *n, PetscReal **times)
{
  const PetscReal rate = SemgPoolRate(s, u, e);
  SemgRng         rng;
  PetscInt        cap;
  PetscReal       t, isi0;

  PetscFunctionBeginUser;
  *n     = 0;
  *times = NULL;
  if (rate <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  isi0 = 1.0 / rate;
  cap  = (PetscInt)(5.0 * duration * rate) + 2; /* intervals are >= 0.2 / rate: never more firings than this */
  PetscCall(PetscMalloc1(cap, times));
  SemgRngInit(&rng, seed, (uint64_t)i, SEMG_STREAM_FIRING);
  for (t = SemgRngUniform(&rng) * isi0; t < duration && *n < cap;) {
    PetscReal isi;
    (*times)[(*n)++] = t;
    do isi = isi0 * (1.0 + s->isi_cov * SemgRngNormal(&rng));
    while (isi < 0.2 * isi0); /* a refractory floor: no doublets from the Gaussian tail */
    t += isi;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPoolUnitFibres(const SemgPoolSpec *s, const SemgPoolUnit *u, uint64_t seed, PetscInt i, SemgFibre **f)
{
  SemgMotorUnitSpec mu;

  PetscFunctionBeginUser;
  PetscCall(SemgMotorUnitSpecDefault(&mu));
  mu.n_fibres = u->n_fibres;
  mu.iz[0] = u->iz[0], mu.iz[1] = u->iz[1], mu.iz[2] = u->iz[2];
  mu.radius    = u->radius;
  mu.iz_spread = s->iz_spread;
  mu.cv_mean   = u->cv;
  mu.cv_sd     = 0.1;
  PetscCall(PetscMalloc1(u->n_fibres, f));
  PetscCall(SemgMotorUnitGenerate(&mu, seed, (uint64_t)i, *f));
  PetscFunctionReturn(PETSC_SUCCESS);
}
