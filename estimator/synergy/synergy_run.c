#include <math.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/synergy/metrics.h"
#include "estimator/synergy/synergy_run.h"

#define NMF_STREAM (SEMG_STREAM_USER + 10)

PetscErrorCode SemgSynergyRunParamsDefault(SemgSynergyRunParams *p)
{
  PetscFunctionBeginUser;
  PetscCall(SemgNMFParamsDefault(&p->nmf));
  PetscCall(SemgSynergyAEDefault(0, 0, &p->ae));
  p->rule          = SEMG_RANK_VAF;
  p->n_fixed       = 0;
  p->vaf_threshold = 0.90;
  p->r2fit_mse     = 1e-4;
  p->ae_restarts   = 5;
  p->seed          = 1;
  p->schedule      = SEMG_SCHEDULE_DYNAMIC;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyRunOptions(PetscOptionItems *PetscOptionsObject, SemgSynergyRunParams *p)
{
  PetscInt seed = (PetscInt)p->seed;

  PetscFunctionBeginUser;
  PetscCall(SemgNMFOptions(PetscOptionsObject, &p->nmf));
  PetscCall(SemgSynergyAEOptions(PetscOptionsObject, &p->ae));
  PetscOptionsHeadBegin(PetscOptionsObject, "Number of synergies and restarts");
  PetscCall(
    PetscOptionsEnum("-rank_rule", "how N is chosen for the autoencoders (fixed: -synergies)", "", SemgRankRules, (PetscEnum)p->rule, (PetscEnum *)&p->rule, NULL));
  PetscCall(PetscOptionsInt("-synergies", "number of synergies N (sets -rank_rule fixed)", "", p->n_fixed, &p->n_fixed, NULL));
  PetscCall(PetscOptionsReal("-vaf_threshold", "VAF rule: smallest N with VAF >= this", "", p->vaf_threshold, &p->vaf_threshold, NULL));
  PetscCall(PetscOptionsReal("-r2fit_mse", "R^2 line-fit rule: mean squared residual limit", "", p->r2fit_mse, &p->r2fit_mse, NULL));
  PetscCall(PetscOptionsInt("-ae_restarts", "random initialisations per autoencoder configuration (lowest training loss kept)", "", p->ae_restarts, &p->ae_restarts, NULL));
  PetscCall(PetscOptionsEnum("-task_schedule", "tasks to ranks: dynamic (shared queue, by decreasing estimated cost) or static (planned, longest first)", "", SemgSchedules,
                             (PetscEnum)p->schedule, (PetscEnum *)&p->schedule, NULL));
  PetscCall(PetscOptionsInt("-seed", "seed of every random draw (NMF and autoencoder initialisations, shuffles)", "", seed, &seed, NULL));
  PetscOptionsHeadEnd();
  p->seed = seed;
  if (p->n_fixed > 0) p->rule = SEMG_RANK_FIXED;
  PetscCheck(p->n_fixed >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-synergies must be >= 1 (got %d)", (int)p->n_fixed);
  PetscCheck(p->rule != SEMG_RANK_FIXED || p->n_fixed > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-rank_rule fixed needs -synergies N");
  PetscCheck(p->ae_restarts >= 1, PETSC_COMM_SELF, SEMG_ERR_USER, "-ae_restarts must be >= 1 (got %d)", (int)p->ae_restarts);
  PetscCheck(p->vaf_threshold > 0 && p->vaf_threshold < 1, PETSC_COMM_SELF, SEMG_ERR_USER, "-vaf_threshold must lie in (0, 1)");
  PetscCheck(seed >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-seed must be >= 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SemgSynergyConfigName(PetscInt c, char *name, size_t len)
{
  snprintf(name, len, "%s+%s", SemgSynergyActivationNames[c / 4], SemgSynergyActivationNames[c % 4]);
}

/* Phase 1: NMF for N = 1..nmax, restarts each; curves of the best restart, rank rules, W and H at run->N. */
static PetscErrorCode RunNMF(MPI_Comm comm, const SemgSynergyRunParams *p, const PetscReal *V, SemgSynergyRun *run)
{
  PetscInt           M = run->M, T = run->T, R = p->nmf.restarts, ntask = run->nmax * R;
  PetscMPIInt        rank;
  const PetscMPIInt *owner;
  PetscReal         *cost, *r2, *vaf, **W, **H, *Vhat;
  PetscInt          *iters, *best, i;
  SemgTaskQueue      queue;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscMalloc3(ntask, &cost, run->nmax, &best, (size_t)M * T, &Vhat));
  PetscCall(PetscCalloc5(ntask, &r2, ntask, &vaf, ntask, &iters, ntask, &W, ntask, &H));
  /* per iteration: the updates cost ~ (4 M + 4 N) N T, the R^2 check ~ (N + 3) M T */
  for (i = 0; i < ntask; i++) {
    PetscInt N = 1 + i / R;
    cost[i]    = (4.0 * M + 4.0 * N) * N + (N + 3.0) * M;
  }
  PetscCall(SemgTaskQueueCreate(comm, p->schedule, ntask, cost, &queue));
  for (;;) {
    PetscInt N;
    SemgRng  rng;
    double   t0;
    PetscCall(SemgTaskQueueNext(&queue, &i));
    if (i < 0) break;
    t0 = MPI_Wtime();
    N  = 1 + i / R;
    PetscCall(PetscMalloc2((size_t)M * N, &W[i], (size_t)N * T, &H[i]));
    SemgRngInit(&rng, (uint64_t)p->seed, (uint64_t)i, NMF_STREAM);
    PetscCall(SemgNMFInit(M, T, N, V, &rng, W[i], H[i]));
    PetscCall(SemgNMFSolve(&p->nmf, M, T, N, V, W[i], H[i], &r2[i], &iters[i]));
    SemgReconstruct(M, T, N, W[i], H[i], Vhat);
    vaf[i] = SemgVAF((PetscCount)M * T, V, Vhat);
    run->busy += MPI_Wtime() - t0;
  }
  PetscCall(SemgTaskQueueOwners(&queue, &owner));
  /* every entry is set by exactly one rank: a sum gathers them */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, r2, (PetscMPIInt)ntask, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, vaf, (PetscMPIInt)ntask, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, iters, (PetscMPIInt)ntask, MPIU_INT, MPI_SUM, comm));
  for (PetscInt n = 0; n < run->nmax; n++) {
    best[n] = n * R;
    for (PetscInt r = 1; r < R; r++)
      if (r2[n * R + r] > r2[best[n]]) best[n] = n * R + r; /* highest final R^2; first on ties */
    run->rank_r2[n]    = r2[best[n]];
    run->rank_vaf[n]   = vaf[best[n]];
    run->rank_iters[n] = iters[best[n]];
  }
  run->n_rule[0] = SemgRankByVAF(run->nmax, run->rank_vaf, p->vaf_threshold);
  run->n_rule[1] = SemgRankByR2Fit(run->nmax, run->rank_r2, p->r2fit_mse);
  run->n_rule[2] = SemgRankByElbow(run->nmax, run->rank_vaf);
  run->N         = p->rule == SEMG_RANK_FIXED ? p->n_fixed : run->n_rule[p->rule];
  {
    PetscInt b = best[run->N - 1], N = run->N;
    PetscCall(PetscMalloc3((size_t)M * N, &run->W_nmf, (size_t)N * T, &run->H_nmf, (size_t)M * T, &run->Vhat_nmf));
    if (owner[b] == rank) {
      PetscCall(PetscArraycpy(run->W_nmf, W[b], (size_t)M * N));
      PetscCall(PetscArraycpy(run->H_nmf, H[b], (size_t)N * T));
    }
    PetscCallMPI(MPI_Bcast(run->W_nmf, (PetscMPIInt)(M * N), MPIU_REAL, owner[b], comm));
    PetscCallMPI(MPI_Bcast(run->H_nmf, (PetscMPIInt)(N * T), MPIU_REAL, owner[b], comm));
    SemgReconstruct(M, T, N, run->W_nmf, run->H_nmf, run->Vhat_nmf);
    run->nmf_r2 = r2[b];
  }
  for (i = 0; i < ntask; i++)
    if (W[i]) PetscCall(PetscFree2(W[i], H[i]));
  PetscCall(SemgTaskQueueDestroy(&queue));
  PetscCall(PetscFree3(cost, best, Vhat));
  PetscCall(PetscFree5(r2, vaf, iters, W, H));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Phase 2: 16 configurations x restarts at N; the lowest final training loss per configuration is kept. */
static PetscErrorCode RunAE(MPI_Comm comm, const SemgSynergyRunParams *p, const PetscReal *V, SemgSynergyRun *run)
{
  PetscInt           M = run->M, T = run->T, N = run->N, R = p->ae_restarts, ntask = SEMG_SYNERGY_NCONF * R;
  PetscMPIInt        rank;
  const PetscMPIInt *owner;
  PetscReal         *cost, *X, **P;
  PetscCount         np;
  PetscInt           i;
  SemgTaskQueue      queue;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  for (PetscInt c = 0; c < SEMG_SYNERGY_NCONF; c++) {
    run->conf[c]     = p->ae;
    run->conf[c].M   = M;
    run->conf[c].N   = N;
    run->conf[c].enc = SemgSynergyActivations[c / 4];
    run->conf[c].dec = SemgSynergyActivations[c % 4];
  }
  np = SemgSynergyAESize(&run->conf[0]);
  PetscCall(PetscMalloc2(ntask, &cost, (size_t)T * M, &X));
  PetscCall(PetscCalloc1(ntask, &P));
  for (PetscInt t = 0; t < T; t++) /* samples are the rows of the autoencoder's input */
    for (PetscInt m = 0; m < M; m++) X[(size_t)t * M + m] = V[(size_t)m * T + t];
  for (i = 0; i < ntask; i++) {
    PetscInt c = i / R;
    /* exp() in sigmoid and tanh makes those layers dearer than linear and ReLU */
    cost[i] = 2 + (run->conf[c].enc >= SEMG_ACT_TANH) + (run->conf[c].dec >= SEMG_ACT_TANH);
  }
  for (i = 0; i < ntask; i++) run->ae_restart_loss[i] = 0;
  PetscCall(SemgTaskQueueCreate(comm, p->schedule, ntask, cost, &queue));
  for (;;) {
    double t0;
    PetscCall(SemgTaskQueueNext(&queue, &i));
    if (i < 0) break;
    t0 = MPI_Wtime();
    PetscCall(PetscMalloc1(np, &P[i]));
    PetscCall(SemgSynergyAEInit(&run->conf[i / R], p->seed, 1000 + i, P[i]));
    PetscCall(SemgSynergyAETrain(&run->conf[i / R], T, X, p->seed, i, P[i], &run->ae_restart_loss[i]));
    run->busy += MPI_Wtime() - t0;
  }
  PetscCall(SemgTaskQueueOwners(&queue, &owner));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, run->ae_restart_loss, (PetscMPIInt)ntask, MPIU_REAL, MPI_SUM, comm));
  for (PetscInt c = 0; c < SEMG_SYNERGY_NCONF; c++) {
    PetscInt   b = c * R;
    PetscReal *Pb;
    for (PetscInt r = 1; r < R; r++)
      if (run->ae_restart_loss[c * R + r] < run->ae_restart_loss[b]) b = c * R + r;
    run->loss_ae[c] = run->ae_restart_loss[b];
    PetscCall(PetscMalloc1(np, &Pb));
    if (owner[b] == rank) PetscCall(PetscArraycpy(Pb, P[b], np));
    PetscCallMPI(MPI_Bcast(Pb, (PetscMPIInt)np, MPIU_REAL, owner[b], comm));
    PetscCall(PetscMalloc3((size_t)M * N, &run->W_ae[c], (size_t)N * T, &run->H_ae[c], (size_t)M * T, &run->Vhat_ae[c]));
    PetscCall(SemgSynergyAEExtract(&run->conf[c], Pb, T, X, run->W_ae[c], run->H_ae[c], run->Vhat_ae[c]));
    PetscCall(PetscFree(Pb));
  }
  for (i = 0; i < ntask; i++) PetscCall(PetscFree(P[i]));
  PetscCall(PetscFree(P));
  PetscCall(SemgTaskQueueDestroy(&queue));
  PetscCall(PetscFree2(cost, X));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyRunAll(MPI_Comm comm, const SemgSynergyRunParams *p, PetscInt M, PetscInt T, const PetscReal *V, SemgSynergyRun *run)
{
  double t0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(run, sizeof(*run)));
  PetscCheck(p->rule != SEMG_RANK_FIXED || p->n_fixed <= M, comm, SEMG_ERR_USER, "-synergies %d is larger than the number of muscles (%d)", (int)p->n_fixed, (int)M);
  run->M    = M;
  run->T    = T;
  run->nmax = PetscMax(SemgRankMax(M), p->rule == SEMG_RANK_FIXED ? p->n_fixed : 1);
  PetscCall(PetscMalloc3(run->nmax, &run->rank_r2, run->nmax, &run->rank_vaf, run->nmax, &run->rank_iters));
  PetscCall(PetscMalloc1((size_t)SEMG_SYNERGY_NCONF * p->ae_restarts, &run->ae_restart_loss));
  t0 = MPI_Wtime();
  PetscCall(RunNMF(comm, p, V, run));
  run->t_nmf = MPI_Wtime() - t0;
  PetscCall(PetscPrintf(comm, "semg synergy: NMF N = 1..%d x %d restarts: %.2f s; N by VAF >= %.2f: %d, by R^2 line fit: %d, by elbow: %d; using N = %d\n",
                        (int)run->nmax, (int)p->nmf.restarts, run->t_nmf, (double)p->vaf_threshold, (int)run->n_rule[0], (int)run->n_rule[1], (int)run->n_rule[2],
                        (int)run->N));
  t0 = MPI_Wtime();
  PetscCall(RunAE(comm, p, V, run));
  run->t_ae = MPI_Wtime() - t0;
  PetscCall(PetscPrintf(comm, "semg synergy: %d autoencoder configurations x %d restarts: %.2f s\n", SEMG_SYNERGY_NCONF, (int)p->ae_restarts, run->t_ae));
  {
    /* time inside tasks: total over ranks / busiest rank = the speed-up the task split allows, whatever
       else shares the machine */
    double      mx, sum;
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(comm, &size));
    PetscCallMPI(MPI_Allreduce(&run->busy, &mx, 1, MPI_DOUBLE, MPI_MAX, comm));
    PetscCallMPI(MPI_Allreduce(&run->busy, &sum, 1, MPI_DOUBLE, MPI_SUM, comm));
    PetscCall(PetscPrintf(comm, "semg synergy: task time on %d rank(s): total %.2f s, busiest rank %.2f s (balance %.2f of %d)\n", size, sum, mx, mx > 0 ? sum / mx : 1.0, size));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyRunFree(SemgSynergyRun *run)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(run->rank_r2, run->rank_vaf, run->rank_iters));
  PetscCall(PetscFree(run->ae_restart_loss));
  PetscCall(PetscFree3(run->W_nmf, run->H_nmf, run->Vhat_nmf));
  for (PetscInt c = 0; c < SEMG_SYNERGY_NCONF; c++) PetscCall(PetscFree3(run->W_ae[c], run->H_ae[c], run->Vhat_ae[c]));
  PetscFunctionReturn(PETSC_SUCCESS);
}
