static char help[] = "bench/machine_scaling: how much of a second core this machine gives to the lead-field workload.\n"
                     "  Run on 2 ranks. Each kernel runs first on rank 0 alone (rank 1 waits), then on both ranks at once;\n"
                     "  the printed ratio is (work done per second by both) / (work done per second by one).\n"
                     "  A ratio of 2 means the second core is free; the lead-field set cannot scale better than the\n"
                     "  kernels it is made of.\n"
                     "  -mb 256 (MB per array) -reps 5\n";

#include <petscsys.h>
#include <petsctime.h>
#include <sys/mman.h>
#include "core/semg_error.h"

/* Each kernel returns the work it did and the seconds it took, its own set-up excluded. */
typedef PetscErrorCode (*ScalingKernel)(size_t n, PetscInt reps, PetscReal *work, PetscLogDouble *sec);

/* Bandwidth: STREAM triad over three arrays of n doubles, touched before the clock starts. */
static PetscErrorCode KernelTriad(size_t n, PetscInt reps, PetscReal *work, PetscLogDouble *sec)
{
  PetscReal     *a, *b, *c;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(n, &a, n, &b, n, &c));
  for (size_t i = 0; i < n; i++) a[i] = b[i] = c[i] = 1.0 + (PetscReal)(i % 7);
  PetscCall(PetscTime(&t0));
  for (PetscInt r = 0; r < reps; r++)
    for (size_t i = 0; i < n; i++) a[i] = b[i] + 0.5 * c[i];
  PetscCall(PetscTime(&t1));
  *sec  = t1 - t0;
  *work = 3.0 * sizeof(PetscReal) * (PetscReal)n * reps + a[n / 2] * 0; /* bytes moved */
  PetscCall(PetscFree3(a, b, c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* First touch: fresh anonymous memory written once, as every new matrix of a multigrid set-up is. */
static PetscErrorCode KernelFirstTouch(size_t n, PetscInt reps, PetscReal *work, PetscLogDouble *sec)
{
  size_t         bytes = n * sizeof(PetscReal);
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  for (PetscInt r = 0; r < reps; r++) {
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    PetscCheck(p != MAP_FAILED, PETSC_COMM_SELF, PETSC_ERR_MEM, "mmap of %zu bytes failed", bytes);
    for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
    PetscCheck(munmap(p, bytes) == 0, PETSC_COMM_SELF, PETSC_ERR_MEM, "munmap failed");
  }
  PetscCall(PetscTime(&t1));
  *sec  = t1 - t0;
  *work = (PetscReal)bytes * reps;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Control: arithmetic on registers only; should give 2 unless the cores are shared. */
static PetscErrorCode KernelCompute(size_t n, PetscInt reps, PetscReal *work, PetscLogDouble *sec)
{
  volatile PetscReal sink;
  PetscReal          x = 1.0, y = 1.0 + 1e-9;
  PetscLogDouble     t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  for (size_t i = 0; i < n * (size_t)reps; i++) x = x * y + 1e-12;
  PetscCall(PetscTime(&t1));
  *sec  = t1 - t0;
  sink  = x;
  *work = (PetscReal)n * reps + 0 * sink;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rate (work/s) of the kernel on `active` ranks at once, summed over them. */
static PetscErrorCode MeasureRate(ScalingKernel kernel, size_t n, PetscInt reps, PetscMPIInt active, PetscReal *rate)
{
  PetscMPIInt    rank;
  PetscLogDouble sec;
  PetscReal      work = 0, mine = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  if (rank < active) {
    PetscCall(kernel(n, reps, &work, &sec));
    mine = work / sec;
  }
  PetscCallMPI(MPI_Allreduce(&mine, rate, 1, MPIU_REAL, MPI_SUM, PETSC_COMM_WORLD));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt    mb = 256, reps = 5;
  PetscMPIInt size;
  struct {
    const char   *name, *unit;
    ScalingKernel kernel;
    PetscReal     scale;
  } kernels[] = {
    {"triad (memory bandwidth)",  "GB/s",    KernelTriad,      1e-9},
    {"first touch (page faults)", "GB/s",    KernelFirstTouch, 1e-9},
    {"registers only (control)",  "Gflop/s", KernelCompute,    2e-9},
  };

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCheck(size == 2, PETSC_COMM_WORLD, SEMG_ERR_USER, "bench/machine_scaling runs on exactly 2 ranks (got %d)", (int)size);
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "bench/machine_scaling", NULL);
  PetscCall(PetscOptionsInt("-mb", "MB per array", NULL, mb, &mb, NULL));
  PetscCall(PetscOptionsInt("-reps", "repetitions per measurement", NULL, reps, &reps, NULL));
  PetscOptionsEnd();
  PetscCheck(mb > 0 && reps > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-mb and -reps must be positive (got %d, %d)", (int)mb, (int)reps);

  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-28s %12s %12s %8s\n", "kernel", "1 rank", "2 ranks", "ratio"));
  for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
    size_t    n = (size_t)mb * 1048576 / sizeof(PetscReal);
    PetscReal one, two;
    PetscReal one2, two2;
    /* alone, together, together, alone: the order cancels drifts (a VM recycles freed pages, turbo) */
    PetscCall(MeasureRate(kernels[k].kernel, n, reps, 1, &one));
    PetscCall(MeasureRate(kernels[k].kernel, n, reps, 2, &two));
    PetscCall(MeasureRate(kernels[k].kernel, n, reps, 2, &two2));
    PetscCall(MeasureRate(kernels[k].kernel, n, reps, 1, &one2));
    one = 0.5 * (one + one2);
    two = 0.5 * (two + two2);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-28s %7.2f %-4s %7.2f %-4s %8.2f\n", kernels[k].name, (double)(one * kernels[k].scale), kernels[k].unit,
                          (double)(two * kernels[k].scale), kernels[k].unit, (double)(two / one)));
  }
  PetscCall(PetscFinalize());
  return 0;
}
