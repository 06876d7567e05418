#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/vc/misalign.h"

PetscErrorCode SemgMisalignParamsDefault(SemgMisalignParams *p)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(p, sizeof(*p)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMisalignOptions(PetscOptionItems *PetscOptionsObject, SemgMisalignParams *p)
{
  PetscInt  n;
  PetscReal deg = p->rotation * 180.0 / PETSC_PI, degr = p->rotation_range * 180.0 / PETSC_PI;

  PetscFunctionBeginUser;
  n = 2;
  PetscCall(PetscOptionsRealArray("-misalign_shift", "fixed array shift along,across the fibres, m", "SemgMisalign", p->shift, &n, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-misalign_shift_range", "uniform random shift in +-range along,across, m", "SemgMisalign", p->shift_range, &n, NULL));
  PetscCall(PetscOptionsReal("-misalign_rotation", "fixed in-plane rotation, degrees", "SemgMisalign", deg, &deg, NULL));
  PetscCall(PetscOptionsReal("-misalign_rotation_range", "uniform random rotation in +-range, degrees", "SemgMisalign", degr, &degr, NULL));
  PetscCall(PetscOptionsReal("-misalign_ied_scale", "fixed relative IED error eps", "SemgMisalign", p->ied_scale, &p->ied_scale, NULL));
  PetscCall(PetscOptionsReal("-misalign_ied_scale_range", "uniform random IED error in +-range", "SemgMisalign", p->ied_scale_range, &p->ied_scale_range, NULL));
  PetscCall(PetscOptionsReal("-misalign_jitter", "per-electrode position SD per axis, m (spec: 0.2e-3)", "SemgMisalign", p->jitter, &p->jitter, NULL));
  PetscCall(PetscOptionsReal("-misalign_gain_log_std", "SD of the log contact gain (spec: 0.05)", "SemgMisalign", p->gain_log_std, &p->gain_log_std, NULL));
  p->rotation       = deg * PETSC_PI / 180.0;
  p->rotation_range = degr * PETSC_PI / 180.0;
  PetscCheck(p->jitter >= 0 && p->gain_log_std >= 0 && p->shift_range[0] >= 0 && p->shift_range[1] >= 0 && p->rotation_range >= 0 && p->ied_scale_range >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-misalign_*_range, -misalign_jitter and -misalign_gain_log_std must be >= 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMisalignApply(const SemgMisalignParams *p, uint64_t seed, uint64_t sample, PetscInt ne, const PetscReal *nominal, const PetscReal centre[2], PetscReal *out, PetscReal *gain, SemgMisalignDrawn *drawn)
{
  SemgRng           rng;
  SemgMisalignDrawn d;
  PetscReal         ca, sa;

  PetscFunctionBeginUser;
  SemgRngInit(&rng, seed, sample, SEMG_STREAM_MISALIGN);
  /* fixed draw order: shift x, shift y, rotation, eps, then jitter (x, y per electrode), then gains */
  d.shift[0]  = p->shift[0] + SemgRngUniformRange(&rng, -p->shift_range[0], p->shift_range[0]);
  d.shift[1]  = p->shift[1] + SemgRngUniformRange(&rng, -p->shift_range[1], p->shift_range[1]);
  d.rotation  = p->rotation + SemgRngUniformRange(&rng, -p->rotation_range, p->rotation_range);
  d.ied_scale = p->ied_scale + SemgRngUniformRange(&rng, -p->ied_scale_range, p->ied_scale_range);
  ca          = PetscCosReal(d.rotation);
  sa          = PetscSinReal(d.rotation);
  for (PetscInt e = 0; e < ne; e++) {
    PetscReal u = (1 + d.ied_scale) * (nominal[3 * e] - centre[0]), v = (1 + d.ied_scale) * (nominal[3 * e + 1] - centre[1]);
    PetscReal jx = SemgRngNormal(&rng) * p->jitter, jy = SemgRngNormal(&rng) * p->jitter;
    out[3 * e]     = centre[0] + d.shift[0] + ca * u - sa * v + jx;
    out[3 * e + 1] = centre[1] + d.shift[1] + sa * u + ca * v + jy;
    out[3 * e + 2] = nominal[3 * e + 2];
  }
  for (PetscInt e = 0; e < ne; e++) {
    PetscReal g = PetscExpReal(p->gain_log_std * SemgRngNormal(&rng));
    if (gain) gain[e] = g;
  }
  if (drawn) *drawn = d;
  PetscFunctionReturn(PETSC_SUCCESS);
}
