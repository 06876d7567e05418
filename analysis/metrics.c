#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_csv.h"
#include "analysis/metrics.h"

static const char header[] = "study,axis,level,value,unit,estimator,train_seed,metric,estimate,ci_lo,ci_hi,n,n_failed";

/* Splits line in place at sep into at most max fields; returns the count. Empty fields are kept. */
static int SplitFields(char *line, char sep, char *f[], int max)
{
  int n = 0;

  line[strcspn(line, "\r\n")] = 0;
  f[n++]                      = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == sep) *p = 0, f[n++] = p + 1;
  return n;
}

PetscErrorCode SemgIndexRead(const char path[], PetscInt *n, SemgIndexRow **rows)
{
  FILE         *fp = fopen(path, "r");
  char          line[2048], *f[10];
  PetscInt      cap = 64, m = 0, lineno = 1;
  SemgIndexRow *r;

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, SEMG_ERR_USER, "-index: cannot read '%s' (%s)", path, strerror(errno));
  PetscCall(PetscCalloc1(cap, &r));
  PetscCheck(fgets(line, sizeof(line), fp) && !strncmp(line, "file\tkind\taxis", 14), PETSC_COMM_SELF, SEMG_ERR_USER, "-index: '%s' is not a study index (header file, kind, axis, ...)", path);
  while (fgets(line, sizeof(line), fp)) {
    lineno++;
    if (SplitFields(line, '\t', f, 10) != 9) {
      fclose(fp);
      SETERRQ(PETSC_COMM_SELF, SEMG_ERR_USER, "-index: '%s' line %d needs 9 tab-separated fields", path, (int)lineno);
    }
    if (m == cap) {
      SemgIndexRow *g;
      PetscCall(PetscCalloc1(2 * cap, &g));
      PetscCall(PetscArraycpy(g, r, m));
      PetscCall(PetscFree(r));
      r = g, cap *= 2;
    }
    PetscCall(PetscStrncpy(r[m].file, f[0], sizeof(r[m].file)));
    PetscCall(PetscStrncpy(r[m].kind, f[1], sizeof(r[m].kind)));
    PetscCall(PetscStrncpy(r[m].axis, f[2], sizeof(r[m].axis)));
    r[m].level = (PetscInt)strtol(f[3], NULL, 10);
    PetscCall(PetscStrncpy(r[m].label, f[4], sizeof(r[m].label)));
    r[m].value = strtod(f[5], NULL);
    PetscCall(PetscStrncpy(r[m].unit, f[6], sizeof(r[m].unit)));
    PetscCall(PetscStrncpy(r[m].estimator, f[7], sizeof(r[m].estimator)));
    PetscCall(PetscStrncpy(r[m].seed, f[8], sizeof(r[m].seed)));
    m++;
  }
  fclose(fp);
  *n = m, *rows = r;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMetricAppend(SemgMetricTable *t, const SemgMetricRow *r)
{
  PetscFunctionBeginUser;
  if (t->n == t->cap) {
    SemgMetricRow *g;
    t->cap = t->cap ? 2 * t->cap : 256;
    PetscCall(PetscCalloc1(t->cap, &g));
    if (t->n) PetscCall(PetscArraycpy(g, t->row, t->n));
    PetscCall(PetscFree(t->row));
    t->row = g;
  }
  t->row[t->n++] = *r;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void PrintNumber(FILE *fp, double v)
{
  if (isfinite(v)) fprintf(fp, ",%.6g", v);
  else fprintf(fp, ",");
}

PetscErrorCode SemgMetricWriteCSV(const char path[], const SemgMetricTable *t)
{
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(SemgCSVOpen(path, &fp));
  fprintf(fp, "%s\n", header);
  for (PetscInt i = 0; i < t->n; i++) {
    const SemgMetricRow *r = &t->row[i];
    fprintf(fp, "%s,%s,%d,%s,%s,%s,%s,%s", r->study, r->axis, (int)r->level, r->value, r->unit, r->estimator, r->seed, r->metric);
    PrintNumber(fp, r->est), PrintNumber(fp, r->lo), PrintNumber(fp, r->hi);
    fprintf(fp, ",%ld,%ld\n", r->n, r->n_failed);
  }
  PetscCall(SemgCSVClose(path, &fp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static double ParseNumber(const char *s)
{
  return *s ? strtod(s, NULL) : NAN;
}

PetscErrorCode SemgMetricReadCSV(const char path[], SemgMetricTable *t)
{
  FILE         *fp = fopen(path, "r");
  char          line[1024], *f[14];
  SemgMetricRow r;
  int           lineno = 1;

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, SEMG_ERR_USER, "-metrics: cannot read '%s' (%s)", path, strerror(errno));
  PetscCheck(fgets(line, sizeof(line), fp) && !strncmp(line, header, strlen(header)), PETSC_COMM_SELF, SEMG_ERR_USER, "-metrics: '%s' does not start with the header %s", path, header);
  while (fgets(line, sizeof(line), fp)) {
    lineno++;
    if (SplitFields(line, ',', f, 14) != 13) {
      fclose(fp);
      SETERRQ(PETSC_COMM_SELF, SEMG_ERR_USER, "-metrics: '%s' line %d needs 13 fields", path, lineno);
    }
    PetscCall(PetscMemzero(&r, sizeof(r)));
    PetscCall(PetscStrncpy(r.study, f[0], sizeof(r.study)));
    PetscCall(PetscStrncpy(r.axis, f[1], sizeof(r.axis)));
    r.level = (PetscInt)strtol(f[2], NULL, 10);
    PetscCall(PetscStrncpy(r.value, f[3], sizeof(r.value)));
    PetscCall(PetscStrncpy(r.unit, f[4], sizeof(r.unit)));
    PetscCall(PetscStrncpy(r.estimator, f[5], sizeof(r.estimator)));
    PetscCall(PetscStrncpy(r.seed, f[6], sizeof(r.seed)));
    PetscCall(PetscStrncpy(r.metric, f[7], sizeof(r.metric)));
    r.est = ParseNumber(f[8]), r.lo = ParseNumber(f[9]), r.hi = ParseNumber(f[10]);
    r.n = strtol(f[11], NULL, 10), r.n_failed = strtol(f[12], NULL, 10);
    PetscCall(SemgMetricAppend(t, &r));
  }
  fclose(fp);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMetricTableFree(SemgMetricTable *t)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(t->row));
  t->n = t->cap = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

const SemgMetricRow *SemgMetricFind(const SemgMetricTable *t, const char axis[], PetscInt level, const char est[], const char seed[], const char metric[])
{
  for (PetscInt i = 0; i < t->n; i++) {
    const SemgMetricRow *r = &t->row[i];
    if (r->level == level && !strcmp(r->axis, axis) && !strcmp(r->estimator, est) && !strcmp(r->seed, seed) && !strcmp(r->metric, metric)) return r;
  }
  return NULL;
}
