static char help[] = "bench/train: throughput of the informed autoencoder's data-parallel training step.\n"
                     "Runs `semg train` on -data for -train_max_steps steps (no validation, no checkpoints unless asked)\n"
                     "and reports samples/s, samples/s per rank, wall and CPU time, and the decoder cost per sample.\n"
                     "Usage: mpiexec -n W bench/train -options_file a.yaml -data d.h5 -output /tmp/b.h5 -train_max_steps 40\n";

#include <time.h>
#include "core/semg_error.h"
#include "core/semg_log.h"
#include "core/semg_options.h"
#include "estimator/nn/trainer.h"
#include "estimator/nn/dectable.h"

/* Per-sample decoder cost with tangents and closed-form-gain loss (rank 0, serial). */
static PetscErrorCode BenchDecoder(SemgTrainer *tr, PetscInt n, PetscReal *sec)
{
  clock_t   c0, c1;
  PetscReal l, dth[SEMG_SCALER_MAX], theta[SEMG_SCALER_MAX];

  PetscFunctionBeginUser;
  c0 = clock(); /* CPU time: the machine may be shared */
  for (PetscInt i = 0; i < n; i++) {
    for (PetscInt j = 0; j < tr->dec->K; j++)
      theta[j] = tr->dec->scaler.lo[j] + (0.3 + 0.4 * (i % 7) / 7.0) * (tr->dec->scaler.hi[j] - tr->dec->scaler.lo[j]);
    PetscCall(SemgDecoderLoss(tr->dec, theta, tr->ds->data + (size_t)(i % tr->ds->n_examples) * tr->nx, &l, dth, NULL));
  }
  c1   = clock();
  *sec = (PetscReal)(c1 - c0) / CLOCKS_PER_SEC / n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Template, geometry and initial parameters for the PyTorch twin (experiments/bench/train_torch.py). */
static PetscErrorCode BenchDumpTemplate(SemgTrainer *tr, const char *path)
{
  const SemgDecoder *d = tr->dec;
  FILE              *fp;

  PetscFunctionBeginUser;
  if (tr->rank) PetscFunctionReturn(PETSC_SUCCESS);
  fp = fopen(path, "w");
  PetscCheck(fp, PETSC_COMM_SELF, SEMG_ERR_USER, "-bench_template '%s': cannot write", path);
  fprintf(fp, "%d %d %d %d %.17g %d\n", (int)d->nf, (int)d->ne, (int)d->nc, (int)d->nt, 1.0 / d->dt, (int)d->K);
  for (PetscInt i = 0; i < d->nf; i++)
    fprintf(fp, "%.17g %.17g %.17g %.17g %.17g %.17g\n", d->tmpl[i].ox, d->tmpl[i].oy, d->tmpl[i].oz, d->tmpl[i].ip, d->tmpl[i].length, d->dcv[i]);
  for (PetscInt e = 0; e < d->ne; e++) fprintf(fp, "%.17g %.17g %.17g\n", d->ex[e], d->ey[e], d->ez[e]);
  for (PetscInt c = 0; c < d->nc; c++)
    fprintf(fp, "%d %d %d %.17g %.17g %.17g\n", (int)d->ch_e[3 * c], (int)d->ch_e[3 * c + 1], (int)d->ch_e[3 * c + 2], d->ch_w[3 * c], d->ch_w[3 * c + 1], d->ch_w[3 * c + 2]);
  for (PetscInt j = 0; j < d->K; j++) fprintf(fp, "%.17g %.17g\n", d->scaler.lo[j], d->scaler.hi[j]);
  fprintf(fp, "%.17g\n", d->spec.depth);
  fclose(fp);
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  SemgTrainer    tr;
  PetscBool      final;
  PetscLogDouble t0, t1;
  clock_t        c0, c1;
  PetscReal      cpu, cpu_max, wall, dec_sec = 0, dec_exact_sec = 0;
  PetscInt64     steps0;
  PetscInt       ndec                          = 100;
  char           tmpl_path[PETSC_MAX_PATH_LEN] = "", init_path[PETSC_MAX_PATH_LEN] = "";

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscMemzero(&tr, sizeof(tr)));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-bench_decoder_samples", &ndec, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_template", tmpl_path, sizeof(tmpl_path), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_init", init_path, sizeof(init_path), NULL));
  PetscCall(SemgTrainerSetFromOptions(PETSC_COMM_WORLD, &tr));
  PetscCall(SemgTrainerSetUp(&tr, &final));
  PetscCheck(!final, PETSC_COMM_WORLD, SEMG_ERR_USER, "%s/FINAL exists: use a fresh -ckpt_dir", tr.ckpt_dir);
  if (tmpl_path[0]) PetscCall(BenchDumpTemplate(&tr, tmpl_path));
  if (init_path[0]) PetscCall(SemgNNStateWrite(PETSC_COMM_WORLD, init_path, &tr.st));
  if (ndec > 0) PetscCall(BenchDecoder(&tr, ndec, &dec_sec));
  if (ndec > 0 && tr.dec->table) { /* -dec_table: the exact decoder side by side, same latents and data */
    struct _p_SemgDecTable *tab = tr.dec->table;
    tr.dec->table               = NULL;
    PetscCall(BenchDecoder(&tr, PetscMax(1, ndec / 10), &dec_exact_sec));
    tr.dec->table = tab;
  }
  steps0 = tr.st.step;
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t0));
  c0 = clock();
  PetscCall(SemgTrainerRun(&tr));
  c1 = clock();
  PetscCall(PetscTime(&t1));
  wall = t1 - t0;
  cpu  = (PetscReal)(c1 - c0) / CLOCKS_PER_SEC;
  PetscCallMPI(MPI_Allreduce(&cpu, &cpu_max, 1, MPIU_REAL, MPI_MAX, PETSC_COMM_WORLD));
  {
    PetscReal samples = (PetscReal)(tr.st.step - steps0) * tr.global_batch;
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench/train: ranks %d, steps %lld, global batch %d, samples %.0f\n", tr.size, (long long)(tr.st.step - steps0),
                          (int)tr.global_batch, (double)samples));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench/train: wall %.3f s, %.1f samples/s, %.1f samples/s per rank; max CPU time per rank %.3f s (%.1f samples/s per busy core)\n", (double)wall, (double)(samples / wall), (double)(samples / wall / tr.size), (double)cpu_max, (double)(samples / cpu_max / tr.size)));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench/train: decoder with tangents + gain loss: %.3f ms CPU per sample (%d fibres, %d electrodes, %d times%s)\n", (double)(1e3 * dec_sec),
                          (int)tr.dec->nf, (int)tr.dec->ne, (int)tr.dec->nt, tr.dec->table ? ", table" : ""));
    if (dec_exact_sec > 0)
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench/train: exact CCS decoder, same latents: %.3f ms CPU per sample; table %.1fx faster\n", (double)(1e3 * dec_exact_sec), (double)(dec_exact_sec / dec_sec)));
  }
  PetscCall(SemgTrainerDestroy(&tr));
  PetscCall(PetscFinalize());
  return 0;
}
