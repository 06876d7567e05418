/* Closed-form and semi-analytic volume-conductor oracles (spec volume-conductor.md section 8).
   Unit point current I = 1 A unless an argument says otherwise; potentials in V, distances in m.
   Muscle tensor diag(sigma_L, sigma_T, sigma_T), fibres along x, skin at z = 0. */
#ifndef SEMG_VC_LAYERED_H
#define SEMG_VC_LAYERED_H

#include <petscsys.h>
#include "sim/vc/tissue.h"

/* 8.1 infinite medium with diagonal tensor (sx, sy, sz); (dx, dy, dz) = field point - source. */
PETSC_EXTERN PetscReal SemgOracleInfinite(PetscReal sx, PetscReal sy, PetscReal sz, PetscReal dx, PetscReal dy, PetscReal dz);
/* 8.2 insulated anisotropic half-space z < 0 (muscle tensor only): source (xs, ys, zs), zs < 0, field
   point (x, y, z), z <= 0 (source plus its image in z = 0). */
PETSC_EXTERN PetscReal SemgOracleHalfspace(PetscReal sl, PetscReal st, const PetscReal src[3], const PetscReal pt[3]);
/* 8.3 isotropic fat (s2, thickness h) over isotropic muscle (s1), source d below the interface,
   surface potential at horizontal distance rho (image series summed to 1e-16 relative, <= 100000 terms). */
PETSC_EXTERN PetscReal SemgOracleImageSeries(PetscReal s1, PetscReal s2, PetscReal h, PetscReal d, PetscReal rho);
/* 8.4 three-layer surface transfer function H(kx, ky), V m^2/A, source d below the muscle-fat interface. */
PETSC_EXTERN PetscReal SemgLayeredTransfer(const SemgTissue *t, PetscReal d, PetscReal kx, PetscReal ky);
/* 8.4 surface potential at (x, y) relative to the source's surface projection, polar quadrature
   (composite Gauss-Legendre, ~1e-10 relative). */
PETSC_EXTERN PetscErrorCode SemgLayeredSurfacePotential(const SemgTissue *t, PetscReal d, PetscReal x, PetscReal y, PetscReal *phi);
/* 8.4 FFT evaluation on an n x n surface grid of spacing h (box L = n h, FFTW c2r): phi[m*n + q] at
   x = m h, y = q h (indices >= n/2 wrap to negative coordinates). The k = 0 bin is set to 0, so phi is
   defined up to a constant: compare differences. With subtract_halfspace the half-space kernel of
   depth d + h_f + h_s is taken out of H and its closed form 8.2 added back (much smaller periodic-image
   error). */
PETSC_EXTERN PetscErrorCode SemgLayeredSurfaceFFT(const SemgTissue *t, PetscReal d, PetscInt n, PetscReal h, PetscBool subtract_halfspace, PetscReal *phi);

#endif
