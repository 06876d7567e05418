#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/firing.h"

PetscErrorCode SemgFiringSpecDefault(SemgFiringSpec *s)
{
  static const PetscReal c[7] = {20, 1.5, 30, 13, 8, 8, 0.05};

  PetscFunctionBeginUser;
  s->n_mu    = 774;
  s->cd_full = 0.8;
  for (int k = 0; k < 7; k++) s->c[k] = c[k];
  s->trapezoid[0] = 1, s->trapezoid[1] = 2, s->trapezoid[2] = 3, s->trapezoid[3] = 4;
  s->t_start = 0.0;
  s->t_end   = 6.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal SemgCommonDrive(const SemgFiringSpec *s, PetscReal t)
{
  const PetscReal a = s->trapezoid[0], b = s->trapezoid[1], c = s->trapezoid[2], d = s->trapezoid[3];
  if (t >= a && t < b) return (t - a) / (b - a);
  if (t >= b && t <= c) return 1.0;
  if (t > c && t <= d) return (d - t) / (d - c);
  return 0.0;
}

PetscReal SemgRecruitmentThreshold(const SemgFiringSpec *s, PetscInt i)
{
  const PetscReal ar = log(100.0 * s->cd_full) / (PetscReal)s->n_mu;
  return exp(ar * (PetscReal)i) / 100.0;
}

PetscReal SemgFiringRate(const SemgFiringSpec *s, PetscInt i, PetscReal cd)
{
  const PetscReal *C = s->c, start = SemgRecruitmentThreshold(s, i);
  return -C[0] * (C[1] - cd) * start + C[2] * cd + C[3] - (C[4] - C[5] * cd) * exp(-(cd - start) / C[6]);
}

PetscReal SemgISIVariation(const SemgFiringSpec *s, PetscInt i, PetscReal cd)
{
  return (10.0 + 20.0 * exp(-(cd - SemgRecruitmentThreshold(s, i)) / 2.5)) / 100.0;
}

PetscErrorCode SemgFiringTrain(const SemgFiringSpec *s, PetscInt i, uint64_t seed, uint64_t sample, PetscInt *n, PetscReal **times)
{
  SemgRng         rng;
  PetscInt        cap   = 64;
  PetscReal       t     = s->t_start;
  const PetscReal start = SemgRecruitmentThreshold(s, i);

  PetscFunctionBeginUser;
  /* one stream per (sample, MU): the MU index occupies the high bits of the sample key */
  SemgRngInit(&rng, seed, (sample << 20) ^ (uint64_t)i, SEMG_STREAM_FIRING);
  *n = 0;
  PetscCall(PetscMalloc1(cap, times));
  while (t <= s->t_end) {
    const PetscReal cd = SemgCommonDrive(s, t);
    if (cd < start) {
      t += 1e-5;
      continue;
    }
    {
      const PetscReal isi0 = 1.0 / SemgFiringRate(s, i, cd), cv = SemgISIVariation(s, i, cd);
      PetscReal       isi;
      do isi = isi0 + cv * isi0 * SemgRngNormal(&rng);
      while (isi <= 0.0); /* the reference does not guard negative ISIs; we redraw */
      t += isi;
    }
    if (*n == cap) {
      PetscReal *grown;
      PetscCall(PetscMalloc1(2 * cap, &grown));
      PetscCall(PetscArraycpy(grown, *times, cap));
      PetscCall(PetscFree(*times));
      *times = grown;
      cap *= 2;
    }
    (*times)[(*n)++] = t;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SemgFiringSuperpose(PetscInt nfire, const PetscReal *times, PetscReal dt, PetscInt ne, PetscInt ntmpl, const PetscReal *tmpl, PetscInt nt, PetscReal *out)
{
  for (PetscInt f = 0; f < nfire; f++) {
    const PetscInt n0 = (PetscInt)floor(times[f] / dt);
    for (PetscInt e = 0; e < ne; e++)
      for (PetscInt j = 0; j < ntmpl && n0 + j < nt; j++)
        if (n0 + j >= 0) out[(size_t)e * nt + n0 + j] += tmpl[(size_t)e * ntmpl + j];
  }
}
