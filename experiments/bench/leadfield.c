static char help[] = "bench/leadfield: cost of volume-conductor lead fields.\n"
                     "  One lead-field set (default solver, operator and preconditioner set up once per electrode group)\n"
                     "  for a linear array on family grid level n; median time of one solve; memory per million unknowns;\n"
                     "  and the cost of a 1 s interference signal via lead fields vs one solve per time sample (estimated\n"
                     "  from the measured per-solve time).\n"
                     "  -n 129 (family level: 225 x 81 x 113 cells) -ne 16 -fs 5000 -nmu 10 -fibres_per_mu 100 -rate 15\n"
                     "  -output lf_bench.h5 -leadfield_groups 0\n";

#include <petscsys.h>
#include <petsctime.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/vc/leadfield.h"

static int CompareReal(const void *a, const void *b)
{
  PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
  PetscInt                 n = 129, ne = 16, fs = 5000, nmu = 10, fpm = 100, its_total = 0, nrep, groups = 0;
  PetscReal                rate = 15, ied = 5e-3, *exyz, *tsolve, tmed, tsetup, tlf, tmuap, tsum, t_direct, *phi, *sig;
  PetscLogDouble           t0, t1, mem0, mem1;
  char                     out[PETSC_MAX_PATH_LEN] = "lf_bench.h5";
  PetscMPIInt              size;
  SemgTissue               t;
  SemgVCGrid               g;
  SemgConductor            c;
  SemgLeadfield            lf;
  MPI_Comm                 gcomm;
  SemgLeadfieldStoreParams sp;
  SemgFibre               *f;
  Vec                      b, x;
  PetscInt                 nt_muap, nt_sig;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "bench/leadfield", NULL);
  PetscCall(PetscOptionsInt("-n", "cells per side (2^k m + 1)", NULL, n, &n, NULL));
  PetscCall(PetscOptionsInt("-ne", "electrodes (linear array along the fibres, 5 mm IED)", NULL, ne, &ne, NULL));
  PetscCall(PetscOptionsInt("-fs", "sampling frequency, Hz", NULL, fs, &fs, NULL));
  PetscCall(PetscOptionsInt("-nmu", "motor units in the interference signal", NULL, nmu, &nmu, NULL));
  PetscCall(PetscOptionsInt("-fibres_per_mu", "fibres per motor unit", NULL, fpm, &fpm, NULL));
  PetscCall(PetscOptionsReal("-rate", "firing rate, Hz", NULL, rate, &rate, NULL));
  PetscCall(PetscOptionsString("-output", "lead-field file", NULL, out, out, sizeof(out), NULL));
  PetscCall(PetscOptionsInt("-leadfield_groups", "electrode groups solving side by side (0 = as semg leadfield: min(ranks, electrodes))", NULL, groups, &groups, NULL));
  PetscOptionsEnd();

  PetscCall(SemgTissueDefault(&t));
  PetscCall(SemgVCGridFamily(n, &g));
  PetscCall(PetscMalloc1(3 * ne, &exyz));
  for (PetscInt e = 0; e < ne; e++) {
    exyz[3 * e]     = (e - 0.5 * (ne - 1)) * ied;
    exyz[3 * e + 1] = 0;
    exyz[3 * e + 2] = 0;
  }

  /* set-up: mesh, assembly, multigrid hierarchy (once) */
  PetscCall(PetscMemoryGetCurrentUsage(&mem0));
  PetscCall(PetscBarrier(NULL));
  PetscCall(PetscTime(&t0));
  PetscCall(SemgLeadfieldStoreParamsDefault(&sp));
  PetscCall(SemgLeadfieldGroupsSplit(PETSC_COMM_WORLD, ne, g.n[0] * g.n[1] * g.n[2], groups, &sp, &gcomm));
  PetscCall(SemgConductorCreate(gcomm, &g, &t, NULL, &c));
  PetscCall(SemgConductorSetUp(c));
  PetscCall(SemgConductorCreateVec(c, &b));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(PetscBarrier(NULL));
  PetscCall(PetscTime(&t1));
  tsetup = t1 - t0;
  PetscCall(PetscMemoryGetCurrentUsage(&mem1));

  /* single solves (electrode 0), repeated for a median */
  nrep = 3;
  PetscCall(PetscMalloc1(nrep, &tsolve));
  for (PetscInt r = 0; r < nrep; r++) {
    PetscInt its;
    PetscCall(VecSet(b, 0));
    PetscCall(SemgConductorAddElectrode(c, exyz[0], exyz[1], 0, b));
    PetscCall(PetscBarrier(NULL));
    PetscCall(PetscTime(&t0));
    PetscCall(SemgConductorSolve(c, b, PETSC_TRUE, x, &its));
    PetscCall(PetscTime(&t1));
    tsolve[r] = t1 - t0;
  }
  qsort(tsolve, nrep, sizeof(PetscReal), CompareReal);
  tmed = tsolve[nrep / 2];

  /* the full lead-field set, written to HDF5 */
  {
    PetscInt *its;
    PetscCall(PetscMalloc1(ne, &its));
    PetscCall(PetscBarrier(NULL));
    PetscCall(PetscTime(&t0));
    PetscCall(SemgLeadfieldComputeAndStoreWithParams(c, ne, exyz, &sp, -1, out, its));
    PetscCall(PetscBarrier(NULL));
    PetscCall(PetscTime(&t1));
    tlf = t1 - t0;
    for (PetscInt e = 0; e < ne; e++) its_total += its[e];
    PetscCall(PetscFree(its));
  }

  /* 1 s interference signal from the stored lead fields: one MUAP per MU (any firing pattern is then
     a sum of delayed copies), fibres drawn from SemgRng */
  {
    PetscReal lo[3] = {-0.07, -0.02, -0.025}, hi[3] = {0.07, 0.02, -0.004};
    SemgRng   rng;
    PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, out, lo, hi, &lf));
    PetscCall(PetscMalloc1(fpm, &f));
    nt_muap = (PetscInt)(0.04 * fs);
    nt_sig  = fs;
    PetscCall(PetscMalloc2((size_t)ne * nt_muap, &phi, (size_t)ne * nt_sig, &sig));
    PetscCall(PetscArrayzero(sig, (size_t)ne * nt_sig));
    PetscCall(PetscTime(&t0));
    for (PetscInt m = 0; m < nmu; m++) {
      PetscReal depth, y0, ip;
      SemgRngInit(&rng, 7, (uint64_t)m, SEMG_STREAM_USER);
      depth = SemgRngUniformRange(&rng, 6e-3, 18e-3);
      y0    = SemgRngUniformRange(&rng, -5e-3, 5e-3);
      ip    = SemgRngUniformRange(&rng, -10e-3, 10e-3);
      for (PetscInt i = 0; i < fpm; i++) {
        f[i].ox     = -0.06;
        f[i].oy     = y0 + SemgRngUniformRange(&rng, -2e-3, 2e-3);
        f[i].oz     = -depth + SemgRngUniformRange(&rng, -2e-3, 2e-3);
        f[i].ip     = 0.06 + ip + SemgRngUniformRange(&rng, -2e-3, 2e-3);
        f[i].length = 0.12;
        f[i].cv     = 4.0 + SemgRngUniformRange(&rng, -0.3, 0.3);
        f[i].rz = f[i].ry = 0;
      }
      PetscCall(SemgLeadfieldMUAP(lf, fpm, f, nt_muap, 1.0 / fs, PETSC_FALSE, phi));
      /* superposition at regular firings with a per-MU phase */
      for (PetscReal tf = SemgRngUniform(&rng) / rate; tf < 1.0; tf += 1.0 / rate) {
        PetscInt k0 = (PetscInt)(tf * fs);
        for (PetscInt e = 0; e < ne; e++)
          for (PetscInt k = 0; k < nt_muap && k0 + k < nt_sig; k++) sig[(size_t)e * nt_sig + k0 + k] += phi[(size_t)e * nt_muap + k];
      }
    }
    PetscCall(PetscTime(&t1));
    tmuap = t1 - t0;
  }
  t_direct = (PetscReal)fs * tmed; /* one solve per time sample of the 1 s signal */
  tsum     = 0;
  for (PetscInt k = 0; k < nt_sig; k++) tsum = PetscMax(tsum, PetscAbsReal(sig[k]));

  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench/leadfield ranks %d (%d electrode groups)  grid level %d: %d x %d x %d = %.3f M cells  electrodes %d\n", size,
                        (int)sp.ngroups, (int)n, (int)g.n[0], (int)g.n[1], (int)g.n[2], (double)((double)g.n[0] * g.n[1] * g.n[2] / 1e6), (int)ne));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "set-up (mesh, assembly, AMG hierarchy)    %8.2f s\n", (double)tsetup));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "one lead-field solve (median of %d, groups side by side) %8.2f s  (%d its avg over the set)\n", (int)nrep, (double)tmed, (int)(its_total / ne)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "lead-field set (%d solves + HDF5 write)     %8.2f s   set-up + set %8.2f s\n", (int)ne, (double)tlf, (double)(tsetup + tlf)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "memory after set-up (rank 0)               %8.1f MB  = %.1f MB per million unknowns per rank-share\n", (double)((mem1 - mem0) / 1048576.0),
                        (double)((mem1 - mem0) / 1048576.0 / ((double)g.n[0] * g.n[1] * g.n[2] / 1e6 / (size / sp.ngroups)))));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "1 s interference (%d MU x %d fibres, %d Hz) via lead fields %8.2f s (rank 0; max |phi_0| %.3g uV)\n", (int)nmu, (int)fpm, (int)fs, (double)tmuap, (double)(tsum * 1e6)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "same signal with one solve per sample (est. %d x %.2f s) %10.1f s  -> ratio %.0fx\n", (int)fs, (double)tmed, (double)t_direct, (double)(t_direct / tmuap)));
  PetscCall(SemgLeadfieldDestroy(&lf));
  PetscCall(PetscFree(f));
  PetscCall(PetscFree2(phi, sig));
  PetscCall(PetscFree(tsolve));
  PetscCall(PetscFree(exyz));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscCall(SemgConductorDestroy(&c));
  PetscCallMPI(MPI_Comm_free(&gcomm));
  PetscCall(PetscFinalize());
  return 0;
}
