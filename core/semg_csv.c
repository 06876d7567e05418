#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_input.h"
#include "core/semg_csv.h"
#include "core/semg_output.h"

#define CSV_MSG_LEN 512

/* Split one line in place at commas; trims blanks and surrounding double quotes. */
static int SplitFields(char *line, char **fields, int maxf)
{
  int   n = 0;
  char *p = line;

  for (;;) {
    char *start = p, *end;
    while (*p && *p != ',') p++;
    end = p;
    while (start < end && (*start == ' ' || *start == '\t' || *start == '"')) start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '"' || end[-1] == '\r' || end[-1] == '\n')) end--;
    if (n < maxf) fields[n] = start;
    n++;
    if (!*p) {
      *end = 0;
      break;
    }
    *end = 0;
    p++;
  }
  return n;
}

static char *ReadWholeFile(const char *path, char *msg, long *len)
{
  FILE *fp = fopen(path, "rb");
  long  n;
  char *buf;

  if (!fp) {
    snprintf(msg, CSV_MSG_LEN, "cannot open '%s': %s", path, strerror(errno));
    return NULL;
  }
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  buf = (char *)malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
    snprintf(msg, CSV_MSG_LEN, "cannot read '%s'", path);
    free(buf);
    fclose(fp);
    return NULL;
  }
  buf[n] = 0;
  *len   = n;
  fclose(fp);
  return buf;
}

/* Ends the line at line (LF, CRLF or a lone CR as written by old Mac tools) and returns the next one. */
static char *NextLine(char *line)
{
  char *p = line + strcspn(line, "\r\n");

  if (!*p) return NULL;
  if (p[0] == '\r' && p[1] == '\n') *p++ = 0;
  *p = 0;
  return p + 1;
}

/* Column names must be non-empty and distinct: a duplicated name would make one of them unreachable. */
static int HeaderProblem(char **fields, int n, const char *path, char *msg)
{
  for (int i = 0; i < n && i < 4096; i++) {
    if (!fields[i][0]) {
      snprintf(msg, CSV_MSG_LEN, "'%s' header: column %d has no name", path, i + 1);
      return 1;
    }
    for (int j = 0; j < i; j++)
      if (!strcmp(fields[i], fields[j])) {
        snprintf(msg, CSV_MSG_LEN, "'%s' header: column '%s' appears twice (columns %d and %d)", path, fields[i], j + 1, i + 1);
        return 1;
      }
  }
  return 0;
}

/* A NUL byte would silently end the text early: every row after it lost. */
static int NulByteProblem(const char *text, long len, const char *path, char *msg)
{
  const char *nul  = memchr(text, 0, (size_t)len);
  long        line = 1;

  if (!nul) return 0;
  for (const char *p = text; p < nul; p++) line += *p == '\n';
  snprintf(msg, CSV_MSG_LEN, "'%s' line %ld: NUL byte (a binary file, or a text encoding other than UTF-8/ASCII?)", path, line);
  return 1;
}

/* Rank-0 parser: fills names (one '\0'-separated block), values; returns 0 or writes msg. */
static int ParseCSV(char *text, PetscBool allow_empty, const char *path, char **names_block, size_t *names_len, PetscInt *ncols, PetscInt *nrows, PetscReal **values, char *msg)
{
  char  *line, *next, *fields[4096];
  int    nf  = 0;
  size_t cap = 1024, nval = 0;
  long   lineno = 0;

  *values = NULL;
  if (!strncmp(text, "\xEF\xBB\xBF", 3)) text += 3; /* UTF-8 byte-order mark (spreadsheet exports) */
  for (line = text; line && *line; line = next) {
    int n;
    lineno++;
    next = NextLine(line);
    if (line[strspn(line, " \t\r")] == 0) continue; /* blank line */
    n = SplitFields(line, fields, 4096);
    if (n > 4096) {
      snprintf(msg, CSV_MSG_LEN, "'%s' line %ld: more than 4096 columns", path, lineno);
      return 1;
    }
    if (!nf) { /* header */
      size_t len = 0;
      nf         = n;
      if (HeaderProblem(fields, n, path, msg)) return 1;
      for (int i = 0; i < n; i++) len += strlen(fields[i]) + 1;
      *names_block = (char *)malloc(len);
      *names_len   = len;
      len          = 0;
      for (int i = 0; i < n; i++) {
        strcpy(*names_block + len, fields[i]);
        len += strlen(fields[i]) + 1;
      }
      *values = (PetscReal *)malloc(cap * sizeof(PetscReal));
      continue;
    }
    if (n != nf) {
      snprintf(msg, CSV_MSG_LEN, "'%s' line %ld: %d columns, the header has %d", path, lineno, n, nf);
      return 1;
    }
    if (nval + (size_t)n > cap) {
      while (nval + (size_t)n > cap) cap *= 2;
      *values = (PetscReal *)realloc(*values, cap * sizeof(PetscReal));
    }
    for (int i = 0; i < n; i++) {
      char  *end;
      double v;
      if (!fields[i][0] && allow_empty) {
        (*values)[nval++] = NAN;
        continue;
      }
      errno = 0;
      v     = strtod(fields[i], &end);
      if (!fields[i][0] || *end || errno == ERANGE || !isfinite(v)) {
        snprintf(msg, CSV_MSG_LEN, "'%s' line %ld column %d: '%s' is not a finite number", path, lineno, i + 1, fields[i]);
        return 1;
      }
      (*values)[nval++] = v;
    }
  }
  if (!nf) {
    snprintf(msg, CSV_MSG_LEN, "'%s' is empty (no header line)", path);
    return 1;
  }
  *ncols = nf;
  *nrows = (PetscInt)(nval / (size_t)nf);
  return 0;
}

static PetscErrorCode CSVReadImpl(MPI_Comm comm, const char option[], const char path[], PetscBool allow_empty, SemgCSVTable *tab)
{
  PetscMPIInt rank;
  char        msg[CSV_MSG_LEN] = "", *names_block = NULL;
  size_t      names_len = 0;
  PetscInt    shape[2]  = {0, 0};
  PetscReal  *vals      = NULL;
  int         err       = 0;
  long long   nl;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscMemzero(tab, sizeof(*tab)));
  PetscCall(PetscStrncpy(tab->path, path, sizeof(tab->path)));
  PetscCall(PetscStrncpy(tab->option, option, sizeof(tab->option)));
  PetscCall(SemgInputCheckFile(comm, option, path));
  if (!rank) {
    long  len  = 0;
    char *text = ReadWholeFile(path, msg, &len);
    err = text ? (NulByteProblem(text, len, path, msg) || ParseCSV(text, allow_empty, path, &names_block, &names_len, &shape[0], &shape[1], &vals, msg)) : 1;
    free(text);
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  if (err) {
    free(names_block);
    free(vals);
    PetscCallMPI(MPI_Bcast(msg, CSV_MSG_LEN, MPI_CHAR, 0, comm));
    SETERRQ(comm, SEMG_ERR_USER, "%s %s", option, msg);
  }
  PetscCallMPI(MPI_Bcast(shape, 2, MPIU_INT, 0, comm));
  nl = (long long)names_len;
  PetscCallMPI(MPI_Bcast(&nl, 1, MPI_LONG_LONG, 0, comm));
  if (rank) names_block = (char *)malloc((size_t)nl);
  PetscCallMPI(MPI_Bcast(names_block, (int)nl, MPI_CHAR, 0, comm));
  tab->ncols = shape[0];
  tab->nrows = shape[1];
  PetscCall(PetscMalloc1((size_t)tab->nrows * tab->ncols + 1, &tab->values));
  if (!rank) PetscCall(PetscArraycpy(tab->values, vals, (size_t)tab->nrows * tab->ncols));
  PetscCallMPI(MPI_Bcast(tab->values, (PetscMPIInt)((size_t)tab->nrows * tab->ncols), MPIU_REAL, 0, comm));
  PetscCall(PetscMalloc1(tab->ncols, &tab->names));
  for (PetscInt i = 0, off = 0; i < tab->ncols; i++) {
    PetscCall(PetscStrallocpy(names_block + off, &tab->names[i]));
    off += (PetscInt)strlen(names_block + off) + 1;
  }
  free(names_block);
  free(vals);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCSVRead(MPI_Comm comm, const char option[], const char path[], SemgCSVTable *tab)
{
  PetscFunctionBeginUser;
  PetscCall(CSVReadImpl(comm, option, path, PETSC_FALSE, tab));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCSVReadAllowEmpty(MPI_Comm comm, const char option[], const char path[], SemgCSVTable *tab)
{
  PetscFunctionBeginUser;
  PetscCall(CSVReadImpl(comm, option, path, PETSC_TRUE, tab));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCSVColumn(MPI_Comm comm, const SemgCSVTable *tab, const char name[], PetscBool required, PetscInt *idx)
{
  PetscFunctionBeginUser;
  *idx = -1;
  for (PetscInt i = 0; i < tab->ncols; i++)
    if (!strcmp(tab->names[i], name)) *idx = i;
  PetscCheck(*idx >= 0 || !required, comm, SEMG_ERR_USER, "%s '%s': required column '%s' is missing", tab->option, tab->path, name);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCSVTableFree(SemgCSVTable *tab)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < tab->ncols; i++) PetscCall(PetscFree(tab->names[i]));
  PetscCall(PetscFree(tab->names));
  PetscCall(PetscFree(tab->values));
  tab->ncols = tab->nrows = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCSVOpen(const char path[], FILE **fp)
{
  char tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  *fp = fopen(tmp, "w");
  PetscCheck(*fp, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write '%s': %s", tmp, strerror(errno));
  SemgOutputTempAdd(tmp, -1, *fp); /* closed and removed by SemgOutputRemoveTemps if the command fails */
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCSVClose(const char path[], FILE **fp)
{
  char tmp[PETSC_MAX_PATH_LEN], reason[128];
  int  bad, err;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  bad = fflush(*fp) || ferror(*fp);
  err = bad ? errno : 0;
  bad |= fclose(*fp);
  if (bad && !err) err = errno;
  *fp = NULL;
  SemgOutputTempAdd(tmp, -1, NULL); /* the stream is closed; the file is still ours to remove */
  if (bad) {
    SemgOutputWriteFailure(path, err, reason, sizeof(reason));
    (void)unlink(tmp);
    SemgOutputTempForget(tmp);
    SETERRQ(PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write '%s': %s", path, reason);
  }
  PetscCheck(!rename(tmp, path), PETSC_COMM_SELF, SEMG_ERR_USER, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
  SemgOutputTempForget(tmp);
  SemgOutputSyncDirectoryOf(path);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgElectrodesReadCSV(MPI_Comm comm, const char option[], const char path[], PetscInt *ne, PetscReal **xyz, PetscInt **column)
{
  SemgCSVTable tab;
  PetscInt     ix, iy, iz, ic;

  PetscFunctionBeginUser;
  PetscCall(SemgCSVRead(comm, option, path, &tab));
  PetscCall(SemgCSVColumn(comm, &tab, "x", PETSC_TRUE, &ix));
  PetscCall(SemgCSVColumn(comm, &tab, "y", PETSC_TRUE, &iy));
  PetscCall(SemgCSVColumn(comm, &tab, "z", PETSC_TRUE, &iz));
  PetscCall(SemgCSVColumn(comm, &tab, "column", PETSC_FALSE, &ic));
  PetscCheck(tab.nrows > 0, comm, SEMG_ERR_USER, "%s '%s': no electrode rows", option, path);
  for (PetscInt e = 0; e < tab.nrows && ic >= 0; e++) {
    /* a column is a label: an integer that fits every PetscInt width (a bare cast of 2e27 is undefined) */
    const PetscReal c = tab.values[(size_t)e * tab.ncols + ic];
    PetscCheck(c >= 0 && c <= 1e9 && c == PetscFloorReal(c), comm, SEMG_ERR_USER, "%s '%s' row %" PetscInt_FMT ": column %g must be an integer in [0, 1e9]", option, path, e + 2, (double)c);
  }
  *ne = tab.nrows;
  PetscCall(PetscMalloc1(3 * (size_t)tab.nrows, xyz));
  PetscCall(PetscMalloc1(tab.nrows, column));
  for (PetscInt e = 0; e < tab.nrows; e++) {
    const PetscReal *row = &tab.values[(size_t)e * tab.ncols];
    (*xyz)[3 * e]        = row[ix];
    (*xyz)[3 * e + 1]    = row[iy];
    (*xyz)[3 * e + 2]    = row[iz];
    (*column)[e]         = ic >= 0 ? (PetscInt)row[ic] : 0;
  }
  PetscCall(SemgCSVTableFree(&tab));
  PetscFunctionReturn(PETSC_SUCCESS);
}
