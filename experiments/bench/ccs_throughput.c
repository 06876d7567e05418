static char help[] = "CCS kernel throughput: source-electrode terms per second for a 1000-fibre MU on 64 electrodes,\n"
                     "against a straightforward scalar loop and the machine's sqrt+divide peak, on 1 and 2 ranks.\n"
                     "Run: mpiexec -n 2 build/bench/ccs_throughput [-fibres 1000] [-samples 120 (12 ms at 10 kHz, both APs alive)] [-repeat 5]\n";

#include <math.h>
#include <stdlib.h>
#include "core/semg_error.h"
#include "core/semg_dataset.h"
#include "sim/ccs.h"
#include "sim/fibres.h"
#include "sim/electrodes.h"

/* The straightforward implementation: electrode by electrode, time by time, fibre by fibre, each
   term computed where it is needed (sources recomputed per electrode), no vectorisation. */
__attribute__((optimize("no-tree-vectorize"))) static void NaiveScalar(const SemgCCSParams *par, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *e, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  SemgCCSSources src;
  for (PetscInt i = 0; i < ne; i++)
    for (PetscInt k = 0; k < nt; k++) {
      PetscReal acc = 0;
      for (PetscInt j = 0; j < nf; j++) {
        SemgCCSFibreSources(par, &f[j], f[j].cv * (k * dt), PETSC_FALSE, &src);
        for (PetscInt s = 0; s < src.n; s++) {
          const PetscReal dx = src.p[s][0] - e[3 * i], dy = src.p[s][1] - e[3 * i + 1], dz = src.p[s][2] - e[3 * i + 2];
          acc += src.current[s] / sqrt(dx * dx + dy * dy + dz * dz);
        }
      }
      phi[(size_t)i * nt + k] = acc;
    }
}

/* Peak of the bound: independent sqrt + divide pairs, vectorised, in cache. */
static double SqrtDividePeak(void)
{
  enum { N = 4096 };
  static double a[N], b[N];
  double        best = 0;

  for (int i = 0; i < N; i++) a[i] = 1.0 + i * 1e-3, b[i] = 0.5 + i * 1e-4;
  for (int rep = 0; rep < 5; rep++) {
    const int      iters = 20000;
    PetscLogDouble t0, t1;
    PetscTime(&t0);
    for (int it = 0; it < iters; it++) {
      for (int i = 0; i < N; i++) b[i] += 1.0 / sqrt(a[i] + b[i] * 1e-9);
      __asm__ volatile("" : : "r"(b) : "memory");
    }
    PetscTime(&t1);
    best = fmax(best, (double)iters * N / (t1 - t0));
  }
  return best;
}

static int CompareDouble(const void *x, const void *y)
{
  const double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Time the fibres [start, start+n) on this rank; every rank waits for the slowest. */
static PetscErrorCode TimeKernel(MPI_Comm comm, const SemgCCSParams *par, PetscCount start, PetscCount n, const SemgFibre *f, PetscInt ne, const PetscReal *e, PetscInt nt, PetscReal dt, PetscReal *phi, double *seconds)
{
  double t0, t1;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(comm));
  t0 = MPI_Wtime();
  PetscCall(PetscArrayzero(phi, (size_t)ne * nt));
  PetscCall(SemgCCSPotentialAdd(par, (PetscInt)n, f + start, ne, e, nt, 0.0, dt, phi));
  t1 = MPI_Wtime();
  t1 -= t0;
  PetscCallMPI(MPI_Allreduce(&t1, seconds, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt          nf = 1000, nt = 120, repeat = 5, ne, *column;
  PetscReal        *e, *phi, *ref, dt = 1e-4, worst = 0, scale = 0;
  SemgCCSParams     par;
  SemgMotorUnitSpec mu;
  SemgArraySpec     arr;
  SemgFibre        *f;
  PetscMPIInt       size, rank;
  double            t1[16], t2[16], tn, peak, terms, active_terms = 0;
  PetscCount        start, nloc;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-fibres", &nf, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-samples", &nt, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeat", &repeat, NULL));
  repeat = PetscMin(PetscMax(repeat, 1), 16);
  PetscCall(SemgCCSParamsDefault(&par));
  PetscCall(SemgMotorUnitSpecDefault(&mu));
  mu.n_fibres = nf, mu.radius = 0.005, mu.cv_sd = 0.2, mu.iz[2] = -0.015;
  PetscCall(PetscMalloc1(nf, &f));
  PetscCall(SemgMotorUnitGenerate(&mu, 2024, 0, f));
  PetscCall(SemgArraySpecDefault(&arr));
  arr.n_along = 16, arr.n_across = 4; /* 64 electrodes */
  PetscCall(SemgArrayBuild(&arr, &ne, &e, &column));
  PetscCall(PetscMalloc2((size_t)ne * nt, &phi, (size_t)ne * nt, &ref));
  /* every fibre has 6 sources whenever both APs are alive; count the terms actually evaluated */
  for (PetscInt k = 0; k < nt; k++)
    for (PetscInt j = 0; j < nf; j++) {
      SemgCCSSources src;
      SemgCCSFibreSources(&par, &f[j], f[j].cv * (k * dt), PETSC_FALSE, &src);
      active_terms += (double)src.n * ne;
    }
  terms = 6.0 * nf * ne * nt;

  /* 1 rank: rank 0 does all fibres while the others wait; then all ranks split the fibres */
  for (PetscInt r = 0; r < repeat; r++) {
    if (rank == 0) PetscCall(TimeKernel(PETSC_COMM_SELF, &par, 0, nf, f, ne, e, nt, dt, phi, &t1[r]));
    PetscCallMPI(MPI_Bcast(&t1[r], 1, MPI_DOUBLE, 0, PETSC_COMM_WORLD));
    PetscCall(SemgPartition(PETSC_COMM_WORLD, nf, &start, &nloc));
    PetscCall(TimeKernel(PETSC_COMM_WORLD, &par, start, nloc, f, ne, e, nt, dt, phi, &t2[r]));
  }
  qsort(t1, (size_t)repeat, sizeof(double), CompareDouble);
  qsort(t2, (size_t)repeat, sizeof(double), CompareDouble);
  if (rank == 0) {
    PetscLogDouble a, b;
    PetscCall(PetscArrayzero(phi, (size_t)ne * nt));
    PetscCall(SemgCCSPotentialAdd(&par, nf, f, ne, e, nt, 0.0, dt, phi));
    PetscTime(&a);
    NaiveScalar(&par, nf, f, ne, e, nt, dt, ref);
    PetscTime(&b);
    tn = b - a;
    for (size_t i = 0; i < (size_t)ne * nt; i++)
      worst = PetscMax(worst, PetscAbsReal(phi[i] - ref[i])), scale = PetscMax(scale, PetscAbsReal(ref[i]));
    peak = SqrtDividePeak();
    printf("ccs_throughput: %d fibres x %d electrodes x %d samples = %.3e terms (6 per fibre; %.3e evaluated, the rest vanished sections)\n", (int)nf, (int)ne, (int)nt, terms, active_terms);
    printf("  straightforward scalar loop : %8.3f s  %.3e terms/s\n", tn, active_terms / tn);
    printf("  semg kernel, 1 rank (median): %8.3f s  %.3e terms/s  %.1fx the scalar loop\n", t1[repeat / 2], active_terms / t1[repeat / 2], tn / t1[repeat / 2]);
    printf("  semg kernel, %d ranks (median): %7.3f s  %.3e terms/s  speed-up %.2fx over 1 rank\n", (int)size, t2[repeat / 2], active_terms / t2[repeat / 2], t1[repeat / 2] / t2[repeat / 2]);
    printf("  sqrt+divide peak of one core (vectorised loop of independent 1/sqrt): %.3e per s\n", peak);
    printf("  kernel at %.0f%% of the one-core sqrt+divide peak\n", 100.0 * active_terms / t1[repeat / 2] / peak);
    printf("  agreement with the scalar loop: max |diff| / max |phi| = %.2e\n", worst / scale);
  }
  PetscCall(PetscFree2(phi, ref));
  PetscCall(PetscFree(f));
  PetscCall(PetscFree(e));
  PetscCall(PetscFree(column));
  PetscCall(PetscFinalize());
  return 0;
}
