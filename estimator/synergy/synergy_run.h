/* The synergy analysis of one envelope matrix V (M x T), parallel over tasks with MPI: NMF for every
   rank N = 1..N_max x restarts, the rank rules, then the 16 autoencoder configurations x restarts at the
   chosen N. Tasks are taken by the ranks from a shared queue in decreasing order of an estimated cost
   (task_queue.h; or planned statically, longest processing time first); every task draws from its own
   Random123 stream, so results do not depend on the number of ranks or on who ran what. */
#ifndef SEMG_SYNERGY_RUN_H
#define SEMG_SYNERGY_RUN_H

#include <petscsys.h>
#include "estimator/synergy/nmf.h"
#include "estimator/synergy/synergy_ae.h"
#include "estimator/synergy/task_queue.h"

#define SEMG_SYNERGY_NCONF 16

typedef struct {
  SemgNMFParams nmf;
  SemgSynergyAE ae; /* template: M, N, activations are set per configuration */
  SemgRankRule  rule;
  PetscInt      n_fixed;       /* rank for rule fixed (or forced by -synergies) */
  PetscReal     vaf_threshold; /* 0.90 */
  PetscReal     r2fit_mse;     /* 1e-4 */
  PetscInt      ae_restarts;   /* 5 */
  PetscInt64    seed;
  SemgSchedule  schedule; /* dynamic (a shared queue) or static (planned) distribution of the tasks */
} SemgSynergyRunParams;

typedef struct {
  PetscInt      M, T, nmax, N;
  PetscReal    *rank_r2, *rank_vaf; /* best restart per rank, index N - 1 */
  PetscInt     *rank_iters;
  PetscInt      n_rule[3]; /* VAF threshold, R^2 line fit, elbow */
  PetscReal    *W_nmf, *H_nmf, *Vhat_nmf, nmf_r2;
  SemgSynergyAE conf[SEMG_SYNERGY_NCONF];
  PetscReal    *W_ae[SEMG_SYNERGY_NCONF], *H_ae[SEMG_SYNERGY_NCONF], *Vhat_ae[SEMG_SYNERGY_NCONF];
  PetscReal     loss_ae[SEMG_SYNERGY_NCONF];
  PetscReal    *ae_restart_loss; /* NCONF x restarts */
  double        t_nmf, t_ae;     /* wall seconds of the two phases */
  double        busy;            /* this rank's seconds inside its own tasks */
} SemgSynergyRun;

PETSC_EXTERN PetscErrorCode SemgSynergyRunParamsDefault(SemgSynergyRunParams *p);
PETSC_EXTERN PetscErrorCode SemgSynergyRunOptions(PetscOptionItems *PetscOptionsObject, SemgSynergyRunParams *p);
/* Collective over comm; V (floored, M x T) identical on every rank; every rank gets the whole result. */
PETSC_EXTERN PetscErrorCode SemgSynergyRunAll(MPI_Comm comm, const SemgSynergyRunParams *p, PetscInt M, PetscInt T, const PetscReal *V, SemgSynergyRun *run);
PETSC_EXTERN PetscErrorCode SemgSynergyRunFree(SemgSynergyRun *run);
/* Configuration c = 4 * encoder + decoder in the order linear, relu, sigmoid, tanh; name "relu+tanh". */
PETSC_EXTERN void SemgSynergyConfigName(PetscInt c, char *name, size_t len);

#endif
