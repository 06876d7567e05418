/* Minimum-amplitude IZ between the propagating maxima (see minamp.h). */
#include "core/semg_error.h"
#include "estimator/baselines/minamp.h"
#include "estimator/baselines/iz.h"

PetscErrorCode SemgIZMinAmplitudeBetween(PetscInt nc, PetscInt nt, const PetscReal *x, const PetscReal *centre, PetscReal frac, PetscReal *iz)
{
  PetscReal *rms, mx = 0;
  PetscInt   lo = -1, hi = -1, n;

  PetscFunctionBeginUser;
  PetscCheck(nc >= 2 && nt >= 2, PETSC_COMM_SELF, SEMG_ERR_USER, "IZ estimator needs at least 2 channels and 2 samples, got %d x %d", (int)nc, (int)nt);
  PetscCall(PetscMalloc1(nc, &rms));
  for (PetscInt c = 0; c < nc; c++) {
    PetscReal s = 0.0;
    for (PetscInt k = 0; k < nt; k++) s += x[c * nt + k] * x[c * nt + k];
    rms[c] = PetscSqrtReal(s / nt);
    mx     = PetscMax(mx, rms[c]);
  }
  for (PetscInt c = 0; c < nc; c++)
    if (rms[c] >= frac * mx) {
      if (lo < 0) lo = c;
      hi = c;
    }
  n = lo;
  for (PetscInt c = lo; c <= hi; c++)
    if (rms[c] < rms[n]) n = c;
  *iz = centre[n];
  if (n > 0 && n < nc - 1) *iz += SemgParabolaVertex(rms[n - 1], rms[n], rms[n + 1]) * 0.5 * (centre[n + 1] - centre[n - 1]);
  PetscCall(PetscFree(rms));
  PetscFunctionReturn(PETSC_SUCCESS);
}
