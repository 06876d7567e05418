/* semg synergy: muscle synergies of one recording or one synthetic set by NMF and by the 16 autoencoder
   configurations (spec synergies.md), parallel over ranks and restarts, results in HDF5. */
#include <string.h>
#include <sys/stat.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "estimator/commands.h"
#include "estimator/synergy/synth.h"
#include "estimator/synergy/synergy_io.h"
#include "estimator/synergy/synergy_run.h"

typedef struct {
  char                 emg[PETSC_MAX_PATH_LEN], events[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN], tables[PETSC_MAX_PATH_LEN];
  PetscBool            synth, have_emg, have_events, have_tables;
  SemgEnvelopeParams   env;
  SemgSynthParams      syn;
  SemgSynergyRunParams run;
} SynergyCtx;

static PetscErrorCode ProcessOptions(MPI_Comm comm, SynergyCtx *ctx)
{
  PetscBool set_o;

  PetscFunctionBeginUser;
  PetscCall(SemgEnvelopeParamsDefault(&ctx->env));
  PetscCall(SemgSynthParamsDefault(&ctx->syn));
  PetscCall(SemgSynergyRunParamsDefault(&ctx->run));
  PetscOptionsBegin(comm, NULL, "semg synergy: muscle synergies by NMF and 16 autoencoder configurations", "semg");
  PetscCall(PetscOptionsString("-emg", "recording CSV: time (s) then one column per muscle (raw EMG)", "", ctx->emg, ctx->emg, sizeof(ctx->emg), &ctx->have_emg));
  PetscCall(PetscOptionsString("-events", "gait events CSV: touchdown_s,liftoff_s per cycle", "", ctx->events, ctx->events, sizeof(ctx->events), &ctx->have_events));
  PetscCall(
    PetscOptionsBool("-synth", "analyse a synthetic set with planted synergies instead of a recording (-synth_* options)", "", ctx->synth, &ctx->synth, NULL));
  PetscCall(PetscOptionsString("-output", "result HDF5 file", "", ctx->output, ctx->output, sizeof(ctx->output), &set_o));
  PetscCall(PetscOptionsString("-tables", "also write CSV tables for the analysis layer into this directory", "", ctx->tables, ctx->tables, sizeof(ctx->tables),
                               &ctx->have_tables));
  PetscCall(SemgEnvelopeOptions(PetscOptionsObject, &ctx->env));
  PetscCall(SemgSynthOptions(PetscOptionsObject, &ctx->syn));
  PetscCall(SemgSynergyRunOptions(PetscOptionsObject, &ctx->run));
  PetscOptionsEnd();
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCheck(ctx->synth != (ctx->have_emg || ctx->have_events), comm, SEMG_ERR_USER, "give either -emg FILE -events FILE (a recording) or -synth (a synthetic set)");
  if (!ctx->synth) {
    PetscCall(SemgOptionsRequire(comm, "-emg", ctx->have_emg));
    PetscCall(SemgOptionsRequire(comm, "-events", ctx->have_events));
    PetscCall(SemgCheckInputPath(comm, "-emg", ctx->emg));
    PetscCall(SemgCheckInputPath(comm, "-events", ctx->events));
  }
  PetscCall(SemgCheckOutputPath(comm, "-output", ctx->output));
  if (ctx->have_tables) { /* before any work: a table directory that cannot be made fails now, not after the run */
    char        probe[PETSC_MAX_PATH_LEN];
    PetscMPIInt rank;
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    if (!rank) (void)mkdir(ctx->tables, 0777);
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscSNPrintf(probe, sizeof(probe), "%s/metrics.csv", ctx->tables));
    PetscCall(SemgCheckOutputPath(comm, "-tables", probe));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MakeSynthetic(const SynergyCtx *ctx, SemgSynergyInput *in)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(in, sizeof(*in)));
  PetscCall(SemgSynthGenerate(&ctx->syn, &ctx->env, &in->T, &in->V, &in->W_true, &in->H_true));
  in->M                = ctx->syn.M;
  in->N_true           = ctx->syn.N;
  in->cycles           = ctx->syn.cycles;
  in->points_per_cycle = ctx->syn.points;
  in->fs               = ctx->syn.fs;
  PetscCall(PetscMalloc1(in->M, &in->names));
  for (PetscInt m = 0; m < in->M; m++) PetscCall(PetscSNPrintf(in->names[m], SEMG_SYNERGY_NAME_LEN, "m%d", (int)m + 1));
  PetscCall(PetscSNPrintf(in->source, sizeof(in->source), "synthetic: M=%d N_true=%d cycles=%d mixing=%s agonist=%d background=%d snr_db=%g noise=%s fs=%g bump_cut=%g distinct=%d seed=%lld",
                          (int)ctx->syn.M, (int)ctx->syn.N, (int)ctx->syn.cycles, SemgSynthMixings[ctx->syn.mixing], (int)ctx->syn.agonist,
                          (int)ctx->syn.background, (double)ctx->syn.snr_db, SemgSynthNoises[ctx->syn.noise], (double)ctx->syn.fs, (double)ctx->syn.bump_cut,
                          (int)ctx->syn.distinct, (long long)ctx->syn.seed));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PrintSummary(MPI_Comm comm, const SemgSynergyInput *in, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS])
{
  PetscInt ic = in->W_true ? 6 : 2, best_r2 = 1, best_sim = 1;
  char     a[32], b[32];

  PetscFunctionBeginUser;
  for (PetscInt r = 2; r < SEMG_SYNERGY_NROWS; r++) {
    if (table[r][0] > table[best_r2][0]) best_r2 = r;
    if (table[r][ic] > table[best_sim][ic]) best_sim = r;
  }
  SemgSynergyConfigName(best_r2 - 1, a, sizeof(a));
  SemgSynergyConfigName(best_sim - 1, b, sizeof(b));
  PetscCall(PetscPrintf(comm, "semg synergy: NMF R^2 %.4f VAF %.4f%s; best-reconstructing autoencoder %s (R^2 %.4f), most similar to %s: %s (%.3f)\n", (double)table[0][0], (double)table[0][1], "", a, (double)table[best_r2][0], in->W_true ? "the truth" : "NMF", b, (double)table[best_sim][ic]));
  if (in->W_true)
    PetscCall(PetscPrintf(comm, "semg synergy: NMF against the truth: matched cosine mean %.4f min %.4f\n", (double)table[0][6], (double)table[0][7]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdSynergy(MPI_Comm comm)
{
  SynergyCtx       ctx;
  SemgSynergyInput in;
  SemgSynergyRun   run;
  PetscReal        table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS];
  double           t0 = MPI_Wtime();
  char            *opts;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&ctx, sizeof(ctx)));
  PetscCall(ProcessOptions(comm, &ctx));
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  if (ctx.synth) PetscCall(MakeSynthetic(&ctx, &in));
  else PetscCall(SemgSynergyInputRead(comm, ctx.emg, ctx.events, &ctx.env, &in));
  PetscCheck(ctx.run.n_fixed <= in.M, comm, SEMG_ERR_USER, "-synergies %d is larger than the number of muscles (%d)", (int)ctx.run.n_fixed, (int)in.M);
  PetscCall(PetscPrintf(comm, "semg synergy: %d muscles, %d cycles, %d time points\n", (int)in.M, (int)in.cycles, (int)in.T));
  PetscCall(SemgNMFFloor(in.M, in.T, in.V, in.source));
  PetscCall(SemgSynergyRunAll(comm, &ctx.run, in.M, in.T, in.V, &run));
  PetscCall(SemgSynergyMetrics(&in, &run, table));
  PetscCall(PrintSummary(comm, &in, table));
  PetscCall(SemgOptionsString(&opts));
  PetscCall(SemgSynergyWriteH5(comm, ctx.output, &in, &run, table, opts));
  PetscCall(PetscFree(opts));
  if (ctx.have_tables) PetscCall(SemgSynergyWriteTables(comm, ctx.tables, &in, &run, table));
  PetscCall(PetscPrintf(comm, "semg synergy: wrote %s in %.2f s\n", ctx.output, MPI_Wtime() - t0));
  PetscCall(SemgSynergyRunFree(&run));
  PetscCall(SemgSynergyInputFree(&in));
  PetscFunctionReturn(PETSC_SUCCESS);
}
