/* Calibrated uncertainty of a decoder fit (Gauss-Newton / Laplace, docs/estimator.md "Uncertainty").
   Model x = g y(theta) + e with the decoder y (estimator/nn/decoder.h) and the gain g as a nuisance:
   at the estimate theta, with g* = <x,y>/<y,y> and the residual r = x - g* y, the covariance of theta is the
   theta block of s^2 (A^T A)^-1 with A = [g* dy/dtheta, y] (the gain marginalised), which equals
   s^2 (B^T B)^-1 with B = g* (I - y y^T/<y,y>) dy/dtheta, the Jacobian of the gain-projected residual.
   s^2 = ||r||^2 / (m - p), m = channels x samples, p = K + 1 (the latents and the gain).
   Residuals correlated in time or across neighbouring channels (band-limited noise, model error) make
   this too narrow; with lags L > 0 the white-noise covariance is replaced by the sandwich
   H^-1 B^T C B H^-1, H = B^T B, C = the stationary residual covariance estimated from r itself
   (autocovariance over time lags |k| <= L and channel offsets |q| <= Q, Bartlett-tapered).
   Model error that aliases into theta leaves no trace in r; -unc_floor adds its variance, calibrated on a
   separate set with known truth, to the diagonal: Sigma + diag(floor^2). */
#ifndef SEMG_NN_LAPLACE_H
#define SEMG_NN_LAPLACE_H

#include "estimator/nn/decoder.h"

#define SEMG_LAPLACE_FLOOR_MAX 3

typedef struct {
  PetscInt  lags;                          /* L: time lags of the residual autocovariance (0 = white residuals) */
  PetscInt  ch_lags;                       /* Q: channel offsets (neighbouring channels of the dataset's channel order) */
  PetscReal floor[SEMG_LAPLACE_FLOOR_MAX]; /* model-error SD per latent (theta units), 0 = none */
} SemgLaplaceOptions;

PETSC_EXTERN PetscErrorCode SemgLaplaceOptionsDefault(SemgLaplaceOptions *o);
/* -unc_lags L, -unc_channel_lags Q, -unc_floor iz,cv[,depth] (documented in -help). */
PETSC_EXTERN PetscErrorCode SemgLaplaceOptionsSetFromOptions(MPI_Comm comm, SemgLaplaceOptions *o);
/* The gain-projected residual r = x - g* y and its Jacobian dr/dtheta = -B at the estimate (Kaufman's
   variable-projection Jacobian; exact where r = 0): B (K x nc*nt) = g* (I - y y^T/<y,y>) dy/dtheta_j.
   gain = g*; PETSC_FALSE (and nothing written) when g* <= 0 or y = 0. */
PETSC_EXTERN PetscErrorCode SemgLaplaceJacobian(SemgDecoder *dec, const PetscReal *theta, const PetscReal *x, PetscReal *B, PetscReal *r, PetscReal *gain, PetscBool *ok);
/* cov (K x K, row-major) of the decoder's latents at theta for the sample x (nc*nt); NaN when the fit has
   no signal (g* <= 0) or the Gauss-Newton matrix is singular. s2 (may be NULL) = ||r||^2/(m - p);
   gain (may be NULL) = g* (0 without signal), so a fit need not decode its optimum once more. */
PETSC_EXTERN PetscErrorCode SemgLaplaceCovariance(SemgDecoder *dec, const SemgLaplaceOptions *o, const PetscReal *theta, const PetscReal *x, PetscReal *cov, PetscReal *s2, PetscReal *gain);

#endif
