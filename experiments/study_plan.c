/* Expansion of a study into steps (interface B of COORDINATION.md) and the index of its result files.
   Steps are emitted in dependency order (lead fields, training sets, trainings, test sets, estimates,
   collect, report), so a runner may walk the list top to bottom. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/semg_error.h"
#include "experiments/study.h"

typedef struct {
  const SemgStudy   *st;
  PetscInt           n, cap, nrow, rowcap;
  SemgStudyStep     *s;
  SemgStudyIndexRow *row;
  /* the first step that decodes through a cached table builds it; later users of the same table wait for
     it (built once per study, never by two steps at the same time) */
  const char *table_decoder[SEMG_STUDY_MAX_EST];
  char        table_builder[SEMG_STUDY_MAX_EST][192];
  PetscInt    n_tables;
  PetscReal   ref_depth[2]; /* the reference's MU depth range (m) */
} Plan;

/* A seed per condition from its name, so a condition's test set is the same in any study that has it. */
static PetscInt ConditionSeed(const SemgStudy *st, const char cond[], PetscInt salt)
{
  uint32_t h = 2166136261u;
  for (const char *p = cond; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  return st->seed + (PetscInt)(h % 1000000u) * 10 + salt;
}

/* Room for one more element of a growing array (doubling). */
static PetscErrorCode Grow(void **buf, size_t elem, PetscInt n, PetscInt *cap)
{
  void *grown;

  PetscFunctionBeginUser;
  if (n < *cap) PetscFunctionReturn(PETSC_SUCCESS);
  *cap = *cap ? 2 * *cap : 64;
  PetscCall(PetscCalloc(elem * (size_t)*cap, &grown));
  if (n) PetscCall(PetscMemcpy(grown, *buf, elem * (size_t)n));
  PetscCall(PetscFree(*buf));
  *buf = grown;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode AddStep(Plan *p, const char id[], const char kind[], const char deps[], PetscInt ranks, PetscReal cost, const char outputs[], const char args[])
{
  SemgStudyStep *s;

  PetscFunctionBeginUser;
  PetscCall(Grow((void **)&p->s, sizeof(*p->s), p->n, &p->cap));
  s = &p->s[p->n++];
  PetscCall(PetscStrncpy(s->id, id, sizeof(s->id)));
  PetscCall(PetscStrncpy(s->kind, kind, sizeof(s->kind)));
  PetscCall(PetscStrallocpy(deps && deps[0] ? deps : "-", &s->deps));
  PetscCall(PetscStrncpy(s->outputs, outputs, sizeof(s->outputs)));
  PetscCall(PetscStrncpy(s->args, args, sizeof(s->args)));
  s->ranks       = ranks;
  s->est_seconds = cost;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode AddRow(Plan *p, const char file[], const char kind[], const char axis[], PetscInt level, const char label[], PetscReal value, const char unit[], const char est[], const char seed[])
{
  SemgStudyIndexRow *r;

  PetscFunctionBeginUser;
  PetscCall(Grow((void **)&p->row, sizeof(*p->row), p->nrow, &p->rowcap));
  r = &p->row[p->nrow++];
  PetscCall(PetscStrncpy(r->file, file, sizeof(r->file)));
  PetscCall(PetscStrncpy(r->kind, kind, sizeof(r->kind)));
  PetscCall(PetscStrncpy(r->axis, axis, sizeof(r->axis)));
  PetscCall(PetscStrncpy(r->label, label, sizeof(r->label)));
  PetscCall(PetscStrncpy(r->unit, unit, sizeof(r->unit)));
  PetscCall(PetscStrncpy(r->estimator, est, sizeof(r->estimator)));
  PetscCall(PetscStrncpy(r->seed, seed, sizeof(r->seed)));
  r->level = level;
  r->value = value;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A test condition: the reference or one level of one axis. */
typedef struct {
  char      name[128], args[SEMG_STUDY_ARGS], lf_deps[512], lf_files[512], model[16];
  PetscInt  n_train;  /* matched studies: training-set size of this condition */
  PetscBool own_test; /* false: the condition reuses the reference test set (n_train axis) */
} Condition;

static const char *ModelOf(const char args[])
{
  if (strstr(args, "-model vc")) return "vc";
  if (strstr(args, "-model layered")) return "layered";
  if (strstr(args, "-model halfspace")) return "halfspace";
  return "ccs";
}

/* Lead-field steps of a level that needs grid lead fields; fills the condition's files and deps. */
static PetscErrorCode AddLeadfields(Plan *p, const SemgStudyAxis *ax, const char label[], PetscReal v, Condition *c)
{
  const SemgStudy *st = p->st;
  char             lfopt[512], id[160], out[256], args[2 * SEMG_STUDY_ARGS];
  const char      *o = SemgStudyLevelLeadfield(ax, label, v, lfopt, sizeof(lfopt));
  PetscInt         R = strstr(o ? o : "", "tissue_log_std") ? st->realisations : 1;

  PetscFunctionBeginUser;
  c->lf_deps[0] = c->lf_files[0] = 0;
  if (!o) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt r = 0; r < R; r++) {
    PetscCall(PetscSNPrintf(id, sizeof(id), "leadfield.%s.%s.r%d", ax->name, label, (int)r));
    PetscCall(PetscSNPrintf(out, sizeof(out), "lf/%s.%s.r%d.h5", ax->name, label, (int)r));
    PetscCall(PetscSNPrintf(args, sizeof(args), "leadfield -electrodes electrodes.csv -output %s %s %s -tissue_seed %d -tissue_sample %d", out, st->leadfield_options, o, (int)ConditionSeed(st, id, 3), (int)r));
    PetscCall(AddStep(p, id, "leadfield", "-", st->ranks, SemgStudyStepCost("leadfield", "", 1, 0, st->ranks), out, args));
    if (r) {
      PetscCall(PetscStrlcat(c->lf_deps, ",", sizeof(c->lf_deps)));
      PetscCall(PetscStrlcat(c->lf_files, ",", sizeof(c->lf_files)));
    }
    PetscCall(PetscStrlcat(c->lf_deps, id, sizeof(c->lf_deps)));
    PetscCall(PetscStrlcat(c->lf_files, out, sizeof(c->lf_files)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The study's cached decoder table a step uses: its builder's id (empty when this step builds it). */
static PetscErrorCode TableBuilder(Plan *p, const SemgStudyEstimator *est, const char id[], char builder[], size_t len)
{
  PetscFunctionBeginUser;
  builder[0] = 0;
  if (!est->decoder) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt t = 0; t < p->n_tables; t++)
    if (p->table_decoder[t] == est->decoder) {
      PetscCall(PetscStrncpy(builder, p->table_builder[t], len));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  PetscCheck(p->n_tables < SEMG_STUDY_MAX_EST, PETSC_COMM_SELF, PETSC_ERR_PLIB, "too many decoder tables");
  p->table_decoder[p->n_tables] = est->decoder;
  PetscCall(PetscStrncpy(p->table_builder[p->n_tables++], id, sizeof(p->table_builder[0])));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Decoder options of an estimator that decodes through the layered table (train, estimate, baseline). */
static PetscErrorCode DecoderOptions(const SemgStudy *st, const SemgStudyEstimator *est, char *buf, size_t len)
{
  PetscFunctionBeginUser;
  buf[0] = 0;
  if (est->decoder) (void)snprintf(buf, len, "%s -dec_fat_thickness %g", est->decoder, (double)(st->layered_fat * 1e-3));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Whether a trained estimator of the study learns from training set ts. */
static PetscBool UsesTrainSet(const SemgStudy *st, SemgStudyTrainSet ts)
{
  for (PetscInt e = 0; e < st->n_est; e++)
    if (st->est[e]->trained && st->est[e]->trainset == ts) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* simulate options a training set adds to the reference (and its cost detail). */
static PetscErrorCode TrainSetArgs(const Plan *p, SemgStudyTrainSet ts, const Condition *c, char *args, size_t len, const char **detail)
{
  const SemgStudy *st = p->st;

  PetscFunctionBeginUser;
  if (ts == SEMG_STUDY_TRAIN_REFERENCE) {
    PetscCall(PetscStrncpy(args, c->args, len));
    *detail = NULL;
  } else if (ts == SEMG_STUDY_TRAIN_DR) {
    PetscCall(PetscStrncpy(args, st->dr_options, len));
    *detail = "dr";
  } else { /* the fat-thickness axis' generator at the assumed fat: MU depths below the muscle surface kept */
    PetscCall(SemgStudyLevelArgs(SemgStudyFindAxis("fat_thickness"), "layered", st->layered_fat, "", p->ref_depth, args, len));
    *detail = "layered";
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Samples in a training set: the DR set may be smaller (study.dr_n_train), the others are n_train. */
static PetscInt TrainSetSize(const SemgStudy *st, SemgStudyTrainSet ts, const Condition *c)
{
  return ts == SEMG_STUDY_TRAIN_DR && st->dr_n_train > 0 ? st->dr_n_train : c->n_train;
}

/* The trainings of one trained estimator, one per seed, on the training set DATA made by step DEP. */
static PetscErrorCode AddTrainings(Plan *p, const Condition *c, const SemgStudyEstimator *est, const char data[], const char dep[])
{
  const SemgStudy *st = p->st;
  char             id[192], model[256], args[2 * SEMG_STUDY_ARGS], dec[SEMG_STUDY_ARGS], deps[512], builder[192];
  PetscBool        matched = (PetscBool)!strcmp(st->kind, "matched");

  PetscFunctionBeginUser;
  PetscCall(DecoderOptions(st, est, dec, sizeof(dec)));
  for (PetscInt k = 1; k <= st->n_seeds; k++) {
    PetscReal cost = SemgStudyStepCost("train", est->decoder ? "layered" : "", TrainSetSize(st, est->trainset, c), st->epochs, st->ranks);
    if (matched) {
      PetscCall(PetscSNPrintf(id, sizeof(id), "train.%s.s%d", c->name, (int)k));
      PetscCall(PetscSNPrintf(model, sizeof(model), "models/ae.%s.s%d.h5", c->name, (int)k));
    } else {
      PetscCall(PetscSNPrintf(id, sizeof(id), "train%s.s%d", est->tag, (int)k));
      PetscCall(PetscSNPrintf(model, sizeof(model), "models/ae%s.s%d.h5", est->tag, (int)k));
    }
    PetscCall(
      PetscSNPrintf(args, sizeof(args), "train -data %s -output %s -train_seed %d -train_epochs %d -train_quiet %s", data, model, (int)k, (int)st->epochs, st->train_options));
    if (est->train_options) {
      PetscCall(PetscStrlcat(args, " ", sizeof(args)));
      PetscCall(PetscStrlcat(args, est->train_options, sizeof(args)));
    }
    if (dec[0]) {
      PetscCall(PetscStrlcat(args, " ", sizeof(args)));
      PetscCall(PetscStrlcat(args, dec, sizeof(args)));
    }
    PetscCall(TableBuilder(p, est, id, builder, sizeof(builder)));
    if (!builder[0] && est->decoder) cost += SemgStudyStepCost("dectable", "autoencoder", 0, 0, st->ranks);
    PetscCall(PetscSNPrintf(deps, sizeof(deps), "%s%s%s", dep, builder[0] ? "," : "", builder));
    PetscCall(AddStep(p, id, "train", deps, st->ranks, cost, model, args));
    PetscCall(PetscStrncpy(p->s[p->n - 1].estimator, est->name, sizeof(p->s[0].estimator)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Training set(s) and trainings; matched studies train on every condition, others on the reference
   (and on the training sets of the robust variants: one set each, shared by every estimator and seed
   that learns from it). */
static PetscErrorCode AddTraining(Plan *p, const Condition *c)
{
  static const char *const set_tag[] = {"", "_dr", "_layered"}; /* data/train<tag>.h5, step trainset<tag> */
  const SemgStudy         *st        = p->st;
  char                     id[192], data[256], args[2 * SEMG_STUDY_ARGS], extra[SEMG_STUDY_ARGS];
  PetscBool                matched = (PetscBool)!strcmp(st->kind, "matched");
  const char              *detail  = NULL;

  PetscFunctionBeginUser;
  for (SemgStudyTrainSet ts = SEMG_STUDY_TRAIN_REFERENCE; ts <= SEMG_STUDY_TRAIN_LAYERED; ts++) {
    const PetscInt n_train = TrainSetSize(st, ts, c);
    if (!UsesTrainSet(st, ts)) continue; /* no estimator learns from it: nothing to train */
    PetscCall(TrainSetArgs(p, ts, c, extra, sizeof(extra), &detail));
    if (ts == SEMG_STUDY_TRAIN_REFERENCE) {
      PetscCall(PetscSNPrintf(id, sizeof(id), matched ? "trainset.%s" : "trainset", c->name));
      PetscCall(PetscSNPrintf(data, sizeof(data), matched ? "data/train.%s.h5" : "data/train.h5", c->name));
    } else {
      PetscCall(PetscSNPrintf(id, sizeof(id), "trainset%s", set_tag[ts]));
      PetscCall(PetscSNPrintf(data, sizeof(data), "data/train%s.h5", set_tag[ts]));
    }
    PetscCall(PetscSNPrintf(args, sizeof(args), "simulate -n %d -seed %d %s %s -quiet -output %s", (int)n_train, (int)ConditionSeed(st, id, 1), st->reference, extra, data));
    PetscCall(AddStep(p, id, "trainset", c->lf_deps, st->ranks, SemgStudyStepCost("trainset", detail ? detail : ModelOf(args), n_train, 0, st->ranks), data, args));
    for (PetscInt e = 0; e < st->n_est; e++)
      if (st->est[e]->trained && st->est[e]->trainset == ts) PetscCall(AddTrainings(p, c, st->est[e], data, id));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode AddTestset(Plan *p, const Condition *c)
{
  const SemgStudy *st = p->st;
  char             id[192], data[256], args[2 * SEMG_STUDY_ARGS];

  PetscFunctionBeginUser;
  if (!c->own_test) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscSNPrintf(id, sizeof(id), "testset.%s", c->name));
  PetscCall(PetscSNPrintf(data, sizeof(data), "data/%s.h5", c->name));
  PetscCall(PetscSNPrintf(args, sizeof(args), "simulate -n %d -seed %d %s %s -quiet -output %s", (int)st->n_test, (int)ConditionSeed(st, id, 0), st->reference, c->args, data));
  PetscCall(AddStep(p, id, "testset", c->lf_deps, st->ranks, SemgStudyStepCost("testset", ModelOf(args), st->n_test, 0, st->ranks), data, args));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A trained estimator's estimate of the condition with seed k's model. */
static PetscErrorCode AddEstimate(Plan *p, const Condition *c, PetscInt e, PetscInt k, const char data[], const char tset[], char out[], size_t outlen)
{
  const SemgStudy          *st      = p->st;
  const SemgStudyEstimator *est     = st->est[e];
  PetscBool                 matched = (PetscBool)!strcmp(st->kind, "matched");
  char                      id[256], args[2 * SEMG_STUDY_ARGS], deps[512], tid[192], opts[2 * SEMG_STUDY_ARGS];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(id, sizeof(id), "estimate.%s.s%d.%s", est->name, (int)k, c->name));
  PetscCall(PetscSNPrintf(out, outlen, "est/%s.s%d.%s.h5", est->name, (int)k, c->name));
  if (matched) PetscCall(PetscSNPrintf(tid, sizeof(tid), "train.%s.s%d", c->name, (int)k));
  else PetscCall(PetscSNPrintf(tid, sizeof(tid), "train%s.s%d", est->tag, (int)k));
  PetscCall(PetscSNPrintf(deps, sizeof(deps), "%s,%s", tset, tid));
  /* a layered decoder reads the table its training built (reconstruction and uncertainty use the decoder) */
  PetscCall(DecoderOptions(st, est, opts, sizeof(opts)));
  if (opts[0] && st->est_options[e][0]) PetscCall(PetscStrlcat(opts, " ", sizeof(opts)));
  PetscCall(PetscStrlcat(opts, st->est_options[e], sizeof(opts)));
  if (matched)
    PetscCall(PetscSNPrintf(args, sizeof(args), "estimate -model models/ae.%s.s%d.h5 -data %s -output %s %s", c->name, (int)k, data, out, opts));
  else PetscCall(PetscSNPrintf(args, sizeof(args), "estimate -model models/ae%s.s%d.h5 -data %s -output %s %s", est->tag, (int)k, data, out, opts));
  PetscCall(AddStep(p, id, "estimate", deps, 1, SemgStudyStepCost("estimate", est->decoder ? "layered" : "", st->n_test, 0, 1), out, args));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A per-sample method (semg baseline) on the condition's test set. */
static PetscErrorCode AddBaseline(Plan *p, const Condition *c, PetscInt e, const char data[], const char tset[], char out[], size_t outlen)
{
  const SemgStudy          *st     = p->st;
  const SemgStudyEstimator *est    = st->est[e];
  const char               *method = est->method ? est->method : est->name;
  char                      id[256], args[2 * SEMG_STUDY_ARGS], deps[512], opts[2 * SEMG_STUDY_ARGS], builder[192];
  PetscReal                 cost;
  /* the classical methods take about 1 ms per sample: one rank, no launcher start-up; every physics fit
     runs on the study's ranks, so their seconds per sample are comparable */
  PetscInt r = strcmp(method, "physfit") ? 1 : st->ranks;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(id, sizeof(id), "baseline.%s.%s", est->name, c->name));
  PetscCall(PetscSNPrintf(out, outlen, "est/%s.%s.h5", est->name, c->name));
  PetscCall(PetscStrncpy(deps, tset, sizeof(deps)));
  PetscCall(DecoderOptions(st, est, opts, sizeof(opts)));
  if (est->init) { /* started from the trained estimator's seed-1 estimate of the same test set */
    char init[256];
    PetscCall(PetscSNPrintf(init, sizeof(init), "est/%s.s1.%s.h5", est->init, c->name));
    PetscCall(PetscSNPrintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%s-physfit_init %s", opts[0] ? " " : "", init));
    PetscCall(PetscSNPrintf(deps + strlen(deps), sizeof(deps) - strlen(deps), ",estimate.%s.s1.%s", est->init, c->name));
  }
  PetscCall(TableBuilder(p, est, id, builder, sizeof(builder)));
  if (builder[0]) PetscCall(PetscSNPrintf(deps + strlen(deps), sizeof(deps) - strlen(deps), ",%s", builder));
  if (opts[0] && st->est_options[e][0]) PetscCall(PetscStrlcat(opts, " ", sizeof(opts)));
  PetscCall(PetscStrlcat(opts, st->est_options[e], sizeof(opts)));
  PetscCall(PetscSNPrintf(args, sizeof(args), "baseline -method %s -data %s -output %s %s", method, data, out, opts));
  cost = SemgStudyStepCost("baseline", est->name, st->n_test, 0, r);
  if (est->decoder && !builder[0]) cost += SemgStudyStepCost("dectable", est->name, 0, 0, r);
  PetscCall(AddStep(p, id, "baseline", deps, r, cost, out, args));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Every estimator on the condition's test set; index rows for each axis that lists the condition. */
static PetscErrorCode AddEstimates(Plan *p, const Condition *c, const char *const axes[], const PetscInt levels[], const char *const labels[], const PetscReal values[], const char *const units[], PetscInt n_axes)
{
  const SemgStudy *st = p->st;
  char             out[256], data[256], seed[8], tset[192];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(data, sizeof(data), "data/%s.h5", c->own_test ? c->name : "reference"));
  PetscCall(PetscSNPrintf(tset, sizeof(tset), "testset.%s", c->own_test ? c->name : "reference"));
  /* estimators started from another's estimate come after it (pass 1), so dependencies precede */
  for (PetscInt pass = 0; pass < 2; pass++)
    for (PetscInt e = 0; e < st->n_est; e++) {
      const SemgStudyEstimator *est = st->est[e];
      if ((est->init != NULL) != (pass == 1)) continue;
      for (PetscInt k = 1; k <= (est->trained ? st->n_seeds : 1); k++) {
        if (est->trained) {
          PetscCall(AddEstimate(p, c, e, k, data, tset, out, sizeof(out)));
          PetscCall(PetscSNPrintf(seed, sizeof(seed), "s%d", (int)k));
        } else {
          PetscCall(AddBaseline(p, c, e, data, tset, out, sizeof(out)));
          PetscCall(PetscStrncpy(seed, "-", sizeof(seed)));
        }
        for (PetscInt a = 0; a < n_axes; a++)
          PetscCall(AddRow(p, out, "result", axes[a], levels[a], labels[a], values[a], units[a], est->name, seed));
      }
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode AddCondition(Plan *p, Condition *c, const char *const axes[], const PetscInt levels[], const char *const labels[], const PetscReal values[], const char *const units[], PetscInt n_axes)
{
  PetscFunctionBeginUser;
  if (!strcmp(p->st->kind, "matched")) PetscCall(AddTraining(p, c));
  PetscCall(AddTestset(p, c));
  PetscCall(AddEstimates(p, c, axes, levels, labels, values, units, n_axes));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgStudyExpand(const SemgStudy *st, PetscInt *n_steps, SemgStudyStep **steps, PetscInt *n_rows, SemgStudyIndexRow **rows)
{
  Plan        p;
  Condition   ref, c;
  const char *ax_names[SEMG_STUDY_MAX_AXES], *labels[SEMG_STUDY_MAX_AXES], *units[SEMG_STUDY_MAX_AXES];
  PetscInt    levels[SEMG_STUDY_MAX_AXES];
  PetscReal   values[SEMG_STUDY_MAX_AXES];
  char        args[2 * SEMG_STUDY_ARGS];

  PetscReal  *ref_depth = p.ref_depth;
  const char *d;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  p.st         = st;
  ref_depth[0] = ref_depth[1] = 0.02;
  /* the reference's MU depth range (one value = fixed) */
  if ((d = strstr(st->reference, "-depth_range "))) {
    double lo, hi;
    int    k = sscanf(d + 13, "%lf,%lf", &lo, &hi);
    if (k >= 1) ref_depth[0] = lo, ref_depth[1] = k == 2 ? hi : lo;
  }
  PetscCall(PetscMemzero(&ref, sizeof(ref)));
  PetscCall(PetscStrncpy(ref.name, "reference", sizeof(ref.name)));
  ref.n_train  = st->n_train;
  ref.own_test = PETSC_TRUE;
  if (strcmp(st->kind, "matched")) PetscCall(AddTraining(&p, &ref));
  /* the reference is level 0 of every axis: one test set, one index row per axis */
  for (PetscInt a = 0; a < st->n_axes; a++) {
    ax_names[a] = st->axis[a]->name, levels[a] = 0, labels[a] = "reference", values[a] = st->axis[a]->ref_value, units[a] = st->axis[a]->unit;
  }
  PetscCall(AddCondition(&p, &ref, ax_names, levels, labels, values, units, st->n_axes));
  for (PetscInt a = 0; a < st->n_axes; a++) {
    const SemgStudyAxis *ax = st->axis[a];
    for (PetscInt l = 0; l < st->n_levels[a]; l++) {
      PetscInt    lev = l + 1;
      PetscReal   v   = st->value[a][l];
      const char *lb  = st->level[a][l];
      PetscCall(PetscMemzero(&c, sizeof(c)));
      PetscCall(PetscSNPrintf(c.name, sizeof(c.name), "%s.%s", ax->name, lb));
      PetscCall(AddLeadfields(&p, ax, lb, v, &c));
      PetscCall(SemgStudyLevelArgs(ax, lb, v, c.lf_files, ref_depth, c.args, sizeof(c.args)));
      c.n_train  = !strcmp(ax->name, "n_train") ? (PetscInt)v : st->n_train;
      c.own_test = (PetscBool)strcmp(ax->name, "n_train");
      PetscCall(AddCondition(&p, &c, &ax->name, &lev, &lb, &v, &ax->unit, 1));
    }
  }
  for (PetscInt i = 0; i < p.n; i++)
    if (!strcmp(p.s[i].kind, "train"))
      PetscCall(AddRow(&p, p.s[i].outputs, "model", "-", 0, "-", NAN, "-", p.s[i].estimator, strrchr(p.s[i].id, '.') + 1));
  /* the aggregate runs after every estimate, whatever their exit (a runner uses afterany semantics) */
  {
    size_t len = 2;
    char  *deps;
    for (PetscInt i = 0; i < p.n; i++) len += strlen(p.s[i].id) + 1;
    PetscCall(PetscCalloc1(len, &deps));
    for (PetscInt i = 0; i < p.n; i++)
      if (!strcmp(p.s[i].kind, "estimate") || !strcmp(p.s[i].kind, "baseline")) {
        if (deps[0]) PetscCall(PetscStrlcat(deps, ",", len));
        PetscCall(PetscStrlcat(deps, p.s[i].id, len));
      }
    PetscCall(PetscSNPrintf(args, sizeof(args), "collect -index index.tsv -output metrics.csv -study %s -bootstrap %d -seed %d", st->name, (int)st->bootstrap,
                            (int)st->seed));
    PetscCall(AddStep(&p, "collect", "collect", deps, 1, SemgStudyStepCost("collect", "", p.nrow, 0, 1), "metrics.csv", args));
    PetscCall(PetscFree(deps));
  }
  PetscCall(PetscSNPrintf(args, sizeof(args), "report -index index.tsv -metrics metrics.csv -spec spec.yaml -preset %s -output report.md%s%s", st->preset, st->compare[0] ? " -compare " : "", st->compare));
  PetscCall(AddStep(&p, "report", "report", "collect", 1, SemgStudyStepCost("report", "", st->n_axes, 0, 1), "report.md", args));
  *n_steps = p.n, *steps = p.s, *n_rows = p.nrow, *rows = p.row;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgStudyStepsDestroy(PetscInt n, SemgStudyStep **steps)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n && *steps; i++) PetscCall(PetscFree((*steps)[i].deps));
  PetscCall(PetscFree(*steps));
  PetscFunctionReturn(PETSC_SUCCESS);
}
