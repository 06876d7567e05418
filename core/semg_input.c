#define SEMG_INPUT_KEEP_PETSC_OPTIONS /* this file calls PETSc's own option functions */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/semg_error.h"
#include "core/semg_input.h"

#define SEMG_MSG_LEN 600

/* ---- identity of the files named on the command line ------------------------------------------ */

/* A file is the same as another when device and inode agree (stat follows links, so a symlink or a
   hard link to an input is that input). An output that does not exist yet is identified by its
   directory's device + inode and its base name, so "o.csv" and "./sub/../o.csv" are one output. */
typedef struct {
  char  kind; /* 'i' input, 'o' output */
  char  option[64];
  char  path[PETSC_MAX_PATH_LEN];
  int   exists;
  dev_t dev;
  ino_t ino;
  int   tmp_exists; /* outputs: NAME.tmp exists (it will be truncated) */
  dev_t tmp_dev;
  ino_t tmp_ino;
  int   dir_ok;
  dev_t dir_dev;
  ino_t dir_ino;
  char  base[256];
} SemgFileId;

#define SEMG_MAX_FILE_IDS 64
static SemgFileId semg_ids[SEMG_MAX_FILE_IDS];
static int        semg_nids = 0;

static void FillId(char kind, const char option[], const char path[], SemgFileId *id)
{
  struct stat st;
  char        dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  const char *slash = strrchr(path, '/');

  memset(id, 0, sizeof(*id));
  id->kind = kind;
  snprintf(id->option, sizeof(id->option), "%s", option);
  snprintf(id->path, sizeof(id->path), "%s", path);
  if (!stat(path, &st)) id->exists = 1, id->dev = st.st_dev, id->ino = st.st_ino;
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  if (!stat(tmp, &st)) id->tmp_exists = 1, id->tmp_dev = st.st_dev, id->tmp_ino = st.st_ino;
  if (slash) {
    size_t n = (size_t)(slash - path);
    if (n == 0) n = 1; /* "/name" */
    if (n >= sizeof(dir)) n = sizeof(dir) - 1;
    memcpy(dir, path, n);
    dir[n] = 0;
    snprintf(id->base, sizeof(id->base), "%s", slash + 1);
  } else {
    strcpy(dir, ".");
    snprintf(id->base, sizeof(id->base), "%s", path);
  }
  if (!stat(dir, &st)) id->dir_ok = 1, id->dir_dev = st.st_dev, id->dir_ino = st.st_ino;
}

static int SameFile(const SemgFileId *a, const SemgFileId *b)
{
  return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
}

static int SameName(const SemgFileId *a, const SemgFileId *b)
{
  return a->dir_ok && b->dir_ok && a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino && !strcmp(a->base, b->base);
}

/* Does the new entry n clash with the registered entry r? */
static int Clash(const SemgFileId *n, const SemgFileId *r, char msg[], size_t len)
{
  const SemgFileId *in = n->kind == 'i' ? n : r, *out = n->kind == 'i' ? r : n;

  if (n->kind == 'i' && r->kind == 'i') return 0;
  if (!strcmp(n->option, r->option) && n->kind == r->kind) return 0; /* the same option checked twice */
  if (n->kind == 'o' && r->kind == 'o') {
    if (!SameName(n, r) && !SameFile(n, r)) return 0;
    snprintf(msg, len, "%s '%s' and %s '%s' are the same file: each output needs its own path", r->option, r->path, n->option, n->path);
    return 1;
  }
  if (SameFile(in, out)) {
    snprintf(msg, len, "%s '%s' is the input %s '%s' (same file): writing it would destroy the input; choose another output path", out->option, out->path, in->option, in->path);
    return 1;
  }
  if (out->tmp_exists && in->exists && in->dev == out->tmp_dev && in->ino == out->tmp_ino) {
    snprintf(msg, len, "%s '%s': its temporary file '%s.tmp' is the input %s '%s'; choose another output path", out->option, out->path, out->path, in->option, in->path);
    return 1;
  }
  return 0;
}

int SemgFileIdentityAdd(char kind, const char option[], const char path[], char msg[], size_t len)
{
  SemgFileId id;

  FillId(kind, option, path, &id);
  for (int i = 0; i < semg_nids; i++)
    if (Clash(&id, &semg_ids[i], msg, len)) return 1;
  if (semg_nids < SEMG_MAX_FILE_IDS) semg_ids[semg_nids++] = id;
  return 0;
}

/* Rank 0 looks at the file system; every rank gets the same verdict and message. */
PetscErrorCode SemgInputCheckFile(MPI_Comm comm, const char option[], const char path[])
{
  PetscMPIInt rank;
  char        msg[SEMG_MSG_LEN] = "";
  struct stat st;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(path && path[0], comm, SEMG_ERR_USER, "option %s: empty input path", option);
  if (!rank) {
    if (stat(path, &st)) snprintf(msg, sizeof(msg), "option %s: cannot read '%s': %s", option, path, strerror(errno));
    else if (S_ISDIR(st.st_mode)) snprintf(msg, sizeof(msg), "option %s: cannot read '%s': Is a directory", option, path);
    else if (!S_ISREG(st.st_mode))
      snprintf(msg, sizeof(msg), "option %s: '%s' is not a regular file (a FIFO, device or socket); semg reads regular files only", option, path);
    else if (access(path, R_OK)) snprintf(msg, sizeof(msg), "option %s: cannot read '%s': %s", option, path, strerror(errno));
    else (void)SemgFileIdentityAdd('i', option, path, msg, sizeof(msg));
  }
  PetscCallMPI(MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, 0, comm));
  PetscCheck(!msg[0], comm, SEMG_ERR_USER, "%s", msg);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- files being read -------------------------------------------------------------------------- */

static char semg_reading[PETSC_MAX_PATH_LEN + 80] = "", semg_reading_path[PETSC_MAX_PATH_LEN] = "";

void SemgInputReadingSet(const char option[], const char path[])
{
  snprintf(semg_reading, sizeof(semg_reading), "%s '%s'", option, path);
  snprintf(semg_reading_path, sizeof(semg_reading_path), "%s", path);
}

void SemgInputReadingClear(const char path[])
{
  if (!strcmp(path, semg_reading_path)) semg_reading[0] = semg_reading_path[0] = 0;
}

const char *SemgInputReading(void)
{
  return semg_reading[0] ? semg_reading : NULL;
}

/* ---- strict option values ----------------------------------------------------------------------- */

int SemgParseInt(const char option[], const char text[], PetscInt lb, PetscInt ub, PetscInt *v, char msg[], size_t len)
{
  char     *end;
  long long x;

  if (!text || !text[0]) {
    snprintf(msg, len, "%s needs an integer value", option);
    return 1;
  }
  errno = 0;
  x     = strtoll(text, &end, 10);
  if (end == text || *end) {
    snprintf(msg, len, "%s '%s' is not an integer", option, text);
    return 1;
  }
  if (errno == ERANGE || x < (long long)PETSC_MIN_INT || x > (long long)PETSC_MAX_INT) {
    snprintf(msg, len, "%s %s is out of range (at most %lld)", option, text, (long long)PETSC_MAX_INT);
    return 1;
  }
  if (x < (long long)lb || x > (long long)ub) {
    if (x < (long long)lb) snprintf(msg, len, "%s %s must be >= %lld", option, text, (long long)lb);
    else snprintf(msg, len, "%s %s must be <= %lld", option, text, (long long)ub);
    return 1;
  }
  *v = (PetscInt)x;
  return 0;
}

int SemgParseReal(const char option[], const char text[], PetscReal *v, char msg[], size_t len)
{
  char  *end;
  double x;

  if (!text || !text[0]) {
    snprintf(msg, len, "%s needs a numeric value", option);
    return 1;
  }
  errno = 0;
  x     = strtod(text, &end);
  if (end == text || *end) {
    snprintf(msg, len, "%s '%s' is not a number", option, text);
    return 1;
  }
  if (!isfinite(x) || (errno == ERANGE && fabs(x) > 1.0)) {
    snprintf(msg, len, "%s %s is not a finite number", option, text);
    return 1;
  }
  *v = (PetscReal)x;
  return 0;
}

/* The option's raw text (NULL when absent) and its full name with prefix, for messages. */
static PetscErrorCode RawValue(PetscOptionItems *po, const char opt[], const char **value, char name[], size_t len)
{
  PetscBool flg = PETSC_FALSE;

  PetscFunctionBeginUser;
  *value = NULL;
  PetscCall(PetscSNPrintf(name, len, "-%s%s", po->prefix ? po->prefix : "", opt + 1));
  PetscCall(PetscOptionsFindPair(po->options, po->prefix, opt, value, &flg));
  if (!flg) *value = NULL;
  else if (!*value) *value = "";
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOptionsIntStrict(PetscOptionItems *po, const char opt[], const char text[], const char man[], PetscInt cur, PetscInt *value, PetscBool *set, PetscInt lb, PetscInt ub)
{
  const char *raw;
  char        name[128], msg[SEMG_MSG_LEN];
  PetscInt    v;

  PetscFunctionBeginUser;
  PetscCall(RawValue(po, opt, &raw, name, sizeof(name)));
  if (raw) PetscCheck(!SemgParseInt(name, raw, lb, ub, &v, msg, sizeof(msg)), po->comm, SEMG_ERR_USER, "%s", msg);
  PetscCall(PetscOptionsInt_Private(po, opt, text, man, cur, value, set, lb, ub));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOptionsRealStrict(PetscOptionItems *po, const char opt[], const char text[], const char man[], PetscReal cur, PetscReal *value, PetscBool *set)
{
  const char *raw;
  char        name[128], msg[SEMG_MSG_LEN];
  PetscReal   v;

  PetscFunctionBeginUser;
  PetscCall(RawValue(po, opt, &raw, name, sizeof(name)));
  if (raw) PetscCheck(!SemgParseReal(name, raw, &v, msg, sizeof(msg)), po->comm, SEMG_ERR_USER, "%s", msg);
  PetscCall(PetscOptionsReal_Private(po, opt, text, man, cur, value, set));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A list option: at most nmax comma-separated values, each parsed strictly. */
static PetscErrorCode CheckList(PetscOptionItems *po, const char opt[], PetscInt nmax, PetscBool integer)
{
  const char *raw;
  char        name[128], msg[SEMG_MSG_LEN] = "", *copy, *save = NULL, *tok;
  PetscInt    count = 0;

  PetscFunctionBeginUser;
  PetscCall(RawValue(po, opt, &raw, name, sizeof(name)));
  if (!raw || !raw[0]) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscStrallocpy(raw, &copy));
  for (const char *c = raw; *c; c++) count += *c == ',';
  count++;
  if (count > nmax) snprintf(msg, sizeof(msg), "%s takes at most %d value%s, got %d ('%s')", name, (int)nmax, nmax == 1 ? "" : "s", (int)count, raw);
  else if (raw[strlen(raw) - 1] == ',' || raw[0] == ',' || strstr(raw, ",,")) snprintf(msg, sizeof(msg), "%s '%s' has an empty value", name, raw);
  for (tok = strtok_r(copy, ",", &save); tok && !msg[0]; tok = strtok_r(NULL, ",", &save)) {
    PetscInt  iv;
    PetscReal rv;
    if (integer) (void)SemgParseInt(name, tok, PETSC_MIN_INT, PETSC_MAX_INT, &iv, msg, sizeof(msg));
    else (void)SemgParseReal(name, tok, &rv, msg, sizeof(msg));
  }
  PetscCall(PetscFree(copy));
  PetscCheck(!msg[0], po->comm, SEMG_ERR_USER, "%s", msg);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOptionsRealArrayStrict(PetscOptionItems *po, const char opt[], const char text[], const char man[], PetscReal value[], PetscInt *n, PetscBool *set)
{
  PetscFunctionBeginUser;
  PetscCall(CheckList(po, opt, *n, PETSC_FALSE));
  PetscCall(PetscOptionsRealArray_Private(po, opt, text, man, value, n, set));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgOptionsIntArrayStrict(PetscOptionItems *po, const char opt[], const char text[], const char man[], PetscInt value[], PetscInt *n, PetscBool *set)
{
  PetscFunctionBeginUser;
  PetscCall(CheckList(po, opt, *n, PETSC_TRUE));
  PetscCall(PetscOptionsIntArray_Private(po, opt, text, man, value, n, set));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- before PetscInitialize --------------------------------------------------------------------- */

static int IsOptionsFileOption(const char *a)
{
  return !strcmp(a, "-options_file") || !strcmp(a, "-options_file_yaml");
}

int SemgPreInitialize(const char command[], int argc, char **argv)
{
  struct stat st;

  /* Past a file-size limit (ulimit -f) a write must fail with EFBIG and be reported, not kill us. */
  signal(SIGXFSZ, SIG_IGN);
  /* No HDF5 clean-up at exit: after a failed command it would close MPI-IO files after
     MPI_Finalize and abort (see SemgOutputRemoveTemps). Must precede any other HDF5 call. */
  H5dont_atexit();
  /* HDF5 would print its error stack for every malformed input; semg reports each error once */
  if (!getenv("SEMG_HDF5_DEBUG")) H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
#if defined(OPEN_MPI)
  /* Open MPI's default MPI-IO component (ompio) overflows a fixed buffer in its shared-file-pointer
     components (sm, lockedfile) for file paths of about 240 characters and aborts; ROMIO has no such
     limit and is what HDF5 is tested with. A user's own OMPI_MCA_io wins. */
  setenv("OMPI_MCA_io", "romio321", 0);
#endif
  for (int i = 1; i < argc; i++) {
    const char *f;
    if (!IsOptionsFileOption(argv[i])) continue;
    f = i + 1 < argc ? argv[i + 1] : "";
    if (!f[0] || f[0] == '-') {
      fprintf(stderr, "semg %s: error: %s needs a file name\n", command, argv[i]);
      return 2;
    }
    if (stat(f, &st) || access(f, R_OK)) {
      fprintf(stderr, "semg %s: error: option %s: cannot read '%s': %s\n", command, argv[i], f, strerror(errno));
      return 2;
    }
    if (!S_ISREG(st.st_mode)) {
      fprintf(stderr, "semg %s: error: option %s: '%s' is not a regular file; semg reads regular files only\n", command, argv[i], f);
      return 2;
    }
  }
  /* PETSc would print a multi-line traceback for an unreadable options file; SemgInitializeFailed
     prints one line instead. Printing is switched back on by SemgErrorHandlerPush. */
  PetscErrorPrintf = PetscErrorPrintfNone;
  return 0;
}

int SemgInitializeFailed(const char command[], int argc, char **argv)
{
  char files[1024] = "";

  for (int i = 1; i + 1 < argc; i++)
    if (IsOptionsFileOption(argv[i]) && strlen(files) + strlen(argv[i + 1]) + 8 < sizeof(files)) {
      if (files[0]) strcat(files, "', '");
      strcat(files, argv[i + 1]);
    }
  if (files[0]) {
    fprintf(stderr, "semg %s: error: -options_file '%s': cannot be parsed (YAML or options syntax error)\n", command, files);
    return 2;
  }
  fprintf(stderr, "semg %s: error: PETSc/MPI initialisation failed (bad PETSC_OPTIONS or .petscrc?)\n", command);
  return 1;
}
