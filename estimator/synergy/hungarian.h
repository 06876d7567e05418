/* Optimal assignment (Kuhn-Munkres, O(n^3) with potentials): the permutation that maximises the total
   similarity of an n x n matrix. Used to match two synergy sets one to one. */
#ifndef SEMG_SYNERGY_HUNGARIAN_H
#define SEMG_SYNERGY_HUNGARIAN_H

#include <petscsys.h>

/* C is n x n row-major; on return row a is assigned to column perm[a]. */
PETSC_EXTERN PetscErrorCode SemgHungarianMax(PetscInt n, const PetscReal *C, PetscInt *perm);

#endif
