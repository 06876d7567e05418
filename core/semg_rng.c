#include <math.h>
#include <Random123/philox.h>
#include "core/semg_rng.h"

void SemgRngInit(SemgRng *rng, uint64_t seed, uint64_t sample, uint32_t stream)
{
  rng->key[0]      = (uint32_t)(seed & 0xffffffffu);
  rng->key[1]      = (uint32_t)(seed >> 32);
  rng->ctr[0]      = (uint32_t)(sample & 0xffffffffu);
  rng->ctr[1]      = (uint32_t)(sample >> 32);
  rng->ctr[2]      = stream;
  rng->ctr[3]      = 0;
  rng->used        = 4;
  rng->have_normal = 0;
  rng->spare       = 0.0;
}

uint32_t SemgRngUint32(SemgRng *rng)
{
  if (rng->used == 4) {
    philox4x32_ctr_t c = {
      {rng->ctr[0], rng->ctr[1], rng->ctr[2], rng->ctr[3]}
    };
    philox4x32_key_t k = {
      {rng->key[0], rng->key[1]}
    };
    philox4x32_ctr_t r = philox4x32(c, k);
    for (int i = 0; i < 4; i++) rng->buf[i] = r.v[i];
    rng->ctr[3]++;
    rng->used = 0;
  }
  return rng->buf[rng->used++];
}

double SemgRngUniform(SemgRng *rng)
{
  uint64_t hi = SemgRngUint32(rng) >> 5; /* 27 bits */
  uint64_t lo = SemgRngUint32(rng) >> 6; /* 26 bits */
  return (double)((hi << 26) | lo) * 0x1.0p-53;
}

double SemgRngUniformRange(SemgRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * SemgRngUniform(rng);
}

double SemgRngNormal(SemgRng *rng)
{
  double u1, u2, r;

  if (rng->have_normal) {
    rng->have_normal = 0;
    return rng->spare;
  }
  do u1 = SemgRngUniform(rng);
  while (u1 <= 0.0);
  u2               = SemgRngUniform(rng);
  r                = sqrt(-2.0 * log(u1));
  rng->spare       = r * sin(2.0 * 3.14159265358979323846 * u2);
  rng->have_normal = 1;
  return r * cos(2.0 * 3.14159265358979323846 * u2);
}

uint64_t SemgRngBelow(SemgRng *rng, uint64_t n)
{
  /* Rejection keeps it unbiased: accept only below the largest multiple of n. */
  uint64_t limit, x;

  if (n <= 1) return 0;
  limit = UINT64_MAX - UINT64_MAX % n;
  do x = ((uint64_t)SemgRngUint32(rng) << 32) | SemgRngUint32(rng);
  while (x >= limit);
  return x % n;
}

void SemgRngPermutation(SemgRng *rng, PetscCount n, PetscCount *perm)
{
  for (PetscCount i = 0; i < n; i++) perm[i] = i;
  for (PetscCount i = n - 1; i > 0; i--) {
    PetscCount j = (PetscCount)SemgRngBelow(rng, (uint64_t)i + 1);
    PetscCount t = perm[i];
    perm[i]      = perm[j];
    perm[j]      = t;
  }
}
