/* Propagation templates of motor-unit discharges in one epoch of an interference recording (issue 18):
   discharges are detected on spatially filtered (double-differential) channels with an adaptive
   threshold (detect.h), grouped by their waveform across the array (average-linkage clustering,
   cluster.h), the largest groups seed a multichannel template matching of the whole epoch (match.h), and
   of the regular, consistent trains the one whose average has the best signal-to-residual ratio gives
   the template: the stored channels averaged around its discharges. */
#ifndef SEMG_TEMPLATES_H
#define SEMG_TEMPLATES_H

#include <petscsys.h>

#define SEMG_TEMPLATE_MAX_CUTS  8
#define SEMG_TEMPLATE_MAX_SEEDS 8

/* How the template's train is chosen among the accepted candidates: the largest signal-to-residual
   ratio of the average, or that ratio times the discharges' mean correlation with their mean (a train
   that mixes two units of similar shape gains discharges, and snr, but each fits the mean worse). */
typedef enum { SEMG_TEMPLATE_CHOICE_SNR, SEMG_TEMPLATE_CHOICE_SNR_CONSISTENCY } SemgTemplateChoice;
PETSC_EXTERN const char *const SemgTemplateChoices[];

typedef struct {
  PetscReal          pre, post;                    /* template window around each discharge (s): [t - pre, t + post) */
  PetscReal          half_width;                   /* half-width of the shape compared for grouping (s) */
  PetscReal          dead;                         /* minimum time between two discharges of one unit (s) */
  PetscReal          cuts[SEMG_TEMPLATE_MAX_CUTS]; /* grouping cuts tried: normalised squared distance |a-b|^2/(|a|^2+|b|^2) */
  PetscInt           n_cuts;
  PetscInt           min_triggers;                        /* fewer discharges: no usable template */
  PetscReal          min_consistency;                     /* mean correlation of the discharges with their mean below this: not usable */
  PetscInt           max_candidates;                      /* largest detections compared (cost is cubic in this) */
  PetscReal          max_isi_cov;                         /* most irregular train accepted as one unit (CoV of its intervals) */
  PetscInt           n_seeds;                             /* largest groups per cut refined by template matching */
  PetscReal          match_half;                          /* half-width of the whole-array shape matched (s) */
  PetscInt           match_iter;                          /* re-estimations of the matched shape */
  PetscReal          match_floor[SEMG_TEMPLATE_MAX_CUTS]; /* lowest normalised match of a discharge: one refinement per value */
  PetscInt           n_floors;
  PetscReal          min_snr;       /* lowest signal-to-residual ratio of the averaged shape */
  PetscReal          min_isi_ratio; /* discharges closer than this x the median interval: the worse match is dropped */
  PetscInt           align_iter;    /* rounds of sub-sample alignment of the discharges before averaging (0: whole samples) */
  PetscReal          trim;          /* fraction dropped at each end per sample from the average (0: mean) */
  PetscReal          gap_floor;     /* lowest match of a discharge added in a gap of the chosen train (0: none) */
  PetscReal          max_residual;  /* discharges whose residual exceeds this x the train's median are left out of the average (0: none) */
  SemgTemplateChoice choice;
} SemgTemplateOptions;

PETSC_EXTERN PetscErrorCode SemgTemplateOptionsDefault(SemgTemplateOptions *o);
/* Options -template_* inside an open PetscOptionsBegin/End block; checks the values. */
PETSC_EXTERN PetscErrorCode SemgTemplateOptionsSet(PetscOptionItems *PetscOptionsObject, SemgTemplateOptions *o);
PETSC_EXTERN PetscInt       SemgTemplateLength(const SemgTemplateOptions *o, PetscReal fs);
PETSC_EXTERN PetscInt       SemgTemplatePreSamples(const SemgTemplateOptions *o, PetscReal fs);

typedef struct {
  PetscInt  n_triggers;  /* discharges averaged */
  PetscReal consistency; /* mean correlation of their filtered shapes with the group mean */
  PetscInt  n_detected;  /* detections above the adaptive threshold */
  PetscInt  n_groups;    /* groups they formed at the chosen cut */
  PetscReal cut;         /* the grouping cut that gave the template */
  PetscReal isi_cov;     /* regularity of the train (SemgTrainISICoV) */
  PetscReal snr;         /* signal-to-residual ratio of the averaged filtered shape (SemgRefineQuality) */
  PetscBool usable;
} SemgTemplateQuality;

/* One epoch: d (nd x nt) filtered channels for detection and grouping, x (nc x nt) the channels to
   average. tmpl: nc x SemgTemplateLength (untouched when not usable); trig (room for nt) = discharge
   sample indices in increasing order. */
PETSC_EXTERN PetscErrorCode SemgTemplateEpoch(const SemgTemplateOptions *o, PetscReal fs, PetscInt nt, PetscInt nd, const PetscReal *d, PetscInt nc, const PetscReal *x, PetscReal *tmpl, PetscInt *trig, SemgTemplateQuality *q);

/* CoV of the inter-discharge intervals of n increasing sample indices, intervals above 1.5 x the median
   (missed discharges) left out; PETSC_MAX_REAL for fewer than 3 discharges. */
PETSC_EXTERN PetscReal SemgTrainISICoV(PetscInt n, const PetscInt *trig);

#endif
