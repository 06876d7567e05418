#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include "core/semg_error.h"
#include "core/semg_csv.h"
#include "core/semg_h5.h"
#include "estimator/synergy/metrics.h"
#include "estimator/synergy/synergy_io.h"

const char *const SemgSynergyMetricNames[SEMG_SYNERGY_NCOLS] = {"r2",           "vaf",       "sim_nmf",      "sim_nmf_min", "n_nmf_ge08",
                                                                "act_corr_nmf", "sim_true",  "sim_true_min", "n_true_ge08", "act_corr_true",
                                                                "hoyer",        "neg_share", "train_loss",   "pareto"};

#define MATCH_THRESHOLD 0.8

/* Column index of `name`, else of the given position; user error naming the file otherwise. */
static PetscErrorCode EventColumn(MPI_Comm comm, const SemgCSVTable *tab, const char *name, PetscInt fallback, PetscInt *idx)
{
  PetscFunctionBeginUser;
  PetscCall(SemgCSVColumn(comm, tab, name, PETSC_FALSE, idx));
  if (*idx < 0) *idx = fallback;
  PetscCheck(*idx < tab->ncols, comm, SEMG_ERR_USER, "-events %s: needs columns touchdown_s,liftoff_s (touchdown and lift-off times, s)", tab->path);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyInputRead(MPI_Comm comm, const char emg[], const char events[], const SemgEnvelopeParams *env, SemgSynergyInput *in)
{
  SemgCSVTable rec, ev;
  PetscInt     M, T, ne, ctd, clo;
  PetscReal   *x, *time, *td, *lo, dt;
  const char **names;
  char         what[PETSC_MAX_PATH_LEN + 8];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(in, sizeof(*in)));
  PetscCall(SemgCSVRead(comm, "-emg", emg, &rec));
  PetscCall(SemgCSVRead(comm, "-events", events, &ev));
  M = rec.ncols - 1;
  T = rec.nrows;
  PetscCheck(M >= 2, comm, SEMG_ERR_USER, "-emg %s: needs a time column and at least 2 muscle columns (has %d columns)", emg, (int)rec.ncols);
  PetscCheck(T >= 100, comm, SEMG_ERR_USER, "-emg %s: only %d samples", emg, (int)T);
  PetscCall(PetscMalloc2((size_t)M * T, &x, T, &time));
  PetscCall(PetscMalloc1(M, &names));
  for (PetscInt t = 0; t < T; t++) {
    time[t] = rec.values[(size_t)t * rec.ncols];
    for (PetscInt m = 0; m < M; m++) x[(size_t)m * T + t] = rec.values[(size_t)t * rec.ncols + 1 + m];
  }
  for (PetscInt t = 1; t < T; t++)
    PetscCheck(time[t] > time[t - 1], comm, SEMG_ERR_USER, "-emg %s line %d: time %g s does not increase", emg, (int)t + 2, (double)time[t]);
  dt = (time[T - 1] - time[0]) / (T - 1);
  for (PetscInt t = 1; t < T; t++)
    PetscCheck(PetscAbsReal(time[t] - time[t - 1] - dt) < 0.01 * dt, comm, SEMG_ERR_USER, "-emg %s line %d: sampling is not uniform (step %g s, mean %g s)", emg, (int)t + 2, (double)(time[t] - time[t - 1]), (double)dt);
  for (PetscInt m = 0; m < M; m++) names[m] = rec.names[1 + m];
  PetscCall(PetscSNPrintf(what, sizeof(what), "-emg %s", emg));
  /* the events first: they are cheap to check and name a different file */
  PetscCall(EventColumn(comm, &ev, "touchdown_s", 0, &ctd));
  PetscCall(EventColumn(comm, &ev, "liftoff_s", 1, &clo));
  ne = ev.nrows;
  PetscCall(PetscMalloc2(ne, &td, ne, &lo));
  for (PetscInt c = 0; c < ne; c++) {
    td[c] = ev.values[(size_t)c * ev.ncols + ctd];
    lo[c] = ev.values[(size_t)c * ev.ncols + clo];
  }
  {
    char ewhat[PETSC_MAX_PATH_LEN + 10];
    PetscCall(PetscSNPrintf(ewhat, sizeof(ewhat), "-events %s", events));
    PetscCall(SemgEnvelopeCheckEvents(env, ne, td, lo, time[0], time[T - 1], ewhat, &in->cycles));
  }
  in->fs = 1.0 / dt;
  PetscCall(SemgEnvelopeFilter(env, M, T, in->fs, what, names, x));
  in->M                = M;
  in->points_per_cycle = 2 * env->points_per_phase;
  in->T                = in->cycles * in->points_per_cycle;
  PetscCall(PetscMalloc1((size_t)M * in->T, &in->V));
  PetscCall(SemgEnvelopeNormaliseTime(env, M, T, time, x, ne, td, lo, in->cycles, in->V));
  PetscCall(PetscMalloc1(M, &in->names));
  for (PetscInt m = 0; m < M; m++) PetscCall(PetscStrncpy(in->names[m], names[m], SEMG_SYNERGY_NAME_LEN));
  PetscCall(PetscStrncpy(in->source, emg, sizeof(in->source)));
  PetscCall(PetscFree2(td, lo));
  PetscCall(PetscFree2(x, time));
  PetscCall(PetscFree(names));
  PetscCall(SemgCSVTableFree(&rec));
  PetscCall(SemgCSVTableFree(&ev));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyInputFree(SemgSynergyInput *in)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(in->V));
  PetscCall(PetscFree(in->names));
  PetscCall(PetscFree(in->W_true));
  PetscCall(PetscFree(in->H_true));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Metrics of one method's W (M x N), H (N x T) and reconstruction against NMF and the truth. */
static PetscErrorCode MetricsRow(const SemgSynergyInput *in, const SemgSynergyRun *run, const PetscReal *W, const PetscReal *H, const PetscReal *Vhat, PetscReal loss, PetscReal *row)
{
  PetscInt  M = in->M, T = in->T, N = run->N;
  SemgMatch mn, mt;

  PetscFunctionBeginUser;
  row[0] = SemgR2((PetscCount)M * T, in->V, Vhat);
  row[1] = SemgVAF((PetscCount)M * T, in->V, Vhat);
  PetscCall(SemgMatchSynergies(M, N, W, N, run->W_nmf, T, H, run->H_nmf, MATCH_THRESHOLD, &mn, NULL));
  row[2] = mn.mean;
  row[3] = mn.min;
  row[4] = mn.n_above;
  row[5] = mn.act_corr;
  if (in->W_true) {
    PetscCall(SemgMatchSynergies(M, N, W, in->N_true, in->W_true, T, H, in->H_true, MATCH_THRESHOLD, &mt, NULL));
    row[6] = mt.mean;
    row[7] = mt.min;
    row[8] = mt.n_above;
    row[9] = mt.act_corr;
  } else row[6] = row[7] = row[8] = row[9] = NAN;
  row[10] = SemgHoyerSparsity(M, N, W);
  row[11] = SemgNegativeShare((PetscCount)M * N, W);
  row[12] = loss;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyMetrics(const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS])
{
  PetscReal x[SEMG_SYNERGY_NROWS], y[SEMG_SYNERGY_NROWS];
  PetscInt  front[SEMG_SYNERGY_NROWS], ic = in->W_true ? 6 : 2;

  PetscFunctionBeginUser;
  PetscCall(
    MetricsRow(in, run, run->W_nmf, run->H_nmf, run->Vhat_nmf, SemgSumSquaredDiff((PetscCount)in->M * in->T, in->V, run->Vhat_nmf) / ((PetscReal)in->M * in->T), table[0]));
  for (PetscInt c = 0; c < SEMG_SYNERGY_NCONF; c++)
    PetscCall(MetricsRow(in, run, run->W_ae[c], run->H_ae[c], run->Vhat_ae[c], run->loss_ae[c], table[1 + c]));
  /* Pareto front of reconstruction (R^2) against interpretability (similarity to the truth when known,
     else to NMF) over the 16 autoencoders; NMF's flag says whether no autoencoder dominates it (on real
     data its similarity to itself is 1 by definition, so it is not part of the front) */
  for (PetscInt r = 0; r < SEMG_SYNERGY_NROWS; r++) {
    x[r] = table[r][0];
    y[r] = table[r][ic];
  }
  SemgParetoFront(SEMG_SYNERGY_NROWS, x, y, front);
  table[0][13] = front[0];
  SemgParetoFront(SEMG_SYNERGY_NCONF, x + 1, y + 1, front + 1);
  for (PetscInt r = 1; r < SEMG_SYNERGY_NROWS; r++) table[r][13] = front[r];
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void RowName(PetscInt r, char *name, size_t len)
{
  if (!r) snprintf(name, len, "nmf");
  else SemgSynergyConfigName(r - 1, name, len);
}

static PetscErrorCode WriteMatrix(SemgH5File *f, hid_t g, const char *name, PetscInt rows, PetscInt cols, const PetscReal *a)
{
  hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};

  PetscFunctionBeginUser;
  PetscCall(SemgH5WriteSmall(f, g, name, 2, dims, H5T_NATIVE_DOUBLE, a, "1"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteMethod(SemgH5File *f, hid_t parent, const char *name, const SemgSynergyInput *in, PetscInt N, const PetscReal *W, const PetscReal *H, const PetscReal *Vhat)
{
  hid_t g;

  PetscFunctionBeginUser;
  SemgCallH5Id(g, H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  PetscCall(WriteMatrix(f, g, "W", in->M, N, W));
  PetscCall(WriteMatrix(f, g, "H", N, in->T, H));
  PetscCall(WriteMatrix(f, g, "Vhat", in->M, in->T, Vhat));
  SemgCallH5(H5Gclose(g));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteContents(MPI_Comm comm, SemgH5File *f, const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS], const char *attrs)
{
  hid_t    root, g, ae;
  char     list[SEMG_SYNERGY_NROWS * 20] = "", muscles[64 * SEMG_SYNERGY_NAME_LEN] = "", name[32];
  hsize_t  n;
  PetscInt rules[4] = {run->n_rule[0], run->n_rule[1], run->n_rule[2], run->N};

  PetscFunctionBeginUser;
  SemgCallH5Id(root, H5Gopen2(f->file, "/", H5P_DEFAULT));
  PetscCall(SemgH5WriteAttrString(root, "schema_name", "semg-synergy"));
  PetscCall(SemgH5WriteAttrInt(root, "schema_version", 1));
  PetscCall(SemgH5WriteAttrString(root, "source", in->source));
  PetscCall(SemgH5WriteAttrString(root, "parameters", attrs));
  PetscCall(SemgH5WriteProvenance(comm, f, root));
  SemgCallH5(H5Gclose(root));
  SemgCallH5Id(g, H5Gcreate2(f->file, "/input", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  for (PetscInt m = 0; m < in->M; m++) {
    PetscCall(PetscStrlcat(muscles, in->names[m], sizeof(muscles)));
    if (m + 1 < in->M) PetscCall(PetscStrlcat(muscles, ",", sizeof(muscles)));
  }
  PetscCall(SemgH5WriteAttrString(g, "muscles", muscles));
  PetscCall(SemgH5WriteAttrInt(g, "cycles", in->cycles));
  PetscCall(SemgH5WriteAttrInt(g, "points_per_cycle", in->points_per_cycle));
  PetscCall(WriteMatrix(f, g, "V", in->M, in->T, in->V));
  if (in->W_true) {
    PetscCall(WriteMatrix(f, g, "W_true", in->M, in->N_true, in->W_true));
    PetscCall(WriteMatrix(f, g, "H_true", in->N_true, in->T, in->H_true));
  }
  SemgCallH5(H5Gclose(g));
  SemgCallH5Id(g, H5Gcreate2(f->file, "/nmf", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  n = (hsize_t)run->nmax;
  PetscCall(SemgH5WriteSmall(f, g, "rank_r2", 1, &n, H5T_NATIVE_DOUBLE, run->rank_r2, "1"));
  PetscCall(SemgH5WriteSmall(f, g, "rank_vaf", 1, &n, H5T_NATIVE_DOUBLE, run->rank_vaf, "1"));
  PetscCall(SemgH5WriteSmall(f, g, "rank_iterations", 1, &n, sizeof(PetscInt) == 4 ? H5T_NATIVE_INT : H5T_NATIVE_LLONG, run->rank_iters, NULL));
  n = 4;
  PetscCall(SemgH5WriteSmall(f, g, "n_by_rule", 1, &n, sizeof(PetscInt) == 4 ? H5T_NATIVE_INT : H5T_NATIVE_LLONG, rules, NULL));
  PetscCall(SemgH5WriteAttrString(g, "n_by_rule_names", "vaf,r2fit,elbow,used"));
  PetscCall(WriteMethod(f, g, "best", in, run->N, run->W_nmf, run->H_nmf, run->Vhat_nmf));
  SemgCallH5(H5Gclose(g));
  SemgCallH5Id(ae, H5Gcreate2(f->file, "/ae", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  for (PetscInt c = 0; c < SEMG_SYNERGY_NCONF; c++) {
    SemgSynergyConfigName(c, name, sizeof(name));
    PetscCall(WriteMethod(f, ae, name, in, run->N, run->W_ae[c], run->H_ae[c], run->Vhat_ae[c]));
  }
  SemgCallH5(H5Gclose(ae));
  for (PetscInt r = 0; r < SEMG_SYNERGY_NROWS; r++) {
    RowName(r, name, sizeof(name));
    PetscCall(PetscStrlcat(list, name, sizeof(list)));
    if (r + 1 < SEMG_SYNERGY_NROWS) PetscCall(PetscStrlcat(list, ",", sizeof(list)));
  }
  PetscCall(WriteMatrix(f, f->file, "metrics", SEMG_SYNERGY_NROWS, SEMG_SYNERGY_NCOLS, &table[0][0]));
  {
    hid_t d;
    char  cols[SEMG_SYNERGY_NCOLS * 16] = "";
    for (PetscInt k = 0; k < SEMG_SYNERGY_NCOLS; k++) {
      PetscCall(PetscStrlcat(cols, SemgSynergyMetricNames[k], sizeof(cols)));
      if (k + 1 < SEMG_SYNERGY_NCOLS) PetscCall(PetscStrlcat(cols, ",", sizeof(cols)));
    }
    SemgCallH5Id(d, H5Dopen2(f->file, "metrics", H5P_DEFAULT));
    PetscCall(SemgH5WriteAttrString(d, "rows", list));
    PetscCall(SemgH5WriteAttrString(d, "columns", cols));
    SemgCallH5(H5Dclose(d));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyWriteH5(MPI_Comm comm, const char path[], const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS], const char *attrs)
{
  SemgH5File     f;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(SemgH5CreateAtomic(comm, path, &f));
  ierr = WriteContents(comm, &f, in, run, table, attrs);
  if (ierr) {
    (void)SemgH5Abandon(comm, &f);
    PetscCall(ierr);
  }
  PetscCall(SemgH5Close(comm, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Column order of W matched to the reference set (truth when known, else NMF): order[j] = W's column shown
   as synergy j + 1. */
static PetscErrorCode MatchedOrder(const SemgSynergyInput *in, const SemgSynergyRun *run, const PetscReal *W, PetscInt *order)
{
  PetscInt         N = run->N, Nr = in->W_true ? in->N_true : N, n = PetscMax(N, Nr), perm[64], k = 0;
  const PetscReal *ref = in->W_true ? in->W_true : run->W_nmf;
  SemgMatch        m;

  PetscFunctionBeginUser;
  PetscCall(SemgMatchSynergies(in->M, N, W, Nr, ref, 0, NULL, NULL, MATCH_THRESHOLD, &m, perm));
  for (PetscInt j = 0; j < n; j++) /* reference order first, unmatched columns after */
    for (PetscInt a = 0; a < N; a++)
      if (perm[a] == j) order[k++] = a;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteSet(const char *dir, const char *method, const SemgSynergyInput *in, const SemgSynergyRun *run, PetscInt N, const PetscReal *W, const PetscReal *H)
{
  char     path[PETSC_MAX_PATH_LEN];
  FILE    *fp;
  PetscInt order[64], P = in->points_per_cycle;

  PetscFunctionBeginUser;
  if (N == run->N) PetscCall(MatchedOrder(in, run, W, order));
  else
    for (PetscInt a = 0; a < N; a++) order[a] = a;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/synergies_%s.csv", dir, method));
  PetscCall(SemgCSVOpen(path, &fp));
  fprintf(fp, "muscle");
  for (PetscInt a = 0; a < N; a++) fprintf(fp, ",S%d", (int)a + 1);
  fprintf(fp, "\n");
  for (PetscInt m = 0; m < in->M; m++) {
    fprintf(fp, "%s", in->names[m]);
    for (PetscInt a = 0; a < N; a++) fprintf(fp, ",%.6f", (double)W[m * N + order[a]]);
    fprintf(fp, "\n");
  }
  PetscCall(SemgCSVClose(path, &fp));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/activations_%s.csv", dir, method));
  PetscCall(SemgCSVOpen(path, &fp));
  fprintf(fp, "cycle_percent");
  for (PetscInt a = 0; a < N; a++) fprintf(fp, ",S%d", (int)a + 1);
  fprintf(fp, "\n");
  for (PetscInt k = 0; k < P; k++) { /* mean over cycles */
    fprintf(fp, "%.2f", 100.0 * k / P);
    for (PetscInt a = 0; a < N; a++) {
      PetscReal s = 0;
      for (PetscInt c = 0; c < in->cycles; c++) s += H[(size_t)order[a] * in->T + c * P + k];
      fprintf(fp, ",%.6f", (double)(s / in->cycles));
    }
    fprintf(fp, "\n");
  }
  PetscCall(SemgCSVClose(path, &fp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteTablesRank0(const char dir[], const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS])
{
  char  path[PETSC_MAX_PATH_LEN], name[32];
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/metrics.csv", dir));
  PetscCall(SemgCSVOpen(path, &fp));
  fprintf(fp, "method,encoder,decoder");
  for (PetscInt k = 0; k < SEMG_SYNERGY_NCOLS; k++) fprintf(fp, ",%s", SemgSynergyMetricNames[k]);
  fprintf(fp, "\n");
  for (PetscInt r = 0; r < SEMG_SYNERGY_NROWS; r++) {
    RowName(r, name, sizeof(name));
    fprintf(fp, "%s,%s,%s", name, r ? SemgSynergyActivationNames[(r - 1) / 4] : "-", r ? SemgSynergyActivationNames[(r - 1) % 4] : "-");
    for (PetscInt k = 0; k < SEMG_SYNERGY_NCOLS; k++) {
      if (isnan(table[r][k])) fprintf(fp, ",");
      else fprintf(fp, ",%.6g", (double)table[r][k]);
    }
    fprintf(fp, "\n");
  }
  PetscCall(SemgCSVClose(path, &fp));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/rank.csv", dir));
  PetscCall(SemgCSVOpen(path, &fp));
  fprintf(fp, "N,r2,vaf,iterations,n_vaf,n_r2fit,n_elbow,n_used\n");
  for (PetscInt n = 0; n < run->nmax; n++)
    fprintf(fp, "%d,%.6f,%.6f,%d,%d,%d,%d,%d\n", (int)n + 1, (double)run->rank_r2[n], (double)run->rank_vaf[n], (int)run->rank_iters[n], (int)run->n_rule[0],
            (int)run->n_rule[1], (int)run->n_rule[2], (int)run->N);
  PetscCall(SemgCSVClose(path, &fp));
  PetscCall(WriteSet(dir, "nmf", in, run, run->N, run->W_nmf, run->H_nmf));
  if (in->W_true) PetscCall(WriteSet(dir, "truth", in, run, in->N_true, in->W_true, in->H_true));
  for (PetscInt c = 0; c < SEMG_SYNERGY_NCONF; c++) {
    char *p;
    SemgSynergyConfigName(c, name, sizeof(name));
    if ((p = strchr(name, '+'))) *p = '_';
    PetscCall(WriteSet(dir, name, in, run, run->N, run->W_ae[c], run->H_ae[c]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSynergyWriteTables(MPI_Comm comm, const char dir[], const SemgSynergyInput *in, const SemgSynergyRun *run, PetscReal table[SEMG_SYNERGY_NROWS][SEMG_SYNERGY_NCOLS])
{
  PetscMPIInt    rank;
  PetscErrorCode ierr = PETSC_SUCCESS;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    (void)mkdir(dir, 0777); /* one level; SemgCSVOpen reports a directory that still cannot be written */
    ierr = WriteTablesRank0(dir, in, run, table);
  }
  PetscCall(SemgShareError(comm, ierr));
  PetscFunctionReturn(PETSC_SUCCESS);
}
