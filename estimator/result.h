/* Estimator result files: the one layout every estimator (autoencoder, baselines, physics fit) writes,
   so analysis treats them alike (docs/data-format.md, "Result file").
   est.h5:  /estimates/theta_est [n, K], /estimates/theta_true [n, K] (NaN when unknown),
            /estimates/recon_nrmse [n] (NaN when the method has no reconstruction),
            /estimates/seconds [n] (time spent per sample), optional (schema 2) /estimates/theta_cov [n, K, K]
            and /estimates/theta_sd [n, K] (per-sample covariance and standard deviation of the estimates,
            NaN where the method gives none), (schema 3) /estimates/status [n] (int, SemgResultStatus),
            attrs method, dataset path, theta_names,
            theta_units, provenance; /metrics/ attrs mae_<name>, rmse_<name>, bias_<name>, median_ae_<name>.
   est.csv: sample,iz_est_m,cv_est_mps,iz_true_m,cv_true_mps,status (truth columns empty when unknown). */
#ifndef SEMG_RESULT_H
#define SEMG_RESULT_H

#include <petscsys.h>
#include "core/semg_dataset.h"

/* schema_version attribute of the result files (docs/data-format.md) */
#define SEMG_RESULT_SCHEMA_VERSION 3 /* 2: optional theta_cov / theta_sd; 3: status; older files still read */

/* Per-sample status (/estimates/status): whether the sample's estimate counts as a failure in a study's
   failure share (spec experiments.md 2), and of which kind. */
typedef enum {
  SEMG_STATUS_OK      = 0, /* an estimate */
  SEMG_STATUS_NAN     = 1, /* no estimate: IZ and CV both NaN (set by SemgResultWrite, derived for schema 1-2 files) */
  SEMG_STATUS_BOUND   = 2, /* the IZ or CV latent at (within a tolerance of) its bound: saturated */
  SEMG_STATUS_NONCONV = 3, /* the fit stopped without converging (TAO diverged or iteration cap) */
  SEMG_STATUS_N
} SemgResultStatus;

typedef struct {
  char       method[64];
  char       dataset[PETSC_MAX_PATH_LEN];
  PetscCount n_examples; /* global */
  PetscInt   n_theta;    /* K */
  char (*theta_names)[SEMG_NAME_LEN];
  char (*theta_units)[SEMG_NAME_LEN];
  PetscCount start, n_local; /* this rank's block (same partition as the dataset) */
  PetscReal *theta_est;      /* n_local x K */
  PetscReal *theta_true;     /* n_local x K, NaN when unknown */
  PetscReal *recon_nrmse;    /* n_local */
  PetscReal *seconds;        /* n_local */
  PetscReal *theta_cov;      /* n_local x K x K covariance of the estimates (NaN where unknown); NULL = none */
  int       *status;         /* n_local SemgResultStatus, SEMG_STATUS_OK from SemgResultCreate */
} SemgResult;

/* Result for the examples of ds, with theta names "iz" and "cv" first and any extra names after. */
PETSC_EXTERN PetscErrorCode SemgResultCreate(const SemgDataset *ds, const char method[], const char dataset_path[], PetscInt n_extra, const char *const extra_names[], const char *const extra_units[], SemgResult **res);
/* Writes .h5 or .csv depending on the path's ending (collective). Prints MAE/RMSE/bias on rank 0. A sample
   whose status is OK but whose IZ and CV are both NaN is written as SEMG_STATUS_NAN. */
PETSC_EXTERN PetscErrorCode SemgResultWrite(MPI_Comm comm, const char path[], const SemgResult *res);
/* Schema 1 and 2 files (no status): NaN IZ and CV -> SEMG_STATUS_NAN, else SEMG_STATUS_OK. */
PETSC_EXTERN PetscErrorCode SemgResultRead(MPI_Comm comm, const char path[], SemgResult **res);
/* Allocates res->theta_cov (all NaN) so the estimator can fill the covariance of its estimates. */
PETSC_EXTERN PetscErrorCode SemgResultAddCovariance(SemgResult *res);
PETSC_EXTERN PetscErrorCode SemgResultDestroy(SemgResult **res);

#endif
