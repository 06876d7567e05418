static char help[] = "Onset-anchored analysis window of the classical estimators (estimator/baselines/window.h).\n";

#include "core/semg_error.h"
#include "estimator/baselines/window.h"

#define EXPECT(cond, ...) \
  do { \
    if (!(cond)) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_PLIB, __VA_ARGS__); \
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "ok   " __VA_ARGS__)); \
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "\n")); \
  } while (0)

/* Onset against hand-computed references: the first sample above median + 0.1 x range. */
static PetscErrorCode TestOnset(void)
{
  PetscReal e[100];
  PetscInt  on;

  PetscFunctionBeginUser;
  /* a box 50..59 on zero: median 0, range 1, threshold 0.1 -> 50 */
  for (PetscInt k = 0; k < 100; k++) e[k] = (k >= 50 && k < 60) ? 1.0 : 0.0;
  on = SemgEnergyOnset(100, e, 0.1);
  EXPECT(on == 50, "onset of a box at 50: %d", (int)on);
  /* baseline 1, a ramp of slope 1 from 20 to a peak of 11 at 30, back down by 40: threshold 1 + 1 = 2,
     first sample above it: 22 (e = 3; e[21] = 2 is not above) */
  for (PetscInt k = 0; k < 100; k++) e[k] = 1.0 + (k >= 20 && k <= 30 ? k - 20 : (k > 30 && k < 40 ? 40 - k : 0));
  on = SemgEnergyOnset(100, e, 0.1);
  EXPECT(on == 22, "onset of a ramp from 20 (threshold 2): %d", (int)on);
  /* flat: no onset, 0 */
  for (PetscInt k = 0; k < 100; k++) e[k] = 2.0;
  on = SemgEnergyOnset(100, e, 0.1);
  EXPECT(on == 0, "flat energy: onset %d (0)", (int)on);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* 8 channels: noise-free silence to 20, a standing burst at 25 (the generation transient, no delay), a
   wave from 40 with 4 samples per channel (a propagating MUAP) and a larger standing burst at 110 (the
   extinction). The window starts start samples after the onset (~20) and ends before the extinction. */
static PetscErrorCode TestOnsetWindow(void)
{
  const PetscInt nc = 8, nt = 160, col[2] = {0, 8};
  PetscReal      x[8 * 160];
  PetscInt       k0, k1, on;

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < nc; c++)
    for (PetscInt k = 0; k < nt; k++) {
      const PetscReal b = k - 25, s = k - 50 - 4.0 * c, z = k - 110;
      x[c * nt + k] = 2.0 * b * PetscExpReal(-b * b / 8.0) + s * PetscExpReal(-s * s / 18.0) + 4.0 * z * PetscExpReal(-z * z / 8.0);
    }
  PetscCall(SemgOnsetWindow(nc, nt, x, 1, col, 2.0, 10.0, 10, 120, 8, &k0, &k1, &on));
  EXPECT(on >= 18 && on <= 24, "onset at the rise of the standing burst: %d (18..24)", (int)on);
  EXPECT(k0 == on + 10, "window start = onset + 10: %d", (int)k0);
  EXPECT(k1 <= 110 && k1 >= 85, "window end %d at most the centre of the standing extinction (110; its first lobe may stay, as in SemgAutoWindow) and after the wave (ends near 85)", (int)k1);
  /* without the extinction the window runs its full length */
  for (PetscInt c = 0; c < nc; c++)
    for (PetscInt k = 0; k < nt; k++) {
      const PetscReal z = k - 110;
      x[c * nt + k] -= 4.0 * z * PetscExpReal(-z * z / 8.0);
    }
  PetscCall(SemgOnsetWindow(nc, nt, x, 1, col, 2.0, 10.0, 10, 120, 8, &k0, &k1, &on));
  EXPECT(k1 == PetscMin(nt, on + 130), "no extinction: window of its full length, to %d (onset %d + 130)", (int)k1, (int)on);
  /* a discharge too late for the start: the last 8 samples */
  PetscCall(SemgOnsetWindow(nc, nt, x, 1, col, 2.0, 10.0, 150, 40, 8, &k0, &k1, &on));
  EXPECT(k1 == nt && k0 == nt - 8, "late discharge: [%d, %d) = the last 8 samples", (int)k0, (int)k1);
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(TestOnset());
  PetscCall(TestOnsetWindow());
  PetscCall(PetscFinalize());
  return 0;
}
