/* Non-negative matrix factorisation V ~ W H (spec synergies.md 3): Lee & Seung multiplicative updates,
   H first then W, column normalisation of W each iteration, musclesyneRgies' stopping rule, restarts,
   and the rules that choose the number of synergies. V is M x T (muscles x samples), W is M x N, H is
   N x T, all row-major. */
#ifndef SEMG_SYNERGY_NMF_H
#define SEMG_SYNERGY_NMF_H

#include <petscsys.h>
#include "core/semg_rng.h"

typedef struct {
  PetscInt  max_iter; /* 1000 */
  PetscInt  window;   /* 20: compare R^2 with the value this many iterations earlier */
  PetscReal rel_tol;  /* 0.01 / 100 */
  PetscInt  restarts; /* 5 */
} SemgNMFParams;

typedef enum { SEMG_RANK_VAF = 0, SEMG_RANK_R2FIT = 1, SEMG_RANK_ELBOW = 2, SEMG_RANK_FIXED = 3 } SemgRankRule;
PETSC_EXTERN const char *const SemgRankRules[];

PETSC_EXTERN PetscErrorCode SemgNMFParamsDefault(SemgNMFParams *p);
PETSC_EXTERN PetscErrorCode SemgNMFOptions(PetscOptionItems *PetscOptionsObject, SemgNMFParams *p);

/* Entries <= 0 -> the smallest positive entry (step 1); user error naming `what` if none is positive. */
PETSC_EXTERN PetscErrorCode SemgNMFFloor(PetscInt M, PetscInt T, PetscReal *V, const char *what);
/* Initial W, H iid U(min V, max V) from rng. */
PETSC_EXTERN PetscErrorCode SemgNMFInit(PetscInt M, PetscInt T, PetscInt N, const PetscReal *V, SemgRng *rng, PetscReal *W, PetscReal *H);
/* One iteration: H update, W update, column normalisation. work holds SemgNMFWorkSize values. */
PETSC_EXTERN PetscCount     SemgNMFWorkSize(PetscInt M, PetscInt T, PetscInt N);
PETSC_EXTERN PetscErrorCode SemgNMFIterate(PetscInt M, PetscInt T, PetscInt N, const PetscReal *V, PetscReal *W, PetscReal *H, PetscReal *work);
/* Iterate from the given W, H until the stopping rule; returns the final R^2 and the iteration count. */
PETSC_EXTERN PetscErrorCode SemgNMFSolve(const SemgNMFParams *p, PetscInt M, PetscInt T, PetscInt N, const PetscReal *V, PetscReal *W, PetscReal *H, PetscReal *r2, PetscInt *iters);

/* Rank rules on curves indexed by N - 1 (N = 1..nmax). */
PETSC_EXTERN PetscInt SemgRankByVAF(PetscInt nmax, const PetscReal *vaf, PetscReal threshold);
PETSC_EXTERN PetscInt SemgRankByR2Fit(PetscInt nmax, const PetscReal *r2, PetscReal mse_tol);
PETSC_EXTERN PetscInt SemgRankByElbow(PetscInt nmax, const PetscReal *vaf);
/* N_max = M - round(M/4) with halves rounded to even, as R does (M = 13 -> 10, M = 16 -> 12). */
PETSC_EXTERN PetscInt SemgRankMax(PetscInt M);

#endif
