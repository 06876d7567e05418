/* Tabulated skin-surface Green's function of the planar three-layer model (volume-conductor.md 8.4),
   used as an analytic lead field by reciprocity: l_e(x_s) = G(x_e - x_s, y_e - y_s; d_s), d_s the source
   depth below the muscle-fat interface, electrodes on the skin z = 0.
   G = G_hs(D) + C, G_hs the closed-form insulated anisotropic half-space potential of a source at depth
   D = d + h_f + h_s (8.2), C the smooth correction tabulated on a uniform (x, y, d) grid from the FFT of
   H - H_hs (8.4) and interpolated with 4-point Lagrange polynomials along each axis. Each depth slice's
   free FFT constant is fixed by the polar quadrature at the origin (SemgLayeredSurfacePotential). The
   table is a pure function of its inputs (FFTW_ESTIMATE plans): identical on every rank. */
#ifndef SEMG_VC_LAYEREDTABLE_H
#define SEMG_VC_LAYEREDTABLE_H

#include <petscsys.h>
#include "sim/vc/tissue.h"

typedef struct _p_SemgLayeredTable *SemgLayeredTable;

typedef struct {
  PetscReal xmax, ymax;   /* largest |x_e - x_s|, |y_e - y_s| to cover, m */
  PetscReal dmin, dmax;   /* source depths below the muscle-fat interface to cover, m (0 < dmin <= dmax) */
  PetscReal per_depth;    /* grid spacing h = (dmin + h_f + h_s) / per_depth in x, y and d (default 12) */
  PetscReal pad;          /* FFT box (square) >= pad x 2 max(xmax, ymax) (default 3) */
  PetscBool fix_constant; /* set each slice's constant from the quadrature (default true) */
} SemgLayeredTableSpec;

PETSC_EXTERN PetscErrorCode SemgLayeredTableSpecDefault(SemgLayeredTableSpec *s);
/* Build the table (every rank the same; no communication). With h_f = h_s = 0 the correction is zero
   and no table is stored (G = G_hs exactly). */
PETSC_EXTERN PetscErrorCode SemgLayeredTableCreate(const SemgTissue *t, const SemgLayeredTableSpec *spec, SemgLayeredTable *tab);
PETSC_EXTERN PetscErrorCode SemgLayeredTableDestroy(SemgLayeredTable *tab);
/* Table shape (nx, ny, nd points), spacing h (x, y), depth step dd, stored bytes, FFT box (fx, fy). */
PETSC_EXTERN PetscErrorCode SemgLayeredTableGetInfo(SemgLayeredTable tab, PetscInt n[3], PetscReal *h, PetscReal *dd, size_t *bytes, PetscInt fft[2]);
PETSC_EXTERN PetscErrorCode SemgLayeredTableGetTissue(SemgLayeredTable tab, SemgTissue *t);
/* Whether the source point p (z < 0, skin frame) seen from electrodes at (x, y) offsets up to
   (ax, ay) lies inside the tabulated range. */
PETSC_EXTERN PetscBool SemgLayeredTableCovers(SemgLayeredTable tab, PetscReal ax, PetscReal ay, PetscReal z);
/* G at ne electrodes (exyz ne x 3, z ignored: on the skin) of a unit source at p (skin frame, in the
   muscle). Hot path: no checks (use SemgLayeredTableCovers); outside the table the stencil is clamped. */
PETSC_EXTERN void SemgLayeredTableEvalAll(SemgLayeredTable tab, const PetscReal p[3], PetscInt ne, const PetscReal *exyz, PetscReal *val);

#endif
