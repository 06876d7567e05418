#include "core/semg_error.h"
#include "estimator/synergy/hungarian.h"

/* Shortest augmenting paths with row/column potentials on the cost -C (1-based arrays as in the
   classical e-maxx formulation: column 0 is the virtual start). */
PetscErrorCode SemgHungarianMax(PetscInt n, const PetscReal *C, PetscInt *perm)
{
  PetscReal *u, *v, *minv;
  PetscInt  *p, *way;
  PetscBool *used;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc6(n + 1, &u, n + 1, &v, n + 1, &minv, n + 1, &p, n + 1, &way, n + 1, &used));
  for (PetscInt i = 1; i <= n; i++) {
    PetscInt j0 = 0;
    p[0]        = i;
    for (PetscInt j = 0; j <= n; j++) {
      minv[j] = PETSC_MAX_REAL;
      used[j] = PETSC_FALSE;
    }
    do {
      PetscInt  i0 = p[j0], j1 = 0;
      PetscReal delta = PETSC_MAX_REAL;
      used[j0]        = PETSC_TRUE;
      for (PetscInt j = 1; j <= n; j++) {
        if (used[j]) continue;
        PetscReal cur = -C[(size_t)(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j]  = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1    = j;
        }
      }
      for (PetscInt j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] != 0);
    do { /* flip the augmenting path */
      PetscInt j1 = way[j0];
      p[j0]       = p[j1];
      j0          = j1;
    } while (j0);
  }
  for (PetscInt j = 1; j <= n; j++) perm[p[j] - 1] = j - 1;
  PetscCall(PetscFree6(u, v, minv, p, way, used));
  PetscFunctionReturn(PETSC_SUCCESS);
}
