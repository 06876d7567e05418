/* Latencies chained from neighbouring-channel delays (see latency.h). */
#include "core/semg_error.h"
#include "estimator/baselines/latency.h"
#include "estimator/baselines/cv.h"

PetscErrorCode SemgLatencyChain(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, PetscInt max_lag, PetscReal *tau, PetscReal *weight)
{
  const PetscInt L = PetscMin(max_lag, nt - 2);

  PetscFunctionBeginUser;
  tau[0] = 0, weight[0] = 1;
  for (PetscInt c = 0; c + 1 < nc; c++) {
    PetscReal th;
    PetscCall(SemgDelayXcorr(nt, x + (size_t)c * nt, x + (size_t)(c + 1) * nt, -L, L, &th, NULL));
    tau[c + 1]    = tau[c] + th / fs;
    weight[c + 1] = 1;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
