/* Layers of the informed autoencoder's encoder (spec estimator.md 2.2), llm.c style: every layer is a
   pair of functions on flat row-major buffers with explicit shapes. Forward overwrites its output;
   backward ADDS into the gradient buffers (parameters and input), which the caller zeroes once per step.
   Batches are sample-major: x[b][...]. */
#ifndef SEMG_NN_LAYERS_H
#define SEMG_NN_LAYERS_H

#include <petscsys.h>

typedef enum {
  SEMG_ACT_IDENTITY = 0,
  SEMG_ACT_RELU     = 1,
  SEMG_ACT_LEAKY    = 2, /* leaky ReLU, slope 0.01 */
  SEMG_ACT_TANH     = 3,
  SEMG_ACT_SIGMOID  = 4,
  SEMG_ACT_SOFTPLUS = 5
} SemgActivation;
PETSC_EXTERN const char *const SemgActivations[];

/* Dense: out[b][o] = sum_i W[o][i] in[b][i] + bias[o] (one BLAS dgemm per call). */
PETSC_EXTERN PetscErrorCode SemgDenseForward(PetscInt B, PetscInt nin, PetscInt nout, const PetscReal *in, const PetscReal *W, const PetscReal *bias, PetscReal *out);
/* dW += dout^T in, dbias += sum_b dout, din += dout W (din may be NULL: first layer). */
PETSC_EXTERN PetscErrorCode SemgDenseBackward(PetscInt B, PetscInt nin, PetscInt nout, const PetscReal *in, const PetscReal *W, const PetscReal *dout, PetscReal *din, PetscReal *dW, PetscReal *dbias);

/* 1-D convolution over time with "same" zero padding (odd kernel k, pad k/2): in[b][cin][T],
   W[cout][cin][k], out[b][cout][T]; out[co][t] = bias[co] + sum_{ci,j} W[co][ci][j] in[ci][t + j - k/2]
   (cross-correlation, as in PyTorch's Conv1d). */
PETSC_EXTERN PetscErrorCode SemgConv1dForward(PetscInt B, PetscInt cin, PetscInt cout, PetscInt T, PetscInt k, const PetscReal *in, const PetscReal *W, const PetscReal *bias, PetscReal *out);
PETSC_EXTERN PetscErrorCode SemgConv1dBackward(PetscInt B, PetscInt cin, PetscInt cout, PetscInt T, PetscInt k, const PetscReal *in, const PetscReal *W, const PetscReal *dout, PetscReal *din, PetscReal *dW, PetscReal *dbias);

/* Average pooling by 2 over time: in[r][T] -> out[r][T/2] (a trailing odd sample is dropped, as in
   PyTorch's AvgPool1d(2)); rows r = B*channels. */
PETSC_EXTERN PetscErrorCode SemgAvgPool2Forward(PetscInt rows, PetscInt T, const PetscReal *in, PetscReal *out);
PETSC_EXTERN PetscErrorCode SemgAvgPool2Backward(PetscInt rows, PetscInt T, const PetscReal *dout, PetscReal *din);

/* Element-wise activation: y = f(z). Backward: dz += f'(z) dy (uses z and y, whichever is cheaper). */
PETSC_EXTERN PetscErrorCode SemgActivationForward(SemgActivation act, PetscCount n, const PetscReal *z, PetscReal *y);
PETSC_EXTERN PetscErrorCode SemgActivationBackward(SemgActivation act, PetscCount n, const PetscReal *z, const PetscReal *y, const PetscReal *dy, PetscReal *dz);

#endif
