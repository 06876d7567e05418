/* semg study plan|run: expand a study spec into DIR/plan.tsv (+ index.tsv, spec.yaml, electrodes.csv)
   and, for run, execute it with the bash runner experiments/study-run.

   Why a bash runner and not MPI from here: `run` launches `mpiexec -n RANKS semg ...` for every step.
   Starting mpiexec from inside an MPI process (even a singleton) is fragile with Open MPI (inherited
   OMPI_ and PMIX_ variables make the child believe it is part of this job), so the C side only expands
   the plan; `semg study run` then forks one shell with those variables removed and waits for it, and
   the shell runs each step through experiments/study-step, the step runner the Slurm back end shares. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "experiments/commands.h"
#include "experiments/study.h"

#ifndef SEMG_SOURCE_DIR
  #define SEMG_SOURCE_DIR "."
#endif

typedef struct {
  char     spec[PETSC_MAX_PATH_LEN], results[PETSC_MAX_PATH_LEN], preset[16], action[16];
  PetscInt ranks;
} StudyCtx;

static PetscErrorCode ProcessOptions(MPI_Comm comm, StudyCtx *ctx)
{
  PetscBool set_s, set_r;
  int       argc;
  char    **argv;

  PetscFunctionBeginUser;
  /* the action is the word after the command name (semg study plan ...), the rest are options */
  PetscCall(PetscGetArgs(&argc, &argv));
  if (argc >= 2) PetscCall(PetscStrncpy(ctx->action, argv[1], sizeof(ctx->action)));
  PetscCall(PetscStrncpy(ctx->preset, "small", sizeof(ctx->preset)));
  ctx->ranks = 0;
  PetscOptionsBegin(comm, NULL, "semg study: expand (plan) and execute (run) a study spec", "semg");
  PetscCall(PetscOptionsString("-spec", "study spec (YAML, docs/studies.md)", "", ctx->spec, ctx->spec, sizeof(ctx->spec), &set_s));
  PetscCall(PetscOptionsString("-results", "results folder of the study (created; the steps run in it)", "", ctx->results, ctx->results, sizeof(ctx->results), &set_r));
  PetscCall(PetscOptionsString("-preset", "size preset: quick, small or paper (spec section 7)", "", ctx->preset, ctx->preset, sizeof(ctx->preset), NULL));
  PetscCall(PetscOptionsInt("-ranks", "MPI ranks per step (0 = the spec's study.ranks)", "", ctx->ranks, &ctx->ranks, NULL));
  PetscOptionsEnd();
  /* -help lists the options and stops before the checks */
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCheck(!strcmp(ctx->action, "plan") || !strcmp(ctx->action, "run"), comm, SEMG_ERR_USER, "usage: semg study plan|run -spec S.yaml -results DIR [-preset quick|small|paper] [-ranks N]");
  PetscCall(SemgOptionsRequire(comm, "-spec", set_s));
  PetscCall(SemgOptionsRequire(comm, "-results", set_r));
  PetscCheck(ctx->ranks >= 0, comm, SEMG_ERR_USER, "-ranks must be >= 0 (got %d)", (int)ctx->ranks);
  PetscCall(SemgCheckInputPath(comm, "-spec", ctx->spec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Creates DIR and its subfolders; a folder we cannot write is a user error naming it. */
static PetscErrorCode MakeFolders(const char dir[])
{
  const char *sub[] = {"", "/data", "/models", "/est", "/lf", "/logs"};
  char        path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s%s", dir, sub[i]));
    PetscCheck(!mkdir(path, 0777) || errno == EEXIST, PETSC_COMM_SELF, SEMG_ERR_USER, "-results: cannot create folder '%s' (%s)", path, strerror(errno));
    PetscCheck(!access(path, W_OK | X_OK), PETSC_COMM_SELF, SEMG_ERR_USER, "-results: folder '%s' is not writable", path);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* DIR/name, written through NAME.tmp and a rename (SemgCSVOpen/Close): a reader never sees half a file. */
static PetscErrorCode OpenIn(const char dir[], const char name[], char path[], FILE **fp)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", dir, name));
  PetscCall(SemgCSVOpen(path, fp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteFiles(const StudyCtx *ctx, const SemgStudy *st, PetscInt n, const SemgStudyStep *s, PetscInt nrow, const SemgStudyIndexRow *row)
{
  char  fin[PETSC_MAX_PATH_LEN], line[4096];
  FILE *fp, *in;

  PetscFunctionBeginUser;
  PetscCall(OpenIn(ctx->results, "plan.tsv", fin, &fp));
  fprintf(fp, "id\tkind\tdeps\tranks\test_seconds\toutputs\targs\n");
  for (PetscInt i = 0; i < n; i++)
    fprintf(fp, "%s\t%s\t%s\t%d\t%.0f\t%s\t%s\n", s[i].id, s[i].kind, s[i].deps, (int)s[i].ranks, (double)s[i].est_seconds, s[i].outputs, s[i].args);
  PetscCall(SemgCSVClose(fin, &fp));
  PetscCall(OpenIn(ctx->results, "index.tsv", fin, &fp));
  fprintf(fp, "file\tkind\taxis\tlevel\tlabel\tvalue\tunit\testimator\ttrain_seed\n");
  for (PetscInt i = 0; i < nrow; i++)
    fprintf(fp, "%s\t%s\t%s\t%d\t%s\t%.10g\t%s\t%s\t%s\n", row[i].file, row[i].kind, row[i].axis, (int)row[i].level, row[i].label, (double)row[i].value,
            row[i].unit, row[i].estimator, row[i].seed);
  PetscCall(SemgCSVClose(fin, &fp));
  /* the study is self-contained: its spec travels with the results (unless it is already there) */
  PetscCall(OpenIn(ctx->results, "spec.yaml", fin, &fp));
  in = fopen(ctx->spec, "r");
  if (!in) PetscCall(SemgCSVClose(fin, &fp));
  PetscCheck(in, PETSC_COMM_SELF, SEMG_ERR_USER, "-spec: cannot read '%s'", ctx->spec);
  while (fgets(line, sizeof(line), in)) fputs(line, fp);
  fclose(in);
  PetscCall(SemgCSVClose(fin, &fp));
  /* the nominal array of the reference (16 electrodes, 5 mm, skin plane) for grid lead fields */
  PetscCall(OpenIn(ctx->results, "electrodes.csv", fin, &fp));
  fprintf(fp, "x,y,z\n");
  for (int e = 0; e < 16; e++) fprintf(fp, "%.6g,0,0\n", (e - 7.5) * 0.005);
  PetscCall(SemgCSVClose(fin, &fp));
  (void)st;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void FormatSeconds(double s, char *buf, size_t len)
{
  if (s < 120) (void)PetscSNPrintf(buf, len, "%.0f s", s);
  else if (s < 7200) (void)PetscSNPrintf(buf, len, "%.1f min", s / 60);
  else (void)PetscSNPrintf(buf, len, "%.1f h", s / 3600);
}

static PetscErrorCode PrintPlan(MPI_Comm comm, const StudyCtx *ctx, const SemgStudy *st, PetscInt n, const SemgStudyStep *s)
{
  const char *kinds[] = {"leadfield", "trainset", "train", "testset", "estimate", "baseline", "collect", "report"};
  double      wall = 0, core = 0;
  char        a[32], b[32];

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "study %s (%s), preset %s: %d axes, %d estimators, n_test %d, n_train %d, %d training seed(s), %d epochs, %d ranks per step\n", st->name, st->kind, st->preset,
                        (int)st->n_axes, (int)st->n_est, (int)st->n_test, (int)st->n_train, (int)st->n_seeds, (int)st->epochs, (int)st->ranks));
  PetscCall(PetscPrintf(comm, "%-10s %6s %12s %12s   %s\n", "kind", "steps", "wall", "core-hours", "first step"));
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    PetscInt    cnt = 0;
    double      w = 0, c = 0;
    const char *first = NULL;
    for (PetscInt i = 0; i < n; i++)
      if (!strcmp(s[i].kind, kinds[k])) {
        if (!first) first = s[i].id;
        cnt++, w += s[i].est_seconds, c += s[i].est_seconds * s[i].ranks;
      }
    if (!cnt) continue;
    FormatSeconds(w, a, sizeof(a));
    PetscCall(PetscPrintf(comm, "%-10s %6d %12s %12.3f   %s\n", kinds[k], (int)cnt, a, c / 3600, first));
    wall += w, core += c;
  }
  FormatSeconds(wall, b, sizeof(b));
  PetscCall(PetscPrintf(comm, "%-10s %6d %12s %12.3f   (estimate from the per-step costs in docs/performance.md)\n", "total", (int)n, b, core / 3600));
  PetscCall(PetscPrintf(comm, "plan: %s/plan.tsv (%d steps, one line each with its command; experiments/study-step %s ID runs one)\n", ctx->results, (int)n,
                        ctx->results));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* run: one shell, without this process's MPI environment, runs the plan (experiments/study-run). */
static PetscErrorCode RunPlan(const StudyCtx *ctx, PetscInt ranks)
{
  extern char **environ;
  char          runner[PETSC_MAX_PATH_LEN], nr[16];
  const char   *env = getenv("SEMG_STUDY_RUNNER");
  pid_t         pid;
  int           status = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(runner, sizeof(runner), "%s", env ? env : SEMG_SOURCE_DIR "/experiments/study-run"));
  PetscCheck(!access(runner, R_OK), PETSC_COMM_SELF, SEMG_ERR_USER, "study runner '%s' not found (set SEMG_STUDY_RUNNER)", runner);
  PetscCall(PetscSNPrintf(nr, sizeof(nr), "%d", (int)ranks));
  fflush(stdout);
  pid = fork();
  PetscCheck(pid >= 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "fork failed");
  if (pid == 0) {
    /* drop the variables of this MPI job (OMPI_COMM_*, PMIX_*, OMPI_MCA_ess_*, ...) but keep the
       user's MCA settings (oversubscribe, binding) */
    for (char **e = environ; *e;) {
      if ((!strncmp(*e, "OMPI_", 5) && strncmp(*e, "OMPI_MCA_", 9) && strncmp(*e, "OMPI_ALLOW", 10)) || !strncmp(*e, "PMIX_", 5) || !strncmp(*e, "OMPI_MCA_ess", 12) || !strncmp(*e, "OMPI_MCA_orte_", 14) || !strncmp(*e, "OMPI_MCA_pmix", 13)) {
        char   name[256];
        size_t k = strcspn(*e, "=");
        if (k >= sizeof(name)) k = sizeof(name) - 1;
        memcpy(name, *e, k), name[k] = 0;
        unsetenv(name);
      } else e++;
    }
    execlp("bash", "bash", runner, ctx->results, nr, (char *)NULL);
    _exit(127);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) PetscFunctionReturn(PETSC_SUCCESS);
  SETERRQ(PETSC_COMM_SELF, SEMG_ERR_USER, "study %s: some steps failed (listed above; logs in %s/logs)", ctx->results, ctx->results);
}

PetscErrorCode SemgCmdStudy(MPI_Comm comm)
{
  StudyCtx           ctx;
  SemgStudy          st;
  SemgStudyStep     *steps = NULL;
  SemgStudyIndexRow *rows  = NULL;
  PetscInt           n = 0, nrow = 0;
  PetscMPIInt        size, rank;
  PetscErrorCode     ierr = PETSC_SUCCESS;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&ctx, sizeof(ctx)));
  PetscCall(ProcessOptions(comm, &ctx));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(size == 1, comm, SEMG_ERR_USER, "semg study runs on one process (the steps get -ranks N each); start it without mpiexec");
  PetscCall(SemgStudyRead(comm, ctx.spec, ctx.preset, &st));
  if (ctx.ranks) st.ranks = ctx.ranks;
  PetscCall(MakeFolders(ctx.results));
  PetscCall(SemgStudyExpand(&st, &n, &steps, &nrow, &rows));
  PetscCall(WriteFiles(&ctx, &st, n, steps, nrow, rows));
  PetscCall(PrintPlan(comm, &ctx, &st, n, steps));
  if (!strcmp(ctx.action, "run")) ierr = RunPlan(&ctx, st.ranks);
  PetscCall(SemgStudyStepsDestroy(n, &steps));
  PetscCall(PetscFree(rows));
  PetscCall(ierr);
  PetscFunctionReturn(PETSC_SUCCESS);
}
