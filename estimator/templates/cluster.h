/* Agglomerative clustering with average linkage (UPGMA) on a precomputed distance matrix. No Debian
   package offers a C clustering library in the project's stack, so this small kernel lives here with
   its own test (tests/templates/test_templates.c). */
#ifndef SEMG_TEMPLATES_CLUSTER_H
#define SEMG_TEMPLATES_CLUSTER_H

#include <petscsys.h>

/* d: n x n symmetric distances (overwritten). Merges the two closest clusters while their average
   distance is <= cut. label[i] = cluster of item i (0..n_groups-1, numbered by first member). */
PETSC_EXTERN PetscErrorCode SemgClusterAverageLinkage(PetscInt n, PetscReal *d, PetscReal cut, PetscInt *label, PetscInt *n_groups);

#endif
