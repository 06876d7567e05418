/* Planar layered tissue of the volume conductor (spec volume-conductor.md 3.1-3.2).
   Frame: x along the fibres, y across in the skin plane, z outward; skin surface z = 0, tissue z < 0.
   Layers from the top: skin [-h_s, 0], fat [-h_s - h_f, -h_s], muscle below (optionally bone below
   bone_depth). Muscle tensor diag(sigma_long, sigma_trans, sigma_trans); other tissues isotropic. */
#ifndef SEMG_VC_TISSUE_H
#define SEMG_VC_TISSUE_H

#include <petscsys.h>

typedef struct {
  PetscReal sigma_long, sigma_trans; /* muscle along / across the fibres, S/m */
  PetscReal sigma_fat, sigma_skin;   /* S/m */
  PetscReal sigma_bone;              /* S/m (0 = insulating) */
  PetscReal fat_thickness;           /* h_f, m */
  PetscReal skin_thickness;          /* h_s, m */
  PetscReal bone_depth;              /* depth of the bone top below the skin surface, m; <= 0: no bone */
} SemgTissue;

typedef enum { SEMG_TISSUE_SKIN, SEMG_TISSUE_FAT, SEMG_TISSUE_MUSCLE, SEMG_TISSUE_BONE } SemgTissueKind;

/* Set A of the spec table 3.1: 0.5 / 0.1 / 0.05 / 1.0, fat 3 mm, skin 1 mm, no bone. */
PETSC_EXTERN PetscErrorCode SemgTissueDefault(SemgTissue *t);
/* Register and read -sigma_muscle_long, -sigma_muscle_trans, -sigma_fat, -sigma_skin, -sigma_bone,
   -fat_thickness, -skin_thickness, -bone_depth. Call between PetscOptionsBegin/End. */
PETSC_EXTERN PetscErrorCode SemgTissueOptions(PetscOptionItems *PetscOptionsObject, SemgTissue *t);
/* One clear user error when a value is impossible (negative thickness, non-positive conductivity). */
PETSC_EXTERN PetscErrorCode SemgTissueCheck(MPI_Comm comm, const SemgTissue *t);
/* Tissue at depth -z (z <= 0) for local fat / skin thicknesses hf, hs. */
PETSC_EXTERN SemgTissueKind SemgTissueKindAt(const SemgTissue *t, PetscReal hf, PetscReal hs, PetscReal z);
/* Principal conductivities (x, y, z) of one tissue kind. */
PETSC_EXTERN void SemgTissueKindSigma(const SemgTissue *t, SemgTissueKind kind, PetscReal sig[3]);
/* Effective tensor of a cell spanning [zlo, zhi] with local thicknesses hf, hs: arithmetic mean of the
   layer volume fractions for x and y (tangential), harmonic mean for z (normal), spec 3.3 cut cells. */
PETSC_EXTERN void SemgTissueCellSigma(const SemgTissue *t, PetscReal hf, PetscReal hs, PetscReal zlo, PetscReal zhi, PetscReal sig[3]);

#endif
