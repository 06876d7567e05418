/* semg simulate: datasets of single-motor-unit samples with their ground truth.
   A sample's parameters are drawn from ranges with SemgRng keyed by (seed, global sample index), so a
   dataset is byte-identical whatever the number of ranks. */
#ifndef SEMG_SIMULATE_H
#define SEMG_SIMULATE_H

#include <petscsys.h>
#include "sim/ccs.h"
#include "sim/fibres.h"
#include "sim/electrodes.h"
#include "sim/vc/tissue.h"

/* Ground-truth columns written for every sample, in this order. */
typedef enum {
  SEMG_THETA_IZ = 0,   /* x of the MU's IZ centre (m) */
  SEMG_THETA_CV,       /* mean conduction velocity (m/s) */
  SEMG_THETA_DEPTH,    /* depth of the MU axis below the electrode plane (m) */
  SEMG_THETA_NFIBRES,
  SEMG_THETA_RADIUS,   /* territory radius (m) */
  SEMG_THETA_IZ_SPREAD,/* W_I (m) */
  SEMG_THETA_SNR,      /* dB (inf = no noise) */
  SEMG_THETA_SHIFT_X,  /* array shift along the fibres (m) */
  SEMG_THETA_SHIFT_Y,  /* array shift across (m) */
  SEMG_THETA_ROTATION, /* array rotation in the skin plane (rad) */
  SEMG_THETA_COUNT
} SemgTheta;

PETSC_EXTERN const char *const SemgThetaNames[];
PETSC_EXTERN const char *const SemgThetaUnits[];
/* -model: ccs, or a lead-field model: vc (stored grid lead field), halfspace, infinite, layered (analytic) */
typedef enum { SEMG_SIM_MODEL_CCS, SEMG_SIM_MODEL_VC, SEMG_SIM_MODEL_HALFSPACE, SEMG_SIM_MODEL_INFINITE, SEMG_SIM_MODEL_LAYERED } SemgSimulateModel;
PETSC_EXTERN const char *const SemgSimulateModels[];
/* -vc_source (-model vc): per-fibre line sources, or one homogenised MU compartment on the lead field's cells */
typedef enum { SEMG_SIM_VC_SOURCE_LINE, SEMG_SIM_VC_SOURCE_HOMOGENISED } SemgSimulateVCSource;
PETSC_EXTERN const char *const SemgSimulateVCSources[];

typedef struct {
  PetscReal lo, hi;
} SemgRange;

typedef struct {
  PetscInt          n;          /* samples */
  PetscInt          seed;
  PetscReal         fs;
  PetscInt          n_times;
  SemgMontage       montage;
  SemgArraySpec     array;
  SemgCCSParams     ccs;
  SemgMotorUnitSpec mu;         /* base MU; ranges below override per sample */
  SemgRange         iz, cv, depth, fibres, radius, iz_spread, snr, shift_x, shift_y, rotation_deg;
  PetscReal         contact_gain_sd; /* log-normal per-electrode gain, applied before the montage */
  PetscBool         fixed_template;  /* every sample the same fibre table, shifted to its IZ */
  PetscInt          template_seed;
  SemgSimulateModel model;
  char              leadfield[PETSC_MAX_PATH_LEN]; /* -model vc: file written by semg leadfield */
  PetscBool         ccs_sources;     /* lead-field models: CCS point sources instead of the charge-conserving line source */
  SemgSimulateVCSource vc_source;
  PetscReal         sigma_long, sigma_trans; /* halfspace / infinite: muscle conductivity (S/m) */
  SemgTissue        layers;          /* layered: fat and skin (conductivities, thicknesses); muscle from sigma_long/trans */
  char              output[PETSC_MAX_PATH_LEN];
} SemgSimulateOptions;

/* Per-sample values drawn from the ranges. */
typedef struct {
  PetscReal theta[SEMG_THETA_COUNT];
} SemgSampleParams;

PETSC_EXTERN PetscErrorCode SemgSimulateOptionsSetFromOptions(MPI_Comm comm, SemgSimulateOptions *o);
PETSC_EXTERN PetscErrorCode SemgSimulateDrawParams(const SemgSimulateOptions *o, PetscInt sample, SemgSampleParams *p);
/* Fibres of one sample (n_fibres from p; template or own MU); *fibres PetscMalloc'ed. */
PETSC_EXTERN PetscErrorCode SemgSimulateFibres(const SemgSimulateOptions *o, PetscInt sample, const SemgSampleParams *p, PetscInt *nf, SemgFibre **fibres);
/* Electrode positions of one sample after misalignment (shift, rotation about the array centre). */
PETSC_EXTERN PetscErrorCode SemgSimulateElectrodes(const SemgSimulateOptions *o, const SemgSampleParams *p, PetscInt ne, const PetscReal *nominal, PetscReal *xyz);

#endif
