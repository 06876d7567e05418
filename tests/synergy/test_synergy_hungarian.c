/* Kuhn-Munkres assignment against brute force over all permutations, n = 1..7, random and tied matrices. */
#include <petscsys.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/synergy/hungarian.h"

static PetscReal best_sum;

static void BruteForce(PetscInt n, const PetscReal *C, PetscInt k, PetscInt *perm, PetscBool *used, PetscReal sum)
{
  if (k == n) {
    best_sum = PetscMax(best_sum, sum);
    return;
  }
  for (PetscInt j = 0; j < n; j++) {
    if (used[j]) continue;
    used[j] = PETSC_TRUE;
    perm[k] = j;
    BruteForce(n, C, k + 1, perm, used, sum + C[k * n + j]);
    used[j] = PETSC_FALSE;
  }
}

int main(int argc, char **argv)
{
  PetscInt nbad = 0, ntrials = 0;
  SemgRng  rng;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  SemgRngInit(&rng, 17, 0, SEMG_STREAM_USER);
  for (PetscInt n = 1; n <= 7; n++)
    for (PetscInt trial = 0; trial < 300; trial++) {
      PetscReal C[49], sum = 0;
      PetscInt  perm[7], bf[7];
      PetscBool used[7] = {0}, seen[7] = {0}, isperm = PETSC_TRUE;
      for (PetscInt i = 0; i < n * n; i++) { /* every third matrix has many ties (values on a coarse grid) */
        C[i] = SemgRngUniformRange(&rng, -1, 1);
        if (trial % 3 == 0) C[i] = PetscFloorReal(C[i] * 3) / 3;
      }
      PetscCall(SemgHungarianMax(n, C, perm));
      for (PetscInt a = 0; a < n; a++) {
        if (perm[a] < 0 || perm[a] >= n || seen[perm[a]]) isperm = PETSC_FALSE;
        else seen[perm[a]] = PETSC_TRUE;
        if (isperm) sum += C[a * n + perm[a]];
      }
      best_sum = -PETSC_MAX_REAL;
      BruteForce(n, C, 0, bf, used, 0);
      if (!isperm || PetscAbsReal(sum - best_sum) > 1e-12) {
        PetscCall(PetscPrintf(PETSC_COMM_SELF, "FAIL n %d trial %d: %s, sum %.15g, brute force %.15g\n", (int)n, (int)trial, isperm ? "permutation" : "not a permutation", (double)sum, (double)best_sum));
        nbad++;
      }
      ntrials++;
    }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "hungarian vs brute force: %d matrices, n = 1..7: %s\n", (int)ntrials, nbad ? "FAILED" : "all optimal"));
  PetscCall(PetscFinalize());
  return nbad ? 1 : 0;
}
