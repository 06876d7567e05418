/* semg estimate: IZ and CV (and nuisance latents) of every sample with a trained informed autoencoder,
   written as an estimator result file (.h5 or .csv, estimator/result.h). */
#include "core/semg_error.h"
#include "estimator/commands.h"
#include "core/semg_options.h"
#include "estimator/result.h"
#include "estimator/nn/trainer.h"
#include "estimator/nn/dectable_build.h"
#include "estimator/nn/laplace.h"

/* A latent h (before the scaler's sigmoid, theta = lo + (hi - lo) sigmoid(h)) beyond +-4 is saturated
   (spec estimator.md 2.3): theta within 1.8 % of the range from a bound (1.35 mm of IZ and 0.052 m/s of
   CV on the default ranges, 16 electrodes at 5 mm), where d theta / d h has fallen below 1/14 of its value at the centre. */
#define ESTIMATE_SATURATED_H 4.0

typedef struct {
  char                model[PETSC_MAX_PATH_LEN], data[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN];
  PetscInt            batch;
  SemgDecTableOptions table; /* -dec_table: decode the reconstruction through a table */
  SemgLaplaceOptions  unc;   /* covariance of the estimates (-unc_*) */
} EstimateOptions;

static PetscErrorCode ProcessOptions(MPI_Comm comm, EstimateOptions *o)
{
  PetscBool set_m, set_d, set_o;

  PetscFunctionBeginUser;
  o->batch     = 64;
  o->model[0]  = 0; /* -help shows these as defaults */
  o->data[0]   = 0;
  o->output[0] = 0;
  PetscOptionsBegin(comm, NULL, "semg estimate: informed-autoencoder estimates", "semg");
  PetscCall(PetscOptionsString("-model", "trained model or checkpoint (.h5 from semg train)", "", o->model, o->model, sizeof(o->model), &set_m));
  PetscCall(PetscOptionsString("-data", "dataset (.h5 from semg simulate or semg import)", "", o->data, o->data, sizeof(o->data), &set_d));
  PetscCall(PetscOptionsString("-output", "result file: .h5 (estimates, truth, NRMSE, metrics) or .csv", "", o->output, o->output, sizeof(o->output), &set_o));
  PetscCall(PetscOptionsInt("-estimate_batch", "samples per encoder batch", "", o->batch, &o->batch, NULL));
  PetscOptionsEnd();
  PetscCall(SemgDecTableOptionsDefault(&o->table));
  PetscCall(SemgDecTableOptionsSetFromOptions(comm, &o->table));
  PetscCall(SemgLaplaceOptionsDefault(&o->unc));
  PetscCall(SemgLaplaceOptionsSetFromOptions(comm, &o->unc));
  PetscCall(SemgOptionsRequire(comm, "-model", set_m));
  PetscCall(SemgOptionsRequire(comm, "-data", set_d));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCheck(SemgStringEndsWith(o->output, ".h5") || SemgStringEndsWith(o->output, ".csv"), comm, SEMG_ERR_USER, "-output '%s' must end in .h5 or .csv", o->output);
  PetscCheck(o->batch > 0, comm, SEMG_ERR_USER, "-estimate_batch must be > 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdEstimate(MPI_Comm comm)
{
  EstimateOptions   o;
  SemgNNState       st;
  SemgDataset      *ds;
  SemgEncoder      *enc;
  SemgDecoder      *dec;
  SemgModel        *model;
  SemgResult       *res;
  PetscReal        *theta, *nrmse;
  const PetscReal  *P;
  const char *const extra_names[] = {"depth"}, *const extra_units[] = {"m"};

  PetscFunctionBeginUser;
  PetscCall(ProcessOptions(comm, &o));
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckInputPath(comm, "-model", o.model));
  PetscCall(SemgCheckInputPath(comm, "-data", o.data));
  PetscCall(SemgCheckOutputPath(comm, "-output", o.output));
  PetscCall(SemgNNStateRead(comm, "-model", o.model, &st));
  PetscCall(SemgDatasetRead(comm, o.data, &ds));
  PetscCheck(ds->n_channels == st.in_channels && ds->n_times == st.in_times, comm, SEMG_ERR_USER, "-data '%s' has %" PetscInt_FMT " channels x %" PetscInt_FMT " times, the model expects %" PetscInt_FMT " x %" PetscInt_FMT, o.data, ds->n_channels, ds->n_times, st.in_channels, st.in_times);
  st.dec.table = o.table;
  PetscCall(SemgNNBuild(&st, ds, o.batch, &enc, &dec));
  PetscCall(SemgDecoderUseTable(comm, dec));
  PetscCheck(enc->n_params == st.np, comm, SEMG_ERR_USER, "-model '%s': %" PetscCount_FMT " parameters, the architecture needs %" PetscCount_FMT, o.model, st.np,
             enc->n_params);
  PetscCall(SemgModelCreate(enc, dec, &model));
  /* the best validation parameters when an epoch was completed, else the last ones */
  P = st.best_epoch >= 0 ? st.Pbest : st.P;
  PetscCall(SemgNormaliseSamples(ds->n_local, ds->n_channels * ds->n_times, ds->data, NULL));
  PetscCall(SemgResultCreate(ds, "informed-autoencoder", o.data, st.K - 2, extra_names, extra_units, &res));
  PetscCall(SemgResultAddCovariance(res));
  PetscCall(PetscMalloc2((size_t)o.batch * st.K, &theta, o.batch, &nrmse));
  {
    long long sat[2] = {0, 0}; /* saturated latents: truths near or beyond the bounds (spec 2.3) */
    for (PetscCount b0 = 0; b0 < ds->n_local; b0 += o.batch) {
      PetscInt       B = (PetscInt)PetscMin((PetscCount)o.batch, ds->n_local - b0);
      PetscLogDouble t0, t1;
      PetscCall(PetscTime(&t0));
      PetscCall(SemgModelPredict(model, P, B, ds->data + (size_t)b0 * ds->n_channels * ds->n_times, theta, nrmse));
      /* Laplace covariance of the latents: the decoder's Jacobian at the encoder's estimate (the theta
         columns are the latents in order, res->n_theta == st.K) */
      for (PetscInt b = 0; b < B; b++)
        PetscCall(SemgLaplaceCovariance(dec, &o.unc, theta + b * st.K, ds->data + (size_t)(b0 + b) * ds->n_channels * ds->n_times, res->theta_cov + (size_t)(b0 + b) * st.K * st.K, NULL, NULL));
      PetscCall(PetscTime(&t1));
      for (PetscInt b = 0; b < B; b++) {
        for (PetscInt j = 0; j < st.K; j++) res->theta_est[(size_t)(b0 + b) * res->n_theta + j] = theta[b * st.K + j];
        res->recon_nrmse[b0 + b] = nrmse[b];
        res->seconds[b0 + b]     = (t1 - t0) / B;
      }
      for (PetscInt i = 0; i < B * st.K; i++) sat[0] += PetscAbsReal(model->h[i]) > ESTIMATE_SATURATED_H;
      /* a saturated IZ or CV latent: the sample is a failure (the depth nuisance may saturate) */
      for (PetscInt b = 0; b < B; b++)
        if (PetscAbsReal(model->h[b * st.K]) > ESTIMATE_SATURATED_H || PetscAbsReal(model->h[b * st.K + 1]) > ESTIMATE_SATURATED_H)
          res->status[b0 + b] = SEMG_STATUS_BOUND;
      sat[1] += (long long)B * st.K;
    }
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sat, 2, MPI_LONG_LONG, MPI_SUM, comm));
    PetscCall(PetscPrintf(comm, "semg estimate: %.2f%% of the latents saturated (|h| > 4)\n", 100.0 * (double)sat[0] / (double)PetscMax(sat[1], 1)));
  }
  PetscCall(SemgResultWrite(comm, o.output, res));
  PetscCall(PetscFree2(theta, nrmse));
  PetscCall(SemgResultDestroy(&res));
  PetscCall(SemgModelDestroy(&model));
  PetscCall(SemgEncoderDestroy(&enc));
  PetscCall(SemgDecoderDestroy(&dec));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscCall(SemgNNStateFree(&st));
  PetscFunctionReturn(PETSC_SUCCESS);
}
