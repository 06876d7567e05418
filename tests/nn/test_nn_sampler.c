static char help[] = "Distributed sampler (spec estimator.md 3.5.5): permutation, disjoint and complete coverage of each\n"
                     "global batch by the ranks for W = 1, 2, 4, 8 in stride and block layouts, drop counts, epoch changes order.\n";

#include "core/semg_error.h"
#include "estimator/nn/trainer.h"

int main(int argc, char **argv)
{
  const PetscCount n  = 1003;
  const PetscInt   Gb = 32, S = (PetscInt)(n / Gb);
  PetscCount      *p0, *p1, pos[32];
  char            *seen;
  PetscInt         nbad = 0, same = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscMalloc3(n, &p0, n, &p1, n, &seen));
  /* a permutation, reproducible, different per epoch, identity without shuffling */
  PetscCall(SemgSamplerPermutation(7, 0, PETSC_TRUE, n, p0));
  PetscCall(PetscArrayzero(seen, n));
  for (PetscCount i = 0; i < n; i++) seen[p0[i]]++;
  for (PetscCount i = 0; i < n; i++) nbad += seen[i] != 1;
  PetscCall(SemgSamplerPermutation(7, 0, PETSC_TRUE, n, p1));
  for (PetscCount i = 0; i < n; i++) nbad += p0[i] != p1[i];
  PetscCall(SemgSamplerPermutation(7, 1, PETSC_TRUE, n, p1));
  for (PetscCount i = 0; i < n; i++) same += p0[i] == p1[i];
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "permutation valid and reproducible: %s\n", nbad ? "FAIL" : "ok"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "epoch 1 order differs from epoch 0: %s\n", same < n / 10 ? "ok" : "FAIL"));
  nbad += same >= n / 10;
  PetscCall(SemgSamplerPermutation(7, 3, PETSC_FALSE, n, p1));
  for (PetscCount i = 0; i < n; i++) nbad += p1[i] != i;
  /* each global batch: the ranks' positions are disjoint and cover [k Gb, (k+1) Gb) exactly */
  for (PetscInt chunks = 0; chunks <= 8; chunks += 8)
    for (PetscMPIInt W = 1; W <= 8; W *= 2) {
      PetscInt bad = 0;
      for (PetscInt k = 0; k < S; k++) {
        PetscCall(PetscArrayzero(seen, n));
        for (PetscMPIInt r = 0; r < W; r++) {
          PetscCall(SemgSamplerRankPositions(Gb, k, W, r, chunks, pos));
          for (PetscInt j = 0; j < Gb / W; j++) {
            if (pos[j] < (PetscCount)k * Gb || pos[j] >= (PetscCount)(k + 1) * Gb) bad++;
            else seen[pos[j]]++;
          }
        }
        for (PetscCount i = (PetscCount)k * Gb; i < (PetscCount)(k + 1) * Gb; i++) bad += seen[i] != 1;
      }
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s layout W=%d: every global batch covered once by the ranks: %s\n", chunks ? "block" : "stride", (int)W, bad ? "FAIL" : "ok"));
      nbad += bad;
    }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "N=%d Gb=%d: %d steps per epoch, %d samples dropped per epoch\n", (int)n, (int)Gb, (int)S, (int)(n - (PetscCount)S * Gb)));
  nbad += (S != 31) || (n - (PetscCount)S * Gb != 11);
  PetscCall(PetscFree3(p0, p1, seen));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s\n", nbad ? "FAILED" : "ALL PASSED"));
  PetscCall(PetscFinalize());
  return nbad ? 1 : 0;
}
