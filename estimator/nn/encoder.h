/* Encoder E_W of the informed autoencoder (spec estimator.md 2.2): an MLP or a 1-D CNN built from the
   layers of layers.h. The encoder owns only shapes, the parameter offset table and activation buffers;
   the parameters P and gradients G live in one contiguous buffer each, owned by the caller (trainer),
   so that one collective reduces all gradients and one write checkpoints all parameters. */
#ifndef SEMG_NN_ENCODER_H
#define SEMG_NN_ENCODER_H

#include <petscsys.h>
#include "estimator/nn/layers.h"

typedef enum { SEMG_ENCODER_MLP = 0, SEMG_ENCODER_CNN = 1 } SemgEncoderType;
PETSC_EXTERN const char *const SemgEncoderTypes[];
typedef enum { SEMG_INIT_TORCH = 0, SEMG_INIT_GLOROT = 1 } SemgInitType;
PETSC_EXTERN const char *const SemgInitTypes[];
typedef enum { SEMG_LAYER_DENSE = 0, SEMG_LAYER_CONV = 1, SEMG_LAYER_POOL = 2 } SemgLayerKind;

#define SEMG_ENCODER_MAX_LAYERS 16

typedef struct {
  SemgLayerKind  kind;
  SemgActivation act;               /* applied after dense/conv (identity for pool) */
  PetscInt       cin, cout;         /* dense: nin, nout; conv: channels; pool: channels (cin = cout) */
  PetscInt       T, k;              /* conv/pool: input length, kernel */
  PetscInt       in_size, out_size; /* per sample */
  PetscCount     w_off, b_off;      /* offsets into P (dense/conv) */
} SemgLayer;

typedef struct {
  char       name[32];
  PetscCount offset, size;
  PetscInt   fan_in, fan_out;
  PetscBool  is_bias, is_output;
} SemgTensor;

typedef struct {
  SemgEncoderType type;
  PetscInt        in_channels, in_times, n_out;
  PetscInt        nlayers;
  SemgLayer       layer[SEMG_ENCODER_MAX_LAYERS];
  PetscInt        ntensors;
  SemgTensor      tensor[2 * SEMG_ENCODER_MAX_LAYERS];
  PetscCount      n_params;
  /* activation buffers for up to bmax samples: z = pre-activation, y = output, dz/dy their gradients */
  PetscInt         bmax;
  PetscReal       *z[SEMG_ENCODER_MAX_LAYERS], *y[SEMG_ENCODER_MAX_LAYERS];
  PetscReal       *dz[SEMG_ENCODER_MAX_LAYERS], *dy[SEMG_ENCODER_MAX_LAYERS];
  const PetscReal *x; /* input of the last forward (not owned) */
  PetscInt         B;
} SemgEncoder;

/* widths: MLP = hidden widths; CNN = filters of each conv block (conv k, act, avgpool 2), then the dense
   hidden widths given in dense_widths. The last dense layer (n_out, identity) is always added. */
PETSC_EXTERN PetscErrorCode SemgEncoderCreate(SemgEncoderType type, PetscInt in_channels, PetscInt in_times, PetscInt n_out, PetscInt nconv, const PetscInt conv_filters[], PetscInt kernel, PetscInt ndense, const PetscInt dense_widths[], SemgActivation act, PetscInt bmax, SemgEncoder **enc);
PETSC_EXTERN PetscErrorCode SemgEncoderDestroy(SemgEncoder **enc);
PETSC_EXTERN PetscErrorCode SemgEncoderView(const SemgEncoder *enc, PetscViewer viewer);
/* Deterministic initialisation from SemgRng(seed, tensor index, SEMG_STREAM_INIT); output bias 0. */
PETSC_EXTERN PetscErrorCode SemgEncoderInit(const SemgEncoder *enc, SemgInitType init, uint64_t seed, PetscReal *P);
/* h[b][n_out] from x[b][in_channels][in_times], B <= bmax; keeps activations for the backward pass. */
PETSC_EXTERN PetscErrorCode SemgEncoderForward(SemgEncoder *enc, const PetscReal *P, PetscInt B, const PetscReal *x, PetscReal *h);
/* G += dL/dP given dh = dL/dh of the last forward. */
PETSC_EXTERN PetscErrorCode SemgEncoderBackward(SemgEncoder *enc, const PetscReal *P, const PetscReal *dh, PetscReal *G);

#endif
