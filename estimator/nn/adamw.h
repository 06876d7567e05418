/* AdamW in PyTorch's form (spec estimator.md 2.6) and the Keras/TensorFlow variant. */
#ifndef SEMG_NN_ADAMW_H
#define SEMG_NN_ADAMW_H

#include <petscsys.h>

typedef enum { SEMG_ADAMW_TORCH = 0, SEMG_ADAMW_KERAS = 1 } SemgAdamWVariant;
PETSC_EXTERN const char *const SemgAdamWVariants[];

typedef struct {
  SemgAdamWVariant variant;
  PetscReal        lr, beta1, beta2, eps, weight_decay;
  PetscInt64       t; /* steps taken; the first update uses t = 1 */
} SemgAdamW;

/* Defaults of torch.optim.AdamW (variant torch) or keras.optimizers.AdamW (variant keras). */
PETSC_EXTERN PetscErrorCode SemgAdamWDefaults(SemgAdamWVariant variant, SemgAdamW *opt);
/* One update of n elements with learning rate lr (schedule applied by the caller). decay[i] == 0
   excludes element i from weight decay (decay may be NULL: decay everything, PyTorch's default). */
PETSC_EXTERN PetscErrorCode SemgAdamWStep(SemgAdamW *opt, PetscReal lr, PetscCount n, PetscReal *w, const PetscReal *g, PetscReal *m, PetscReal *q, const char *decay);

#endif
