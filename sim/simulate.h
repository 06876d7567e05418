/* semg simulate: datasets of single-motor-unit samples with their ground truth.
   A sample's parameters are drawn from ranges with SemgRng keyed by (seed, global sample index), so a
   dataset is byte-identical whatever the number of ranks. */
#ifndef SEMG_SIMULATE_H
#define SEMG_SIMULATE_H

#include <petscsys.h>
#include "core/semg_dataset.h"
#include "sim/ccs.h"
#include "sim/fibres.h"
#include "sim/electrodes.h"
#include "sim/vc/tissue.h"
#include "sim/vc/leadfield.h"
#include "sim/noise_colour.h"

/* Ground-truth columns written for every sample, in this order. */
typedef enum {
  SEMG_THETA_IZ = 0, /* x of the MU's IZ centre (m) */
  SEMG_THETA_CV,     /* mean conduction velocity (m/s) */
  SEMG_THETA_DEPTH,  /* depth of the MU axis below the electrode plane (m) */
  SEMG_THETA_NFIBRES,
  SEMG_THETA_RADIUS,    /* territory radius (m) */
  SEMG_THETA_IZ_SPREAD, /* W_I (m) */
  SEMG_THETA_SNR,       /* dB (inf = no noise) */
  SEMG_THETA_SHIFT_X,   /* array shift along the fibres (m) */
  SEMG_THETA_SHIFT_Y,   /* array shift across (m) */
  SEMG_THETA_ROTATION,  /* array rotation in the skin plane (rad) */
  /* generator parameters of the mismatch axes (appended; earlier columns keep their index) */
  SEMG_THETA_IED_SCALE,          /* actual / nominal inter-electrode distance (1) */
  SEMG_THETA_NOISE_COLOUR,       /* SemgNoiseColour code: 0 white, 1 pink, 2 line, 3 wander */
  SEMG_THETA_SIR,                /* signal-to-interference ratio (dB; NaN = no interference) */
  SEMG_THETA_INTERFERENCE_UNITS, /* interfering motor units added (0 = none) */
  SEMG_THETA_LF_REALISATION,     /* -model vc: index of the lead field used (sample mod R); NaN otherwise */
  /* domain randomisation (sim/model_mix.h): the sample's forward model and generator settings */
  SEMG_THETA_FORWARD_MODEL,   /* SemgForwardKind code: 0 ccs, 1 ccs_cc, 2 anisotropic, 3 halfspace, 4 layered, 5 vc, 6 infinite */
  SEMG_THETA_FAT_THICKNESS,   /* layered: fat thickness (m); NaN otherwise */
  SEMG_THETA_ANISOTROPY,      /* anisotropic: sigma_long / sigma_trans of the CCS medium (1); NaN otherwise */
  SEMG_THETA_CONTACT_GAIN_SD, /* log-normal contact-gain SD (1) */
  SEMG_THETA_MU_CV_SD,        /* SD of the fibre CVs about the MU's mean (m/s) */
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

/* Kind of forward model of a sample (-model, or drawn from -model_mix: the first five). */
typedef enum {
  SEMG_FWD_CCS,
  SEMG_FWD_CCS_CC,
  SEMG_FWD_ANISOTROPIC,
  SEMG_FWD_HALFSPACE,
  SEMG_FWD_LAYERED,
  SEMG_FWD_VC,
  SEMG_FWD_INFINITE
} SemgForwardKind;
#define SEMG_FWD_MIXABLE 5
PETSC_EXTERN const char *const SemgForwardKinds[];

typedef struct {
  PetscInt             n; /* samples */
  PetscInt             seed;
  PetscReal            fs;
  PetscInt             n_times;
  SemgMontage          montage;
  SemgArraySpec        array;
  SemgCCSParams        ccs;
  SemgMotorUnitSpec    mu; /* base MU; ranges below override per sample */
  SemgRange            iz, cv, depth, fibres, radius, iz_spread, snr, shift_x, shift_y, rotation_deg;
  SemgRange            ied_scale;      /* actual IED = nominal x scale, about the array centre */
  SemgNoiseSpec        noise;          /* colour of the noise added at the sample's SNR */
  PetscBool            interference;   /* -interference_sir_range given */
  SemgRange            sir;            /* dB, per sample */
  SemgRange            interference_y; /* transverse position of the interfering MUs' axes (m) */
  PetscInt             interference_units;
  PetscReal            contact_gain_sd; /* log-normal per-electrode gain, applied before the montage */
  PetscBool            fixed_template;  /* every sample the same fibre table, shifted to its IZ */
  PetscInt             template_seed;
  SemgSimulateModel    model;
  char                 leadfield[4096]; /* -model vc: files written by semg leadfield, comma-separated (realisations) */
  PetscInt             n_leadfields;    /* -model vc: files in that list (conductor realisations R), else 0 */
  PetscBool            ccs_sources;     /* lead-field models: CCS point sources instead of the charge-conserving line source */
  SemgSimulateVCSource vc_source;
  PetscReal            sigma_long, sigma_trans; /* halfspace / infinite: muscle conductivity (S/m) */
  SemgTissue           layers;                  /* layered: fat and skin (conductivities, thicknesses); muscle from sigma_long/trans */
  /* domain randomisation, per sample (sim/model_mix.c; n_* = 0 / *_set false: the fixed settings above) */
  PetscInt        n_model_mix;
  SemgForwardKind model_mix[SEMG_FWD_MIXABLE];
  SemgRange       fat_thickness, anisotropy, contact_gain_sd_range, mu_cv_sd;
  PetscBool       fat_thickness_set, anisotropy_set, contact_gain_sd_set, mu_cv_sd_set;
  PetscReal       fat_thickness_step; /* layered samples: thickness nodes at most this far apart (m) */
  PetscInt        n_noise_mix;
  SemgNoiseColour noise_mix[4];
  PetscReal       interference_fraction; /* share of samples with interference */
  PetscBool       interference_fraction_set;
  char            output[PETSC_MAX_PATH_LEN];
} SemgSimulateOptions;

/* Per-sample values drawn from the ranges. */
typedef struct {
  PetscReal theta[SEMG_THETA_COUNT];
} SemgSampleParams;

/* Option "name lo[,hi]" into r (unchanged when absent); set (may be NULL) tells whether it was given. */
PETSC_EXTERN PetscErrorCode SemgRangeOption(PetscOptionItems *PetscOptionsObject, const char *name, const char *text, SemgRange *r, PetscBool *set);
PETSC_EXTERN PetscErrorCode SemgSimulateOptionsSetFromOptions(MPI_Comm comm, SemgSimulateOptions *o);
PETSC_EXTERN PetscErrorCode SemgSimulateDrawParams(const SemgSimulateOptions *o, PetscInt sample, SemgSampleParams *p);
/* Fibres of one sample (n_fibres from p; template or own MU); *fibres PetscMalloc'ed. */
PETSC_EXTERN PetscErrorCode SemgSimulateFibres(const SemgSimulateOptions *o, PetscInt sample, const SemgSampleParams *p, PetscInt *nf, SemgFibre **fibres);
/* Electrode positions of one sample after misalignment (IED scale and rotation about the array centre, shift). */
PETSC_EXTERN PetscErrorCode SemgSimulateElectrodes(const SemgSimulateOptions *o, const SemgSampleParams *p, PetscInt ne, const PetscReal *nominal, PetscReal *xyz);

/* Monopolar potentials (ne x nt) of fibres f with the sample's forward model; lf: the sample's stored or
   tabulated lead field (NULL for ccs, halfspace, infinite). */
PETSC_EXTERN PetscErrorCode SemgSimulateForward(const SemgSimulateOptions *o, const SemgSampleParams *p, SemgLeadfield lf, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *xyz, PetscInt nt, PetscReal *mono);
/* -model vc: load the lead field(s) of o->leadfield (o->n_leadfields files); the electrodes (*xyz, ne x 3)
   and their columns (*column) are the first file's nominal array. Both PetscMalloc'ed. */
PETSC_EXTERN PetscErrorCode SemgSimulateLeadfieldElectrodes(MPI_Comm comm, const SemgSimulateOptions *o, SemgLeadfield **lfs, PetscInt *ne, PetscReal **xyz, PetscInt **column);
/* -model layered: the run's one tabulated lead field for the tissue o->layers, covering every fibre the
   ranges of o allow (SemgSimulateLayeredLeadfield); its size and build time printed as "who: ...". */
PETSC_EXTERN PetscErrorCode SemgSimulateLayeredTable(MPI_Comm comm, const char *who, const SemgSimulateOptions *o, PetscInt ne, const PetscReal *nominal, SemgLeadfield *lf);
/* Appends the run-level settings of the mismatch generators (noise colour, interference, realisations)
   as YAML-like lines to buf (for /provenance/model_config). */
PETSC_EXTERN PetscErrorCode SemgGeneratorConfigText(const SemgSimulateOptions *o, char *buf, size_t size);
/* The sample's log-normal contact gains (SD: its contact_gain_sd column) applied to monopolar signals ne x nt. */
PETSC_EXTERN PetscErrorCode SemgSimulateContactGains(const SemgSimulateOptions *o, const SemgSampleParams *p, PetscInt sample, PetscInt ne, PetscInt nt, PetscReal *mono);

#endif
