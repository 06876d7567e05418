/* Synergy metrics (spec synergies.md 5): reconstruction (VAF, R^2), matched cosine similarity of two
   synergy sets, activation correlation, Hoyer sparsity, negative weight share, Pareto front. */
#ifndef SEMG_SYNERGY_METRICS_H
#define SEMG_SYNERGY_METRICS_H

#include <petscsys.h>

PETSC_EXTERN PetscReal SemgSumSquaredDiff(PetscCount n, const PetscReal *a, const PetscReal *b);
PETSC_EXTERN PetscReal SemgSumSquaresAboutMean(PetscCount n, const PetscReal *a);
/* Vhat = W H (M x N times N x T). */
PETSC_EXTERN void SemgReconstruct(PetscInt M, PetscInt T, PetscInt N, const PetscReal *W, const PetscReal *H, PetscReal *Vhat);
/* Columns of W (M x N) to unit norm, rows of H (N x T, may be NULL) take the scale (W H unchanged); zero
   columns stay. */
PETSC_EXTERN void      SemgNormaliseSynergies(PetscInt M, PetscInt N, PetscInt T, PetscReal *W, PetscReal *H);
PETSC_EXTERN PetscReal SemgVAF(PetscCount n, const PetscReal *V, const PetscReal *Vhat); /* uncentred */
PETSC_EXTERN PetscReal SemgR2(PetscCount n, const PetscReal *V, const PetscReal *Vhat);  /* centred */

typedef struct {
  PetscReal mean, min; /* of the matched cosine similarities */
  PetscInt  n_above;   /* matched pairs >= threshold */
  PetscReal act_corr;  /* mean Pearson correlation of matched activation rows (NaN without H) */
} SemgMatch;

/* Match the columns of A (M x Na) to those of B (M x Nb) by cosine similarity (Hungarian; the smaller set
   is padded with zero columns, which score 0). perm[a] (may be NULL, length max(Na, Nb)) is B's column of A's
   column a (>= Nb: a padding column). HA (Na x T) and HB (Nb x T) may be NULL. */
PETSC_EXTERN PetscErrorCode SemgMatchSynergies(PetscInt M, PetscInt Na, const PetscReal *A, PetscInt Nb, const PetscReal *B, PetscInt T, const PetscReal *HA, const PetscReal *HB, PetscReal threshold, SemgMatch *res, PetscInt *perm);

/* Mean over columns of W (M x N) of Hoyer's sparsity (sqrt(M) - |w|_1/|w|_2)/(sqrt(M) - 1). */
PETSC_EXTERN PetscReal SemgHoyerSparsity(PetscInt M, PetscInt N, const PetscReal *W);
/* Sum of |negative weights| over the sum of |weights|. */
PETSC_EXTERN PetscReal SemgNegativeShare(PetscCount n, const PetscReal *W);
PETSC_EXTERN PetscReal SemgPearson(PetscInt n, const PetscReal *a, const PetscReal *b);

/* front[i] = 1 when no other point is at least as good in both x and y and better in one (maximise both). */
PETSC_EXTERN void SemgParetoFront(PetscInt n, const PetscReal *x, const PetscReal *y, PetscInt *front);

#endif
