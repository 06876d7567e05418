/* Average-linkage agglomerative clustering (see cluster.h): O(n^3), meant for a few hundred items. */
#include "core/semg_error.h"
#include "estimator/templates/cluster.h"

PetscErrorCode SemgClusterAverageLinkage(PetscInt n, PetscReal *d, PetscReal cut, PetscInt *label, PetscInt *n_groups)
{
  PetscInt *size, *root;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n, &size, n, &root));
  for (PetscInt i = 0; i < n; i++) size[i] = 1, root[i] = i;
  for (;;) {
    PetscReal best = PETSC_MAX_REAL;
    PetscInt  a = -1, b = -1;
    for (PetscInt i = 0; i < n; i++) {
      if (!size[i]) continue;
      for (PetscInt j = i + 1; j < n; j++)
        if (size[j] && d[(size_t)i * n + j] < best) best = d[(size_t)i * n + j], a = i, b = j;
    }
    if (a < 0 || best > cut) break;
    /* Lance-Williams update for average linkage: cluster a absorbs b */
    for (PetscInt k = 0; k < n; k++) {
      if (!size[k] || k == a || k == b) continue;
      const PetscReal v    = (size[a] * d[(size_t)a * n + k] + size[b] * d[(size_t)b * n + k]) / (size[a] + size[b]);
      d[(size_t)a * n + k] = d[(size_t)k * n + a] = v;
    }
    size[a] += size[b];
    size[b] = 0;
    for (PetscInt k = 0; k < n; k++)
      if (root[k] == b) root[k] = a;
  }
  *n_groups = 0;
  for (PetscInt i = 0; i < n; i++) label[i] = -1;
  for (PetscInt i = 0; i < n; i++) {
    if (label[i] >= 0) continue;
    for (PetscInt k = i; k < n; k++)
      if (root[k] == root[i]) label[k] = *n_groups;
    (*n_groups)++;
  }
  PetscCall(PetscFree2(size, root));
  PetscFunctionReturn(PETSC_SUCCESS);
}
