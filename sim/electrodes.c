#include <math.h>
#include <stdlib.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/electrodes.h"

PetscErrorCode SemgArraySpecDefault(SemgArraySpec *a)
{
  PetscFunctionBeginUser;
  a->n_along    = 16;
  a->n_across   = 1;
  a->ied_along  = 0.005;
  a->ied_across = 0.008;
  a->centre[0] = a->centre[1] = a->centre[2] = 0.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgArraySpecSetFromOptions(SemgArraySpec *a, const char prefix[])
{
  PetscInt  n[2] = {a->n_along, a->n_across}, nn = 2, ni = 2, nc = 3;
  PetscReal ied[2] = {a->ied_along, a->ied_across};

  PetscFunctionBeginUser;
  PetscOptionsBegin(PETSC_COMM_WORLD, prefix, "Electrode array", "semg");
  PetscCall(PetscOptionsIntArray("-array_n", "electrodes along the fibres[,columns across]", "SemgArraySpec", n, &nn, NULL));
  PetscCall(PetscOptionsRealArray("-array_ied", "inter-electrode distance along[,across] (m)", "SemgArraySpec", ied, &ni, NULL));
  PetscCall(PetscOptionsRealArray("-array_centre", "array centre x,y,z (m)", "SemgArraySpec", a->centre, &nc, NULL));
  PetscOptionsEnd();
  a->n_along    = n[0];
  a->n_across   = nn > 1 ? n[1] : 1;
  a->ied_along  = ied[0];
  a->ied_across = ni > 1 ? ied[1] : a->ied_across;
  PetscCheck(a->n_along >= 1 && a->n_across >= 1, PETSC_COMM_WORLD, SEMG_ERR_USER, "-array_n must be >= 1");
  PetscCheck(a->ied_along > 0 && a->ied_across > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-array_ied must be > 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgArrayBuild(const SemgArraySpec *a, PetscInt *ne, PetscReal **xyz, PetscInt **column)
{
  PetscFunctionBeginUser;
  *ne = a->n_along * a->n_across;
  PetscCall(PetscMalloc1(3 * (size_t)*ne, xyz));
  PetscCall(PetscMalloc1(*ne, column));
  for (PetscInt j = 0, e = 0; j < a->n_across; j++) {
    for (PetscInt i = 0; i < a->n_along; i++, e++) {
      (*xyz)[3 * e]     = a->centre[0] + ((PetscReal)i - 0.5 * (a->n_along - 1)) * a->ied_along;
      (*xyz)[3 * e + 1] = a->centre[1] + ((PetscReal)j - 0.5 * (a->n_across - 1)) * a->ied_across;
      (*xyz)[3 * e + 2] = a->centre[2];
      (*column)[e]      = j;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int CompareReal(const void *a, const void *b)
{
  const PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return (x > y) - (x < y);
}

PetscReal SemgNoiseSigma(PetscInt nc, PetscInt nt, PetscReal snr_db, const PetscReal *x)
{
  PetscReal *sig = (PetscReal *)malloc(sizeof(PetscReal) * (size_t)nc), med;

  for (PetscInt c = 0; c < nc; c++) {
    PetscReal ms = 0;
    for (PetscInt k = 0; k < nt; k++) ms += x[(size_t)c * nt + k] * x[(size_t)c * nt + k];
    sig[c] = sqrt((ms / nt) / pow(10.0, snr_db / 10.0));
  }
  qsort(sig, (size_t)nc, sizeof(PetscReal), CompareReal);
  med = (nc % 2) ? sig[nc / 2] : 0.5 * (sig[nc / 2 - 1] + sig[nc / 2]);
  free(sig);
  return med;
}

PetscErrorCode SemgAddNoise(PetscInt nc, PetscInt nt, PetscReal snr_db, uint64_t seed, uint64_t sample, PetscReal *x)
{
  SemgRng   rng;
  PetscReal sigma;

  PetscFunctionBeginUser;
  if (!(snr_db < SEMG_SNR_NO_NOISE_DB)) PetscFunctionReturn(PETSC_SUCCESS);
  sigma = SemgNoiseSigma(nc, nt, snr_db, x);
  SemgRngInit(&rng, seed, sample, SEMG_STREAM_NOISE);
  for (size_t i = 0; i < (size_t)nc * nt; i++) x[i] += sigma * SemgRngNormal(&rng);
  PetscFunctionReturn(PETSC_SUCCESS);
}
