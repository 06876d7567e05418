/* The finite-volume grid of the volume conductor (spec volume-conductor.md 6): cell counts, a uniform core
   under the array, geometric stretching towards the far faces, skin and fat resolved in z; the far-face
   condition; the options that set them; and the face coordinates they give. */
#ifndef SEMG_VC_GRID_H
#define SEMG_VC_GRID_H

#include <petscsys.h>
#include "sim/vc/tissue.h"

typedef enum { SEMG_VC_FAR_NEUMANN, SEMG_VC_FAR_DIRICHLET, SEMG_VC_FAR_MONOPOLE, SEMG_VC_FAR_ROBIN } SemgVCFarBC;
PETSC_EXTERN const char *const SemgVCFarBCs[];

typedef struct {
  PetscInt    n[3];        /* cells along x, y, z (2^k m + 1 for geometric multigrid) */
  PetscReal   centre[2];   /* centre of the fine region under the array (x, y), m */
  PetscReal   extent[3];   /* far half-widths in x and y, and total depth, m */
  PetscReal   h[2];        /* target spacing under the array (x and y) and at the top of the muscle (z), m */
  PetscReal   stretch_max; /* largest ratio of neighbouring cell widths (spec: <= 1.15) */
  PetscInt    skin_cells, fat_cells;
  SemgVCFarBC far_bc;
  PetscBool   open_top;         /* top face treated as a far face too (infinite-medium validation only) */
  PetscReal   robin_centre[3];  /* expansion centre of the Robin far condition, m */
  PetscBool   robin_centre_set; /* else (centre x, centre y, 0): the skin point above the array centre */
  PetscInt    ilu_fill[2];      /* -vc_pc_type mg: ILU fill levels of the smoother, finest level and below */
  PetscInt    ref_n[2];         /* > 0: x and y follow the mapping of a grid with ref_n cells (core spacing h[0]),
                              sampled at n cells: every cell of a refinement family shrinks alike */
} SemgVCGrid;

PETSC_EXTERN PetscErrorCode SemgVCGridDefault(SemgVCGrid *g);
/* The commands' default grid (semg leadfield, semg pointsource -model fdm): 225 x 81 x 113 cells. */
PETSC_EXTERN PetscErrorCode SemgVCGridProduction(SemgVCGrid *g);
/* -vc_grid nx,ny,nz -vc_centre x,y -vc_extent X,Y,Z -vc_h hxy,hz -vc_stretch_max r -vc_skin_cells n
   -vc_fat_cells n -vc_far_bc neumann|dirichlet|monopole|robin -vc_robin_centre x,y,z. Between
   PetscOptionsBegin/End. */
PETSC_EXTERN PetscErrorCode SemgVCGridOptions(PetscOptionItems *PetscOptionsObject, SemgVCGrid *g);

/* The refinement family of the production grid used by benchmarks and tests (level n = 16 m + 1):
   (7(n-1)/4+1) x (5(n-1)/8+1) x (7(n-1)/8+1) cells, insulated box, uniform core under a 16-electrode
   array, skin and fat resolved with cell counts growing with n, geometrically stretched far field. */
PETSC_EXTERN PetscErrorCode SemgVCGridFamily(PetscInt n, SemgVCGrid *g);

/* Face coordinates of the grid for tissue t: face[d] holds n[d] + 1 increasing values; core and hcore the
   uniform core's half-widths and spacings in x and y. */
PETSC_EXTERN PetscErrorCode SemgVCGridFaces(const SemgVCGrid *g, const SemgTissue *t, PetscReal *face[3], PetscReal core[2], PetscReal hcore[2]);

/* Bracketing index i0 and fraction f of x among n increasing cell centres (trilinear interpolation;
   constant beyond the ends, f = 0 when n = 1). */
PETSC_EXTERN void SemgGridLocate(const PetscReal *cen, PetscInt n, PetscReal x, PetscInt *i0, PetscReal *f);

#endif
