/* Reading a study spec: YAML through PETSc's options database (PetscOptionsInsertFileYAML into a private
   options object, so the spec never mixes with the command line). Nested keys arrive joined by '_':
   study: {n_test: 50} is -study_n_test, preset: {quick: {n_test: 20}} is -preset_quick_n_test.
   A preset key overrides the study key of the same name. Every key must be known: a misspelt key is an
   error naming it, never a silently ignored setting. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/semg_error.h"
#include "experiments/study.h"

static const char *const presets[] = {"quick", "small", "paper"};

typedef struct {
  PetscOptions opts;
  const char  *spec, *preset;
} SpecCtx;

/* Value of key from the preset (preset_<p>_<key>), else from study_<key> (or the top level for
   levels_ and options_ keys); found = PETSC_FALSE keeps the default. The YAML path names the key. */
static PetscErrorCode GetKey(SpecCtx *c, const char section[], const char key[], char *val, size_t len, PetscBool *found, char *where, size_t wlen)
{
  char name[256];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(name, sizeof(name), "-preset_%s_%s%s%s", c->preset, section, section[0] ? "_" : "", key));
  PetscCall(PetscOptionsGetString(c->opts, NULL, name, val, len, found));
  if (*found) {
    PetscCall(PetscSNPrintf(where, wlen, "preset.%s.%s%s%s", c->preset, section, section[0] ? "." : "", key));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s_%s", section[0] ? section : "study", key));
  PetscCall(PetscOptionsGetString(c->opts, NULL, name, val, len, found));
  PetscCall(PetscSNPrintf(where, wlen, "%s.%s", section[0] ? section : "study", key));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode GetInt(SpecCtx *c, const char key[], PetscInt lo, PetscInt *v)
{
  char      val[64], where[128], *end;
  PetscBool found;
  long      x;

  PetscFunctionBeginUser;
  PetscCall(GetKey(c, "", key, val, sizeof(val), &found, where, sizeof(where)));
  if (!found) PetscFunctionReturn(PETSC_SUCCESS);
  x = strtol(val, &end, 10);
  PetscCheck(end != val && *end == 0 && x >= lo, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s' must be an integer >= %d (got '%s')", c->spec, where, (int)lo, val);
  *v = (PetscInt)x;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode GetString(SpecCtx *c, const char section[], const char key[], char *v, size_t len)
{
  char      where[128];
  PetscBool found;

  PetscFunctionBeginUser;
  PetscCall(GetKey(c, section, key, v, len, &found, where, sizeof(where)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Splits a comma list in place (YAML sequences arrive as "a,b,c"), trimming blanks. */
static int SplitList(char *s, char *item[], int max)
{
  int   n = 0;
  char *save, *tok;

  for (tok = strtok_r(s, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save)) {
    while (isspace((unsigned char)*tok)) tok++;
    for (char *e = tok + strlen(tok); e > tok && isspace((unsigned char)e[-1]); e--) e[-1] = 0;
    if (*tok) item[n++] = tok;
  }
  return n;
}

static PetscErrorCode ReadLevels(SpecCtx *c, SemgStudy *st, PetscInt a)
{
  const SemgStudyAxis *ax = st->axis[a];
  char                 val[1024], where[128], *item[SEMG_STUDY_MAX_LEVELS + 1];
  PetscBool            found;
  int                  n;

  PetscFunctionBeginUser;
  PetscCall(GetKey(c, "levels", ax->name, val, sizeof(val), &found, where, sizeof(where)));
  if (!found) {
    PetscCall(PetscStrncpy(val, ax->default_levels, sizeof(val)));
    PetscCall(PetscSNPrintf(where, sizeof(where), "levels.%s", ax->name));
  }
  n = SplitList(val, item, SEMG_STUDY_MAX_LEVELS + 1);
  PetscCheck(n >= 1 && n <= SEMG_STUDY_MAX_LEVELS, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s' needs 1 to %d levels besides the reference (got %d)", c->spec, where, SEMG_STUDY_MAX_LEVELS, n);
  st->n_levels[a] = n;
  for (int l = 0; l < n; l++) {
    /* a truncated label would name another condition (and file) than the spec's */
    PetscCheck(strlen(item[l]) < sizeof(st->level[a][l]), PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s': level '%s' is longer than %d characters", c->spec, where, item[l], (int)sizeof(st->level[a][l]) - 1);
    PetscCall(PetscStrncpy(st->level[a][l], item[l], sizeof(st->level[a][l])));
    if (ax->categorical) {
      int  k          = -1;
      char known[256] = "";
      for (int j = 0; ax->choices[j]; j++) {
        if (!strcmp(ax->choices[j], item[l])) k = j;
        PetscCall(PetscStrlcat(known, j ? ", " : "", sizeof(known)));
        PetscCall(PetscStrlcat(known, ax->choices[j], sizeof(known)));
      }
      PetscCheck(k >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s': unknown level '%s' of axis %s (known: %s)", c->spec, where, item[l], ax->name, known);
      st->value[a][l] = NAN; /* named level: no number */
    } else {
      char  *end;
      double v = strtod(item[l], &end);
      PetscCheck(end != item[l] && *end == 0 && v >= ax->lo && v <= ax->hi, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s': level '%s' of axis %s must be a number in [%g, %g] %s", c->spec, where, item[l], ax->name,
                 (double)ax->lo, (double)ax->hi, ax->unit);
      PetscCheck(isnan(ax->ref_value) || v != ax->ref_value, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s': level %s is the reference value (level 0 is implicit, do not list it)", c->spec, where, item[l]);
      st->value[a][l] = v;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A list key (study.axes, study.estimators) of names the table knows, each at most once; items already in
   found_items[0..*count) count as listed. optional: a missing key adds nothing. */
static PetscErrorCode ReadNames(SpecCtx *c, const char key[], PetscBool optional, const char what[], const char one[], int max, const void *(*find)(const char[]), PetscErrorCode (*known)(char *, size_t), const void *found_items[], PetscInt *count)
{
  char      val[1024], where[128], names[1024], *item[SEMG_STUDY_MAX_AXES + 1];
  PetscBool found;
  int       n, n0 = (int)*count;

  PetscFunctionBeginUser;
  PetscCall(GetKey(c, "", key, val, sizeof(val), &found, where, sizeof(where)));
  if (!found && optional) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(found, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'study.%s' is missing (a list of %s)", c->spec, key, what);
  n = SplitList(val, item, max + 1);
  PetscCheck(n >= 1 && n0 + n <= max, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s' needs 1 to %d %s", c->spec, where, max - n0, what);
  for (int i = 0; i < n; i++) {
    found_items[n0 + i] = find(item[i]);
    if (!found_items[n0 + i]) {
      PetscCall(known(names, sizeof(names)));
      SETERRQ(PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s': unknown %s '%s' (known: %s)", c->spec, where, one, item[i], names);
    }
    for (int b = 0; b < n0 + i; b++)
      PetscCheck(found_items[b] != found_items[n0 + i], PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s': '%s' listed twice", c->spec, where, item[i]);
  }
  *count = n0 + n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const void *FindAxis(const char name[])
{
  return SemgStudyFindAxis(name);
}
static const void *FindEstimator(const char name[])
{
  return SemgStudyFindEstimator(name);
}

static PetscErrorCode ReadAxes(SpecCtx *c, SemgStudy *st)
{
  const void *found[SEMG_STUDY_MAX_AXES];

  PetscFunctionBeginUser;
  st->n_axes = 0;
  PetscCall(ReadNames(c, "axes", PETSC_FALSE, "mismatch axes", "axis", SEMG_STUDY_MAX_AXES, FindAxis, SemgStudyAxisNames, found, &st->n_axes));
  for (PetscInt a = 0; a < st->n_axes; a++) st->axis[a] = (const SemgStudyAxis *)found[a];
  for (PetscInt a = 0; a < st->n_axes; a++) PetscCall(ReadLevels(c, st, a));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The issue-20 estimators need their inputs: the DR training set's options, the estimator whose estimate
   starts the hybrid fit, a study that trains on the reference (robustness). */
static PetscErrorCode CheckEstimatorInputs(SpecCtx *c, const SemgStudy *st)
{
  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < st->n_est; e++) {
    const SemgStudyEstimator *est      = st->est[e];
    PetscBool                 has_init = PETSC_FALSE;
    if (est->trained && est->trainset == SEMG_STUDY_TRAIN_DR)
      PetscCheck(st->dr_options[0], PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'study.dr_options' is missing (semg simulate options drawn per sample for the training set of %s)", c->spec,
                 est->name);
    PetscCheck(!est->trained || est->trainset == SEMG_STUDY_TRAIN_REFERENCE || !strcmp(st->kind, "robustness"), PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'study.estimators': %s needs study.kind robustness (a matched study trains on every condition)", c->spec,
               est->name);
    if (!est->init) continue;
    for (PetscInt b = 0; b < st->n_est; b++) has_init = (PetscBool)(has_init || !strcmp(st->est[b]->name, est->init));
    PetscCheck(has_init, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'study.estimators': %s needs %s in the list (its estimates start the fit)", c->spec,
               est->name, est->init);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadEstimators(SpecCtx *c, SemgStudy *st)
{
  const void *found[SEMG_STUDY_MAX_EST];
  PetscInt    n = 0;

  PetscFunctionBeginUser;
  PetscCall(ReadNames(c, "estimators", PETSC_FALSE, "estimators", "estimator", SEMG_STUDY_MAX_EST, FindEstimator, SemgStudyEstimatorNames, found, &n));
  /* study.extra_estimators: appended (a switch for estimators added to a study that already ran) */
  PetscCall(ReadNames(c, "extra_estimators", PETSC_TRUE, "estimators", "estimator", SEMG_STUDY_MAX_EST, FindEstimator, SemgStudyEstimatorNames, found, &n));
  st->n_est = n;
  for (PetscInt e = 0; e < n; e++) st->est[e] = (const SemgStudyEstimator *)found[e];
  /* options fixed in advance: the built-in ones (docs/baselines.md tuning set) unless the spec states them */
  for (PetscInt e = 0; e < n; e++) {
    PetscCall(PetscStrncpy(st->est_options[e], st->est[e]->default_options, sizeof(st->est_options[e])));
    PetscCall(GetString(c, "options", st->est[e]->name, st->est_options[e], sizeof(st->est_options[e])));
  }
  PetscCall(CheckEstimatorInputs(c, st));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* study.layered_fat: the fat thickness (mm) the layered decoders assume. */
static PetscErrorCode GetLayeredFat(SpecCtx *c, SemgStudy *st)
{
  char      val[64], where[128], *end;
  PetscBool found;
  double    v;

  PetscFunctionBeginUser;
  st->layered_fat = 3.5;
  PetscCall(GetKey(c, "", "layered_fat", val, sizeof(val), &found, where, sizeof(where)));
  if (!found) PetscFunctionReturn(PETSC_SUCCESS);
  v = strtod(val, &end);
  PetscCheck(end != val && *end == 0 && v > 0 && v <= 30, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key '%s' must be a fat thickness in (0, 30] mm (got '%s')", c->spec, where, val);
  st->layered_fat = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadOne(SpecCtx *c, SemgStudy *st)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(st, sizeof(*st)));
  PetscCall(PetscStrncpy(st->preset, c->preset, sizeof(st->preset)));
  PetscCall(PetscStrncpy(st->name, "study", sizeof(st->name)));
  PetscCall(PetscStrncpy(st->kind, "robustness", sizeof(st->kind)));
  st->n_test = 200, st->n_train = 4000, st->n_seeds = 3, st->epochs = 20, st->ranks = 2, st->seed = 7000, st->realisations = 4, st->bootstrap = 1000;
  PetscCall(GetString(c, "", "name", st->name, sizeof(st->name)));
  PetscCall(GetString(c, "", "kind", st->kind, sizeof(st->kind)));
  PetscCheck(!strcmp(st->kind, "robustness") || !strcmp(st->kind, "matched"), PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'study.kind' must be robustness (train on the reference only) or matched (train on every condition), got '%s'", c->spec, st->kind);
  for (const char *p = st->name; *p; p++)
    PetscCheck(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.', PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'study.name' may only hold letters, digits, '.', '_', '-' (got '%s')", c->spec, st->name);
  PetscCall(GetInt(c, "n_test", 1, &st->n_test));
  PetscCall(GetInt(c, "n_train", 2, &st->n_train));
  PetscCall(GetInt(c, "train_seeds", 1, &st->n_seeds));
  PetscCheck(st->n_seeds <= SEMG_STUDY_MAX_SEEDS, PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'train_seeds' at most %d", c->spec, SEMG_STUDY_MAX_SEEDS);
  PetscCall(GetInt(c, "epochs", 1, &st->epochs));
  PetscCall(GetInt(c, "ranks", 1, &st->ranks));
  PetscCall(GetInt(c, "seed", 0, &st->seed));
  PetscCall(GetInt(c, "realisations", 1, &st->realisations));
  PetscCall(GetInt(c, "bootstrap", 100, &st->bootstrap));
  PetscCall(GetString(c, "", "reference", st->reference, sizeof(st->reference)));
  PetscCheck(st->reference[0], PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: key 'study.reference' is missing (semg simulate options of the matched reference condition)", c->spec);
  PetscCall(GetString(c, "", "train_options", st->train_options, sizeof(st->train_options)));
  PetscCall(GetString(c, "", "leadfield_options", st->leadfield_options, sizeof(st->leadfield_options)));
  PetscCall(GetString(c, "", "compare", st->compare, sizeof(st->compare)));
  PetscCall(GetString(c, "", "dr_options", st->dr_options, sizeof(st->dr_options)));
  PetscCall(GetInt(c, "dr_n_train", 2, &st->dr_n_train));
  PetscCall(GetLayeredFat(c, st));
  PetscCall(ReadAxes(c, st));
  PetscCall(ReadEstimators(c, st));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A key nobody read is a misspelling (or an axis/estimator the spec does not use): name it. */
static PetscErrorCode RejectUnread(SpecCtx *c)
{
  PetscInt n;
  char   **names, **values;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(c->opts, &n, &names, &values));
  if (n > 0) {
    char key[256];
    PetscCall(PetscStrncpy(key, names[0], sizeof(key)));
    PetscCall(PetscOptionsLeftRestore(c->opts, &n, &names, &values));
    SETERRQ(PETSC_COMM_SELF, SEMG_ERR_USER, "spec %s: unknown key '%s' (keys: study.{name,kind,axes,estimators,extra_estimators,n_test,n_train,train_seeds,epochs,ranks,seed,realisations,bootstrap,reference,train_options,leadfield_options,compare,dr_options,dr_n_train,layered_fat}, levels.<axis>, options.<estimator>, preset.<quick|small|paper>.<same>)", c->spec, key);
  }
  PetscCall(PetscOptionsLeftRestore(c->opts, &n, &names, &values));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* levels.<axis> and options.<estimator> of axes/estimators not in the chosen list are still spec keys:
   read them once so that only real misspellings remain unread. */
static PetscErrorCode TouchNamedKeys(SpecCtx *c)
{
  char val[SEMG_STUDY_ARGS], name[256], list[1024], *item[64];
  int  n;

  PetscFunctionBeginUser;
  for (int pass = 0; pass < 2; pass++) {
    PetscCall(pass ? SemgStudyEstimatorNames(list, sizeof(list)) : SemgStudyAxisNames(list, sizeof(list)));
    n = SplitList(list, item, 64);
    for (int i = 0; i < n; i++) {
      for (int p = -1; p < 3; p++) {
        PetscBool found;
        if (p < 0) PetscCall(PetscSNPrintf(name, sizeof(name), "-%s_%s", pass ? "options" : "levels", item[i]));
        else PetscCall(PetscSNPrintf(name, sizeof(name), "-preset_%s_%s_%s", presets[p], pass ? "options" : "levels", item[i]));
        PetscCall(PetscOptionsGetString(c->opts, NULL, name, val, sizeof(val), &found));
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgStudyRead(MPI_Comm comm, const char spec[], const char preset[], SemgStudy *st)
{
  SpecCtx   c     = {NULL, spec, preset};
  PetscBool known = PETSC_FALSE;
  SemgStudy tmp;

  PetscFunctionBeginUser;
  for (int p = 0; p < 3; p++) known = known || !strcmp(preset, presets[p]);
  PetscCheck(known, PETSC_COMM_SELF, SEMG_ERR_USER, "-preset '%s' unknown (quick, small, paper)", preset);
  PetscCall(PetscOptionsCreate(&c.opts));
  PetscCall(PetscOptionsInsertFileYAML(comm, c.opts, spec, PETSC_TRUE));
  /* every preset must be valid, not only the one run today */
  for (int p = 0; p < 3; p++) {
    c.preset = presets[p];
    PetscCall(ReadOne(&c, &tmp));
  }
  c.preset = preset;
  PetscCall(ReadOne(&c, st));
  PetscCall(TouchNamedKeys(&c));
  PetscCall(RejectUnread(&c));
  PetscCall(PetscOptionsDestroy(&c.opts));
  PetscFunctionReturn(PETSC_SUCCESS);
}
