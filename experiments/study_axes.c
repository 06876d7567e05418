/* The mismatch axes (spec experiments.md section 3) and the estimators (section 4) a study can name.
   A level's simulate options are appended after the reference options, so they override them. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/semg_error.h"
#include "experiments/study.h"

static const char *const conductor_choices[] = {"ccs_cc", "halfspace", "layered", "grid", NULL};
static const char *const colour_choices[]    = {"pink", "line", "wander", "pink_5db", "line_5db", NULL};
static const char *const template_choices[]  = {"decoder_own", "other_fixed", NULL};
static const char *const realistic_choices[] = {"layered4_rot5_gain10_20db", "layered6_off5_gain10_line10db", "grid_fat4_inh02_rot5_gain10_20db", NULL};

/* Levels are listed from mild to severe; the reference (level 0) is implicit. */
static const SemgStudyAxis axes[] = {
  {"conductor",        "-",            "forward model of the recording (reference: CCS infinite isotropic)",                                                    PETSC_TRUE,  conductor_choices, NAN, 0,    0,    "ccs_cc,halfspace,layered,grid",                           NULL                            },
  {"fat_thickness",    "mm",           "3-layer skin/fat/muscle, fat thickness (reference: CCS, no layers)",                                                    PETSC_FALSE, NULL,              0,   0.1,  30,   "1,2,4,6,8",                                               NULL                            },
  {"inhomogeneity",    "log-sigma SD", "grid conductor, log-normal conductivity field (corr. 5 mm), several realisations",                                      PETSC_FALSE, NULL,              0,   0.01, 2,    "0.1,0.2,0.3,0.5",                                         "-tissue_corr 0.005,0.005,0.005"},
  {"anisotropy",       "ratio",        "CCS in an anisotropic medium, sigma_long/sigma_trans (reference: isotropic)",                                           PETSC_FALSE, NULL,              1,   1.01, 50,   "2,3,5,10",                                                NULL                            },
  {"offset",           "mm",           "array shifted across the fibres",                                                                                       PETSC_FALSE, NULL,              0,   0.01, 50,   "2,5,10,15",                                               NULL                            },
  {"rotation",         "deg",          "array rotated in the skin plane",                                                                                       PETSC_FALSE, NULL,              0,   -90,  90,   "2,5,10,15",                                               NULL                            },
  {"ied_error",        "%",            "actual inter-electrode distance off by this much (estimators assume the nominal 5 mm)",                                 PETSC_FALSE, NULL,              0,   -50,  50,   "2,-2,5,-5,10,-10",                                        NULL                            },
  {"gain_spread",      "%",            "log-normal contact-gain spread per electrode",                                                                          PETSC_FALSE, NULL,              0,   0.1,  100,  "5,10,20,30",                                              NULL                            },
  {"snr",              "dB",           "white-noise SNR (reference 20 dB)",                                                                                     PETSC_FALSE, NULL,              20,  -20,  100,  "30,10,5,0",                                               NULL                            },
  {"noise_colour",     "-",            "noise colour at 20 dB, then at 5 dB (reference white, 20 dB)",                                                          PETSC_TRUE,  colour_choices,    NAN, 0,    0,    "pink,line,wander,pink_5db,line_5db",                      NULL                            },
  {"interference",     "dB",           "other active motor units at this signal-to-interference ratio (reference: none)",                                       PETSC_FALSE, NULL,              NAN, -20,  100,  "20,10,5,0",                                               NULL                            },
  {"mu_depth",         "mm",           "MU axis depth beyond the training range 15-25 mm",                                                                      PETSC_FALSE, NULL,              20,  1,    60,   "28,32,36,40",                                             NULL                            },
  {"mu_radius",        "mm",           "MU territory radius beyond the training range 2-6 mm",                                                                  PETSC_FALSE, NULL,              4,   0.1,  30,   "7,8,10,12",                                               NULL                            },
  {"mu_iz_spread",     "mm",           "end-plate spread W_I beyond the training range 2-10 mm",                                                                PETSC_FALSE, NULL,              6,   0.1,  60,   "12,15,20,25",                                             NULL                            },
  {"mu_fibres",        "fibres",       "fibres per MU beyond the training range 50-300",                                                                        PETSC_FALSE, NULL,              175, 1,    5000, "400,600,800,1000",                                        NULL                            },
  {"mu_cv_sd",         "m/s",          "CV spread between the fibres of a MU (training 0.1 m/s)",                                                               PETSC_FALSE, NULL,              0.1, 0,    2,    "0.2,0.3,0.5,0.7",                                         NULL                            },
  {"mu_fibre_length",  "mm",           "IZ-to-tendon distance of the fibres on both sides (training 50 mm): the fibre ends move under the array",               PETSC_FALSE, NULL,              50,  10,   200,  "40,35,30,25",                                             NULL                            },
  {"mu_tendon_spread", "mm",           "tendon-end spread W_T of the fibre ends (training 5 mm)",                                                               PETSC_FALSE, NULL,              5,   0,    80,   "10,20,30,40",                                             NULL                            },
  {"n_train",          "samples",      "training-set size (matched studies; the test sets stay the reference's)",                                               PETSC_FALSE, NULL,              NAN, 2,    1e7,  "500,2000",                                                NULL                            },
  {"window",           "samples",      "input window length at 5 kHz (reference 200 samples = 40 ms)",                                                          PETSC_FALSE, NULL,              200, 16,   4000, "100,400",                                                 NULL                            },
  {"template",         "-",            "MU resampling: every sample the decoder's own template, or one other fixed template (reference: random MU per sample)", PETSC_TRUE,  template_choices,  NAN, 0,    0,    "decoder_own,other_fixed",                                 NULL                            },
  {"realistic",        "-",            "named combined conditions (spec section 2)",                                                                            PETSC_TRUE,  realistic_choices, NAN, 0,    0,    "layered4_rot5_gain10_20db,layered6_off5_gain10_line10db", NULL                            },
};

/* The classical methods' options come from the tuning set of docs/baselines.md. The issue-20 estimators
   (docs/studies.md "Robust estimators"): autoencoder_dr is the study's autoencoder trained on the
   domain-randomised set, autoencoder_dr_sup the same with a supervised term on IZ and CV (the DR set's
   truth; an unsupervised CCS decoder fits mismatched data with biased latents); autoencoder_layered and
   physfit_layered decode through a table of the planar layered model (the assumed tissue:
   study.layered_fat, the generator's skin and conductivities); hybrid is the physics fit started from
   the autoencoder's estimate. */
#define LAYERED_TABLE "-dec_table -dec_model layered -dec_table_cache cache"
/* clang-format 14 crashes aligning designated initialisers of different lengths: laid out by hand */
/* clang-format off */
static const SemgStudyEstimator estimators[] = {
  {.name = "autoencoder", .default_options = "", .trained = PETSC_TRUE, .tag = ""},
  {.name = "physfit",     .default_options = ""},
  {.name = "iz_minamp",   .default_options = "-window 0.003,0.04"},
  {.name = "iz_phase",    .default_options = "-window 0.003,0.04"},
  {.name = "vfit",        .default_options = "-vfit_latency xcorr -window 0.003,0.04"},
  {.name = "cv_xcorr",    .default_options = "-window 0.002,0.012 -cv_channels 5 -cv_exclude 1"},
  {.name = "cv_spectral", .default_options = "-window 0.002,0.012 -cv_channels 5 -cv_exclude 1"},
  {.name = "cv_mle",      .default_options = "-window 0.002,0.012 -cv_channels 5 -cv_exclude 1"},
  {.name = "autoencoder_dr", .default_options = "", .trained = PETSC_TRUE, .trainset = SEMG_STUDY_TRAIN_DR, .tag = "_dr"},
  {.name = "autoencoder_dr_sup", .default_options = "", .trained = PETSC_TRUE, .trainset = SEMG_STUDY_TRAIN_DR, .tag = "_dr_sup", .train_options = "-train_lambda_sup 1"},
  /* the study's decoder has a depth latent: a 3-axis table, 51 x 243 x 9 nodes x 200 times = 229 MB at
     3 mm x 0.012 m/s x 2.5 mm (docs/estimator.md, max. rel. error 2e-3 for CCS), under the 256 MB limit */
  {.name = "autoencoder_layered", .default_options = "", .trained = PETSC_TRUE, .trainset = SEMG_STUDY_TRAIN_LAYERED, .tag = "_layered",
   .decoder = LAYERED_TABLE " -dec_table_h 3e-3,0.012,2.5e-3"},
  {.name = "physfit_layered", .default_options = "", .method = "physfit", .decoder = LAYERED_TABLE},
  {.name = "hybrid",          .default_options = "", .method = "physfit", .init = "autoencoder"},
};
/* clang-format on */
#define N_AXES ((int)(sizeof(axes) / sizeof(axes[0])))
#define N_EST  ((int)(sizeof(estimators) / sizeof(estimators[0])))

const SemgStudyAxis *SemgStudyFindAxis(const char name[])
{
  for (int i = 0; i < N_AXES; i++)
    if (!strcmp(axes[i].name, name)) return &axes[i];
  return NULL;
}

const SemgStudyEstimator *SemgStudyFindEstimator(const char name[])
{
  for (int i = 0; i < N_EST; i++)
    if (!strcmp(estimators[i].name, name)) return &estimators[i];
  return NULL;
}

/* "a, b, c" of n names found at base + i * stride */
static PetscErrorCode JoinNames(const void *base, size_t stride, int n, char *buf, size_t len)
{
  PetscFunctionBeginUser;
  buf[0] = 0;
  for (int i = 0; i < n; i++) {
    if (i) PetscCall(PetscStrlcat(buf, ", ", len));
    PetscCall(PetscStrlcat(buf, *(const char *const *)((const char *)base + i * stride), len));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgStudyAxisNames(char *buf, size_t len)
{
  return JoinNames(axes, sizeof(axes[0]), N_AXES, buf, len);
}

PetscErrorCode SemgStudyEstimatorNames(char *buf, size_t len)
{
  return JoinNames(estimators, sizeof(estimators[0]), N_EST, buf, len);
}

/* The grid lead field of a level of the "conductor" or "realistic" axis (homogeneous layers). */
/* -model vc takes the electrodes of its lead field: the rotation of this condition is solved into it */
static const char grid_fat4_inh02_rot5[] = "-fat_thickness 0.004 -tissue_log_std 0.2 -tissue_corr 0.005,0.005,0.005 -misalign_rotation 5";

/* snprintf, not PetscSNPrintf: PETSc writes integral %g values as "0." */
PetscErrorCode SemgStudyLevelArgs(const SemgStudyAxis *ax, const char label[], PetscReal v, const char lf[], const PetscReal ref_depth[2], char *args, size_t len)
{
  const char *n = ax->name;
  /* a fat layer of F m pushes the muscle, and the MU with it, F deeper below the skin (layered depths are
     from the skin): the MU keeps the reference's depth below the muscle surface */
  const double d0 = ref_depth[0], d1 = ref_depth[1];

  PetscFunctionBeginUser;
  args[0] = 0;
  if (!strcmp(n, "conductor")) {
    if (!strcmp(label, "ccs_cc")) (void)snprintf(args, len, "-ccs_charge_conserving");
    else if (!strcmp(label, "grid")) (void)snprintf(args, len, "-model vc -leadfield %s", lf);
    else (void)snprintf(args, len, "-model %s", label);
  } else if (!strcmp(n, "fat_thickness"))
    (void)snprintf(args, len, "-model layered -fat_thickness %g -depth_range %g,%g", (double)(v * 1e-3), d0 + v * 1e-3, d1 + v * 1e-3);
  else if (!strcmp(n, "inhomogeneity")) (void)snprintf(args, len, "-model vc -leadfield %s", lf);
  else if (!strcmp(n, "anisotropy")) (void)snprintf(args, len, "-ccs_anisotropic -ccs_sigma_long %g -ccs_sigma_trans 1", (double)v);
  else if (!strcmp(n, "offset")) (void)snprintf(args, len, "-shift_y_range %g,%g", (double)(v * 1e-3), (double)(v * 1e-3));
  else if (!strcmp(n, "rotation")) (void)snprintf(args, len, "-rotation_range %g,%g", (double)v, (double)v);
  else if (!strcmp(n, "ied_error")) (void)snprintf(args, len, "-ied_scale_range %.6g,%.6g", (double)(1 + v / 100), (double)(1 + v / 100));
  else if (!strcmp(n, "gain_spread")) (void)snprintf(args, len, "-contact_gain_sd %g", (double)(v / 100));
  else if (!strcmp(n, "snr")) (void)snprintf(args, len, "-snr_range %g,%g", (double)v, (double)v);
  else if (!strcmp(n, "noise_colour")) {
    size_t k = strcspn(label, "_");
    (void)snprintf(args, len, "-noise_colour %.*s%s", (int)k, label, label[k] ? " -snr_range 5,5" : "");
  } else if (!strcmp(n, "interference")) (void)snprintf(args, len, "-interference_sir_range %g,%g", (double)v, (double)v);
  else if (!strcmp(n, "mu_depth")) (void)snprintf(args, len, "-depth_range %g,%g", (double)(v * 1e-3), (double)(v * 1e-3));
  else if (!strcmp(n, "mu_radius")) (void)snprintf(args, len, "-radius_range %g,%g", (double)(v * 1e-3), (double)(v * 1e-3));
  else if (!strcmp(n, "mu_iz_spread")) (void)snprintf(args, len, "-iz_spread_range %g,%g", (double)(v * 1e-3), (double)(v * 1e-3));
  else if (!strcmp(n, "mu_fibres")) (void)snprintf(args, len, "-fibres_range %d,%d", (int)v, (int)v);
  else if (!strcmp(n, "mu_cv_sd")) (void)snprintf(args, len, "-mu_cv_sd %g", (double)v);
  else if (!strcmp(n, "mu_fibre_length")) (void)snprintf(args, len, "-mu_tendon_left %g -mu_tendon_right %g", (double)(v * 1e-3), (double)(v * 1e-3));
  else if (!strcmp(n, "mu_tendon_spread")) (void)snprintf(args, len, "-mu_tendon_spread %g", (double)(v * 1e-3));
  else if (!strcmp(n, "n_train")) args[0] = 0; /* the training set changes, the test set is the reference's */
  else if (!strcmp(n, "window")) (void)snprintf(args, len, "-samples %d", (int)v);
  else if (!strcmp(n, "template")) {
    const char *fixed = "-fixed_template -fibres_range 50,50 -radius_range 0.004,0.004 -iz_spread_range 0.006,0.006 -mu_cv_sd 0.1 -depth_range "
                        "0.02,0.02 -template_seed";
    (void)snprintf(args, len, "%s %d", fixed, !strcmp(label, "decoder_own") ? 7001 : 5001);
  } else if (!strcmp(n, "realistic")) {
    if (!strcmp(label, "layered4_rot5_gain10_20db"))
      (void)snprintf(args, len, "-model layered -fat_thickness 0.004 -depth_range %g,%g -rotation_range 5,5 -contact_gain_sd 0.1 -snr_range 20,20", d0 + 0.004, d1 + 0.004);
    else if (!strcmp(label, "layered6_off5_gain10_line10db"))
      (void)snprintf(args, len, "-model layered -fat_thickness 0.006 -depth_range %g,%g -shift_y_range 0.005,0.005 -contact_gain_sd 0.1 -snr_range 10,10 -noise_colour line", d0 + 0.006, d1 + 0.006);
    else (void)snprintf(args, len, "-model vc -leadfield %s -contact_gain_sd 0.1 -snr_range 20,20", lf);
  } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_PLIB, "axis %s has no generator", n);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Lead-field options of a level, or NULL when the level needs no grid lead fields. */
const char *SemgStudyLevelLeadfield(const SemgStudyAxis *ax, const char label[], PetscReal v, char *buf, size_t len)
{
  if (!strcmp(ax->name, "inhomogeneity")) {
    (void)snprintf(buf, len, "%s -tissue_log_std %g", ax->leadfield, (double)v);
    return buf;
  }
  if (!strcmp(ax->name, "conductor") && !strcmp(label, "grid")) {
    buf[0] = 0;
    return buf;
  }
  if (!strcmp(ax->name, "realistic") && !strncmp(label, "grid_", 5)) {
    (void)snprintf(buf, len, "%s", grid_fat4_inh02_rot5);
    return buf;
  }
  return NULL;
}
