/* Studies: one spec file (YAML through PETSc's options database) expands into a list of steps with
   dependencies (plan.tsv, COORDINATION interface B) that any back end runs with experiments/study-step.
   docs/studies.md describes the spec keys, the presets and the outputs. */
#ifndef SEMG_STUDY_H
#define SEMG_STUDY_H

#include <petscsys.h>

#define SEMG_STUDY_MAX_LEVELS 16
/* level labels: at most 47 characters, as the report and metrics.csv keep them */
#define SEMG_STUDY_LABEL_LEN 48
#define SEMG_STUDY_MAX_AXES  32
#define SEMG_STUDY_MAX_EST   16
#define SEMG_STUDY_MAX_SEEDS 16
#define SEMG_STUDY_ARGS      1024

/* One mismatch axis of spec section 3: how a level becomes `semg simulate` options. */
typedef struct {
  const char        *name, *unit, *what;
  PetscBool          categorical;    /* levels are names (conductor model, noise colour), else numbers */
  const char *const *choices;        /* categorical: the level names (NULL-terminated) */
  PetscReal          ref_value;      /* the reference condition's value on this axis (NaN: none / categorical) */
  PetscReal          lo, hi;         /* numeric: allowed level range */
  const char        *default_levels; /* comma list (the reference is level 0 and never listed) */
  const char        *leadfield;      /* non-NULL: levels need grid lead fields; the conductor options of one level */
} SemgStudyAxis;

/* Training sets a trained estimator may learn from (robustness studies). */
typedef enum {
  SEMG_STUDY_TRAIN_REFERENCE, /* data/train.h5: the matched reference (the study's autoencoder) */
  SEMG_STUDY_TRAIN_DR,        /* data/train_dr.h5: the reference with study.dr_options drawn per sample */
  SEMG_STUDY_TRAIN_LAYERED    /* data/train_layered.h5: the tissue the layered decoders assume (study.layered_fat) */
} SemgStudyTrainSet;

/* One estimator of spec section 4 (and issue 20's robust variants). */
typedef struct {
  const char       *name;
  const char       *default_options; /* fixed in advance (docs/baselines.md tuning set), never tuned on test sets */
  PetscBool         trained;         /* the autoencoders: train per seed, then estimate */
  const char       *method;          /* baselines: semg baseline -method (NULL: the name) */
  SemgStudyTrainSet trainset;        /* trained: the data it learns from */
  const char       *tag;             /* trained: file and step tag ("" for the study's autoencoder: models/ae.sK.h5, train.sK) */
  const char       *decoder;         /* non-NULL: decoder options of train and estimate/baseline (a layered-tissue
                                        table in the study's cache/), followed by -dec_fat_thickness of study.layered_fat */
  const char       *init;            /* the trained estimator whose seed-1 estimate of the same test set starts this one */
  const char       *train_options;   /* trained: added to study.train_options (NULL: none) */
} SemgStudyEstimator;

/* A study after reading its spec with one preset. */
typedef struct {
  char                      name[64], preset[16], kind[16];
  PetscInt                  n_test, n_train, n_seeds, epochs, ranks, seed, realisations, bootstrap;
  char                      reference[SEMG_STUDY_ARGS]; /* simulate options of the matched reference condition */
  char                      train_options[SEMG_STUDY_ARGS];
  char                      leadfield_options[SEMG_STUDY_ARGS];
  char                      compare[64];                 /* published IZ MAE (mm), CV MAE (m/s) to set beside ours */
  char                      dr_options[SEMG_STUDY_ARGS]; /* simulate options of the domain-randomised training set */
  PetscInt                  dr_n_train;                  /* its size (0: n_train) */
  PetscReal                 layered_fat;                 /* fat thickness (mm) the layered decoders assume */
  PetscInt                  n_axes;
  const SemgStudyAxis      *axis[SEMG_STUDY_MAX_AXES];
  PetscInt                  n_levels[SEMG_STUDY_MAX_AXES];
  char                      level[SEMG_STUDY_MAX_AXES][SEMG_STUDY_MAX_LEVELS][SEMG_STUDY_LABEL_LEN]; /* level labels as written in the spec */
  PetscReal                 value[SEMG_STUDY_MAX_AXES][SEMG_STUDY_MAX_LEVELS];                       /* numeric value (index for categorical) */
  PetscInt                  n_est;
  const SemgStudyEstimator *est[SEMG_STUDY_MAX_EST];
  char                      est_options[SEMG_STUDY_MAX_EST][SEMG_STUDY_ARGS];
} SemgStudy;

/* The built-in axes and estimators (experiments/study_axes.c). */
PETSC_EXTERN const SemgStudyAxis      *SemgStudyFindAxis(const char name[]);
PETSC_EXTERN const SemgStudyEstimator *SemgStudyFindEstimator(const char name[]);
PETSC_EXTERN PetscErrorCode            SemgStudyAxisNames(char *buf, size_t len);
PETSC_EXTERN PetscErrorCode            SemgStudyEstimatorNames(char *buf, size_t len);
/* simulate options of one level of an axis (appended to the reference options); ref_depth is the
   reference's -depth_range (the fat axis keeps the MU's depth below the muscle surface). */
PETSC_EXTERN PetscErrorCode SemgStudyLevelArgs(const SemgStudyAxis *ax, const char label[], PetscReal value, const char leadfields[], const PetscReal ref_depth[2], char *args, size_t len);

/* Lead-field options of a level (appended to the study's leadfield options), or NULL: no grid needed. */
PETSC_EXTERN const char *SemgStudyLevelLeadfield(const SemgStudyAxis *ax, const char label[], PetscReal value, char *buf, size_t len);

/* Reads the spec file with the preset applied; every key is checked (unknown key: one line naming it). */
PETSC_EXTERN PetscErrorCode SemgStudyRead(MPI_Comm comm, const char spec[], const char preset[], SemgStudy *st);

/* One step of the plan (interface B). */
typedef struct {
  char      id[128], kind[16], outputs[512];
  char      estimator[32]; /* train steps: the estimator whose model it trains */
  char     *deps;          /* comma-separated ids or "-" (allocated: the aggregate depends on every estimate) */
  PetscInt  ranks;
  PetscReal est_seconds;
  char      args[2 * SEMG_STUDY_ARGS];
} SemgStudyStep;

/* One expected result file and what it measures (DIR/index.tsv, read by semg collect / semg report). */
typedef struct {
  char      file[256], kind[16], axis[64], label[SEMG_STUDY_LABEL_LEN], unit[16], estimator[32], seed[8];
  PetscInt  level;
  PetscReal value;
} SemgStudyIndexRow;

PETSC_EXTERN PetscErrorCode SemgStudyStepsDestroy(PetscInt n, SemgStudyStep **steps);
PETSC_EXTERN PetscErrorCode SemgStudyExpand(const SemgStudy *st, PetscInt *n_steps, SemgStudyStep **steps, PetscInt *n_rows, SemgStudyIndexRow **rows);
/* Planned seconds of one step from the measured per-step costs (docs/performance.md, "Study steps"). */
PETSC_EXTERN PetscReal SemgStudyStepCost(const char kind[], const char detail[], PetscInt n, PetscInt epochs, PetscInt ranks);

#endif
