#include "core/semg_error.h"
#include "sim/vc/tissue.h"

PetscErrorCode SemgTissueDefault(SemgTissue *t)
{
  PetscFunctionBeginUser;
  t->sigma_long     = 0.5;
  t->sigma_trans    = 0.1;
  t->sigma_fat      = 0.05;
  t->sigma_skin     = 1.0;
  t->sigma_bone     = 0.02;
  t->fat_thickness  = 3e-3;
  t->skin_thickness = 1e-3;
  t->bone_depth     = 0.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTissueOptions(PetscOptionItems *PetscOptionsObject, SemgTissue *t)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsReal("-sigma_muscle_long", "muscle conductivity along the fibres (x), S/m", "SemgTissue", t->sigma_long, &t->sigma_long, NULL));
  PetscCall(PetscOptionsReal("-sigma_muscle_trans", "muscle conductivity across the fibres (y, z), S/m", "SemgTissue", t->sigma_trans, &t->sigma_trans, NULL));
  PetscCall(PetscOptionsReal("-sigma_fat", "fat conductivity, S/m", "SemgTissue", t->sigma_fat, &t->sigma_fat, NULL));
  PetscCall(PetscOptionsReal("-sigma_skin", "skin conductivity, S/m", "SemgTissue", t->sigma_skin, &t->sigma_skin, NULL));
  PetscCall(PetscOptionsReal("-sigma_bone", "bone conductivity, S/m (used when -bone_depth > 0)", "SemgTissue", t->sigma_bone, &t->sigma_bone, NULL));
  PetscCall(PetscOptionsReal("-fat_thickness", "fat layer thickness, m", "SemgTissue", t->fat_thickness, &t->fat_thickness, NULL));
  PetscCall(PetscOptionsReal("-skin_thickness", "skin layer thickness, m", "SemgTissue", t->skin_thickness, &t->skin_thickness, NULL));
  PetscCall(PetscOptionsReal("-bone_depth", "depth of the bone top below the skin, m (0 = no bone)", "SemgTissue", t->bone_depth, &t->bone_depth, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTissueCheck(MPI_Comm comm, const SemgTissue *t)
{
  PetscFunctionBeginUser;
  PetscCheck(t->sigma_long > 0 && t->sigma_trans > 0, comm, SEMG_ERR_USER, "-sigma_muscle_long and -sigma_muscle_trans must be > 0 (got %g, %g)",
             (double)t->sigma_long, (double)t->sigma_trans);
  PetscCheck(t->sigma_fat > 0, comm, SEMG_ERR_USER, "-sigma_fat must be > 0 (got %g)", (double)t->sigma_fat);
  PetscCheck(t->sigma_skin > 0, comm, SEMG_ERR_USER, "-sigma_skin must be > 0 (got %g)", (double)t->sigma_skin);
  PetscCheck(t->fat_thickness >= 0, comm, SEMG_ERR_USER, "-fat_thickness must be >= 0 (got %g)", (double)t->fat_thickness);
  PetscCheck(t->skin_thickness >= 0, comm, SEMG_ERR_USER, "-skin_thickness must be >= 0 (got %g)", (double)t->skin_thickness);
  PetscCheck(t->bone_depth <= 0 || t->bone_depth > t->fat_thickness + t->skin_thickness, comm, SEMG_ERR_USER, "-bone_depth %g must exceed fat + skin thickness",
             (double)t->bone_depth);
  PetscCheck(t->bone_depth <= 0 || t->sigma_bone >= 0, comm, SEMG_ERR_USER, "-sigma_bone must be >= 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

SemgTissueKind SemgTissueKindAt(const SemgTissue *t, PetscReal hf, PetscReal hs, PetscReal z)
{
  if (z > -hs) return SEMG_TISSUE_SKIN;
  if (z > -hs - hf) return SEMG_TISSUE_FAT;
  if (t->bone_depth > 0 && z < -t->bone_depth) return SEMG_TISSUE_BONE;
  return SEMG_TISSUE_MUSCLE;
}

void SemgTissueKindSigma(const SemgTissue *t, SemgTissueKind kind, PetscReal sig[3])
{
  switch (kind) {
  case SEMG_TISSUE_SKIN:
    sig[0] = sig[1] = sig[2] = t->sigma_skin;
    break;
  case SEMG_TISSUE_FAT:
    sig[0] = sig[1] = sig[2] = t->sigma_fat;
    break;
  case SEMG_TISSUE_BONE:
    sig[0] = sig[1] = sig[2] = t->sigma_bone;
    break;
  default:
    sig[0] = t->sigma_long;
    sig[1] = sig[2] = t->sigma_trans;
  }
}

void SemgTissueCellSigma(const SemgTissue *t, PetscReal hf, PetscReal hs, PetscReal zlo, PetscReal zhi, PetscReal sig[3])
{
  /* Breakpoints of the layer stack inside [zlo, zhi]; each piece is one tissue. */
  PetscReal brk[6], z0, z1, len = zhi - zlo, s[3], ax = 0, ay = 0, rz = 0;
  PetscInt  nb = 0;

  brk[nb++] = -hs;
  brk[nb++] = -hs - hf;
  if (t->bone_depth > 0) brk[nb++] = -t->bone_depth;
  z1 = zhi;
  for (;;) {
    z0 = zlo;
    for (PetscInt b = 0; b < nb; b++)
      if (brk[b] < z1 && brk[b] > z0) z0 = brk[b];
    SemgTissueKindSigma(t, SemgTissueKindAt(t, hf, hs, 0.5 * (z0 + z1)), s);
    ax += (z1 - z0) / len * s[0];
    ay += (z1 - z0) / len * s[1];
    /* harmonic mean; an insulating piece makes the normal conductance zero */
    rz += s[2] > 0 ? (z1 - z0) / len / s[2] : PETSC_MAX_REAL;
    if (z0 <= zlo) break;
    z1 = z0;
  }
  sig[0] = ax;
  sig[1] = ay;
  sig[2] = rz >= PETSC_MAX_REAL ? 0.0 : 1.0 / rz;
}
