#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/adamw.h"

const char *const SemgAdamWVariants[] = {"torch", "keras", "SemgAdamWVariant", "SEMG_ADAMW_", NULL};

PetscErrorCode SemgAdamWDefaults(SemgAdamWVariant variant, SemgAdamW *opt)
{
  PetscFunctionBeginUser;
  opt->variant      = variant;
  opt->lr           = 1e-3;
  opt->beta1        = 0.9;
  opt->beta2        = 0.999;
  opt->eps          = variant == SEMG_ADAMW_TORCH ? 1e-8 : 1e-7;
  opt->weight_decay = variant == SEMG_ADAMW_TORCH ? 1e-2 : 4e-3;
  opt->t            = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgAdamWStep(SemgAdamW *opt, PetscReal lr, PetscCount n, PetscReal *w, const PetscReal *g, PetscReal *m, PetscReal *q, const char *decay)
{
  PetscReal b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps, bc1, bc2, decay_factor;

  PetscFunctionBeginUser;
  opt->t++;
  /* pow() every step, as torch does (no running products that drift). */
  bc1          = 1.0 - pow(b1, (double)opt->t);
  bc2          = 1.0 - pow(b2, (double)opt->t);
  decay_factor = 1.0 - lr * opt->weight_decay;
  if (opt->variant == SEMG_ADAMW_TORCH) {
    /* torch: w *= 1 - lr wd; denom = sqrt(q)/sqrt(bc2) + eps; w -= (lr/bc1) m/denom */
    PetscReal step_size = lr / bc1, sqrt_bc2 = sqrt(bc2);
    for (PetscCount i = 0; i < n; i++) {
      if (!decay || decay[i]) w[i] *= decay_factor;
      m[i] = b1 * m[i] + (1.0 - b1) * g[i];
      q[i] = b2 * q[i] + (1.0 - b2) * g[i] * g[i];
      w[i] -= step_size * m[i] / (sqrt(q[i]) / sqrt_bc2 + eps);
    }
  } else {
    /* keras: w -= lr wd w; w -= lr sqrt(bc2)/bc1 m/(sqrt(q) + eps) (eps before bias correction) */
    PetscReal alpha = lr * sqrt(bc2) / bc1;
    for (PetscCount i = 0; i < n; i++) {
      if (!decay || decay[i]) w[i] -= lr * opt->weight_decay * w[i];
      m[i] = b1 * m[i] + (1.0 - b1) * g[i];
      q[i] = b2 * q[i] + (1.0 - b2) * g[i] * g[i];
      w[i] -= alpha * m[i] / (sqrt(q[i]) + eps);
    }
  }
  PetscCall(PetscLogFlops(12.0 * (PetscLogDouble)n));
  PetscFunctionReturn(PETSC_SUCCESS);
}
