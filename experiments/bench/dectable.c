static char help[] = "bench/dectable: a tabulated decoder against its forward model, side by side in one run.\n"
                     "Builds the decoder (-dec_* options as semg train, with -dec_table -dec_model ...) for a linear array\n"
                     "(-bench_ne 16 electrodes at -bench_ied 0.005 m, -bench_rows 1 rows -bench_row_gap 0.005 m apart,\n"
                     "single differential), -bench_nt 200 times at -bench_fs 5000 Hz, and reports: table memory and build\n"
                     "time; max |table - model| / max |model| of the decoder output over -bench_latents 10000 random latents;\n"
                     "the largest relative difference between the table's analytic tangents and central differences of the\n"
                     "table (and, for CCS, the exact decoder's tangents); CPU time per sample with tangents, table vs exact.\n"
                     "Usage: mpiexec -n W bench/dectable -dec_table [-dec_latent_depth] [-dec_model layered] ...\n";

#include <time.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "estimator/nn/dectable_build.h"

typedef struct {
  PetscInt  ne, rows, nt, latents, timing;
  PetscReal ied, gap, fs;
} BenchOptions;

static PetscErrorCode BenchGeometry(const BenchOptions *b, PetscReal **exyz, PetscInt **che, PetscReal **chw, SemgDecoderGeometry *geo)
{
  const PetscInt ne = b->ne * b->rows, nc = (b->ne - 1) * b->rows;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(3 * ne, exyz, 3 * nc, che, 3 * nc, chw));
  for (PetscInt r = 0; r < b->rows; r++)
    for (PetscInt e = 0; e < b->ne; e++) {
      PetscReal *p = *exyz + 3 * (r * b->ne + e);
      p[0] = (e - 0.5 * (b->ne - 1)) * b->ied, p[1] = (r - 0.5 * (b->rows - 1)) * b->gap, p[2] = 0.0;
    }
  for (PetscInt r = 0; r < b->rows; r++)
    for (PetscInt c = 0; c < b->ne - 1; c++) {
      const PetscInt k = r * (b->ne - 1) + c;
      (*che)[3 * k] = r * b->ne + c, (*che)[3 * k + 1] = r * b->ne + c + 1, (*che)[3 * k + 2] = -1;
      (*chw)[3 * k] = 1.0, (*chw)[3 * k + 1] = -1.0, (*chw)[3 * k + 2] = 0.0;
    }
  geo->ne = ne, geo->nc = nc, geo->nt = b->nt, geo->fs = b->fs, geo->exyz = *exyz, geo->ch_e = *che, geo->ch_w = *chw;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Random latents strictly inside the box (central differences need a step on either side). */
static void BenchLatent(const SemgDecoder *dec, PetscInt s, PetscReal *theta)
{
  SemgRng rng;
  SemgRngInit(&rng, 4242, (uint64_t)s, SEMG_STREAM_USER);
  for (PetscInt j = 0; j < dec->K; j++) {
    const PetscReal w = dec->scaler.hi[j] - dec->scaler.lo[j];
    theta[j]          = SemgRngUniformRange(&rng, dec->scaler.lo[j] + 1e-3 * w, dec->scaler.hi[j] - 1e-3 * w);
  }
}

/* Largest |J_table - FD(table)| / max |J| and, for CCS, |J_table - J_exact| / max |J_exact| per latent. */
static PetscErrorCode BenchTangents(SemgDecoder *dec, PetscInt n, PetscReal *fd_err, PetscReal *exact_err)
{
  const size_t nct = (size_t)dec->nc * dec->nt;
  PetscReal   *J, *Je, *yp, *ym, theta[3];
  SemgDecTable tab = dec->table;

  PetscFunctionBeginUser;
  *fd_err = *exact_err = 0.0;
  PetscCall(PetscMalloc4(3 * nct, &J, 3 * nct, &Je, nct, &yp, nct, &ym));
  for (PetscInt s = 0; s < n; s++) {
    BenchLatent(dec, s, theta);
    PetscCall(SemgDecoderApply(dec, theta, dec->y, J));
    for (PetscInt j = 0; j < dec->K; j++) {
      const PetscReal h = 1e-4 * (dec->scaler.hi[j] - dec->scaler.lo[j]), t0 = theta[j];
      PetscReal       num = 0, den = 0;
      theta[j] = t0 + h;
      PetscCall(SemgDecoderApply(dec, theta, yp, NULL));
      theta[j] = t0 - h;
      PetscCall(SemgDecoderApply(dec, theta, ym, NULL));
      theta[j] = t0;
      for (size_t i = 0; i < nct; i++)
        num = PetscMax(num, PetscAbsReal(J[j * nct + i] - (yp[i] - ym[i]) / (2 * h))), den = PetscMax(den, PetscAbsReal(J[j * nct + i]));
      *fd_err = PetscMax(*fd_err, num / den);
    }
    if (tab->opt.model == SEMG_DECMODEL_CCS) {
      dec->table = NULL;
      PetscCall(SemgDecoderApply(dec, theta, dec->y, Je));
      dec->table = tab;
      for (PetscInt j = 0; j < dec->K; j++) {
        PetscReal num = 0, den = 0;
        for (size_t i = 0; i < nct; i++)
          num = PetscMax(num, PetscAbsReal(J[j * nct + i] - Je[j * nct + i])), den = PetscMax(den, PetscAbsReal(Je[j * nct + i]));
        *exact_err = PetscMax(*exact_err, num / den);
      }
    }
  }
  PetscCall(PetscFree4(J, Je, yp, ym));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* CPU seconds per decoder application with tangents (table when use_table, else exact CCS). */
static PetscErrorCode BenchTime(SemgDecoder *dec, PetscBool use_table, PetscInt n, PetscReal *sec)
{
  SemgDecTable tab = dec->table;
  PetscReal    theta[3];
  clock_t      c0;

  PetscFunctionBeginUser;
  if (!use_table) dec->table = NULL;
  c0 = clock();
  for (PetscInt s = 0; s < n; s++) {
    BenchLatent(dec, s, theta);
    PetscCall(SemgDecoderApply(dec, theta, dec->y, dec->J));
  }
  *sec       = (PetscReal)(clock() - c0) / CLOCKS_PER_SEC / n;
  dec->table = tab;
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  BenchOptions        b = {16, 1, 200, 10000, 2000, 0.005, 0.005, 5000.0};
  SemgDecoderSpec     spec;
  SemgDecoderGeometry geo;
  SemgDecoder        *dec;
  SemgCCSParams       par;
  PetscReal          *exyz, *chw, err, fd_err, ex_err, t_tab, t_ex = 0;
  PetscInt           *che;
  PetscLogDouble      t0, t1;
  size_t              bytes;
  MPI_Comm            comm;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  comm = PETSC_COMM_WORLD;
  PetscOptionsBegin(comm, "bench_", "bench/dectable", "");
  PetscCall(PetscOptionsInt("-ne", "electrodes per row", "", b.ne, &b.ne, NULL));
  PetscCall(PetscOptionsInt("-rows", "rows across the fibres", "", b.rows, &b.rows, NULL));
  PetscCall(PetscOptionsReal("-ied", "inter-electrode distance (m)", "", b.ied, &b.ied, NULL));
  PetscCall(PetscOptionsReal("-row_gap", "row spacing (m)", "", b.gap, &b.gap, NULL));
  PetscCall(PetscOptionsInt("-nt", "times", "", b.nt, &b.nt, NULL));
  PetscCall(PetscOptionsReal("-fs", "sampling rate (Hz)", "", b.fs, &b.fs, NULL));
  PetscCall(PetscOptionsInt("-latents", "random latents of the accuracy check", "", b.latents, &b.latents, NULL));
  PetscCall(PetscOptionsInt("-timing", "decoder applications timed (table; exact: a tenth)", "", b.timing, &b.timing, NULL));
  PetscOptionsEnd();
  PetscCheck(b.ne >= 2 && b.rows >= 1 && b.nt >= 8, comm, SEMG_ERR_USER, "-bench_ne >= 2, -bench_rows >= 1, -bench_nt >= 8");
  PetscCall(SemgDecoderSpecDefault(&spec));
  PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(SemgDecoderSpecSetFromOptions(comm, &spec));
  PetscCheck(spec.table.use, comm, SEMG_ERR_USER, "bench/dectable needs -dec_table");
  PetscCall(BenchGeometry(&b, &exyz, &che, &chw, &geo));
  PetscCall(SemgDecoderCreate(&spec, &geo, &dec));
  PetscCall(SemgCCSParamsSetFromOptions(&par, NULL)); /* -ccs_charge_conserving, -ccs_anisotropic ... */
  PetscCall(SemgDecoderSetCCSParams(dec, &par));
  PetscCall(PetscTime(&t0));
  PetscCall(SemgDecoderUseTable(comm, dec));
  PetscCall(PetscTime(&t1));
  PetscCall(SemgDecTableBytes(dec->table, &bytes));
  PetscCall(PetscPrintf(comm, "bench/dectable: model %s%s, K %d, %d electrodes (%d rows), %d times: table %.1f MB per rank, set-up %.2f s (%s)\n",
                        SemgDecModels[spec.table.model],
                        par.charge_conserving ? " (charge-conserving)"
                        : par.anisotropic     ? " (anisotropic)"
                                              : "",
                        (int)dec->K, (int)geo.ne, (int)dec->table->nrow, (int)b.nt, bytes / 1e6, (double)(t1 - t0), dec->table->from_cache ? "from cache" : "built"));
  PetscCall(SemgDecTableCheck(comm, dec->table, dec, b.latents, 777, &err));
  PetscCall(PetscPrintf(comm, "bench/dectable: max |table - model| / max |model| over %d random latents: %.3e\n", (int)b.latents, (double)err));
  PetscCall(BenchTangents(dec, 50, &fd_err, &ex_err));
  PetscCall(PetscPrintf(comm, "bench/dectable: tangents vs central differences of the table (50 latents, step 1e-4 of the range): %.2e; vs the exact decoder's tangents: %s%.2e\n", (double)fd_err,
                        spec.table.model == SEMG_DECMODEL_CCS ? "" : "(not CCS) ", (double)ex_err));
  PetscCall(BenchTime(dec, PETSC_TRUE, b.timing, &t_tab));
  if (spec.table.model == SEMG_DECMODEL_CCS) PetscCall(BenchTime(dec, PETSC_FALSE, PetscMax(1, b.timing / 10), &t_ex));
  PetscCall(PetscPrintf(comm, "bench/dectable: decoder with tangents, CPU per sample: table %.4f ms, exact CCS %.4f ms, ratio %.1fx\n", (double)(1e3 * t_tab), (double)(1e3 * t_ex), t_ex > 0 ? (double)(t_ex / t_tab) : 0.0));
  PetscCall(SemgDecoderDestroy(&dec));
  PetscCall(PetscFree3(exyz, che, chw));
  PetscCall(PetscFinalize());
  return 0;
}
