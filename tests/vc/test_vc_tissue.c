static char help[] = "Tissue inhomogeneity: Gaussian-field statistics, and the same conductivity field on any\n"
                     "rank count (parallel field gathered in natural order == serial field, bitwise).\n";

#include <petscsys.h>
#include "core/semg_error.h"
#include "sim/vc/conductor.h"

#include "tests/vc/vc_expect.h"

/* Var g = s^2 and corr(l) = exp(-1/2) along x for a 2-D field (spec 3.3 recipe). */
static PetscErrorCode TestFieldStatistics(void)
{
  PetscInt  n[2] = {512, 512};
  PetscReal h[2] = {1e-3, 1e-3}, l[2] = {10e-3, 5e-3}, s = 0.2, *g, var = 0, cov = 0, mean = 0;
  size_t    N   = (size_t)n[0] * n[1];
  PetscInt  lag = 10; /* = l_x / h */
  char      msg[128];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(N, &g));
  PetscCall(SemgGaussianField(2, n, h, l, s, 3, 0, 0, g));
  for (size_t i = 0; i < N; i++) mean += g[i] / N;
  for (size_t i = 0; i < N; i++) var += PetscSqr(g[i] - mean) / N;
  for (PetscInt j = 0; j < n[1]; j++)
    for (PetscInt i = 0; i < n[0]; i++) cov += (g[j * n[0] + i] - mean) * (g[j * n[0] + (i + lag) % n[0]] - mean) / N;
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "Gaussian field: SD %.4f (target 0.2000), corr at lag l_x %.3f (exp(-1/2) = 0.607)", (double)PetscSqrtReal(var), (double)(cov / var)));
  PetscCall(Expect(msg, (PetscBool)(PetscAbsReal(PetscSqrtReal(var) - s) < 0.03 * s && PetscAbsReal(cov / var - PetscExpReal(-0.5)) < 0.05)));
  PetscCall(PetscFree(g));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode BuildSigma(MPI_Comm comm, SemgInhomogeneity *inh, SemgConductor *c, Vec *nat)
{
  SemgTissue t;
  SemgVCGrid g;
  Vec        sig;
  DM         da, sda;

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  t.bone_depth = 20e-3;
  PetscCall(SemgVCGridDefault(&g));
  g.n[0] = g.n[1] = g.n[2] = 33;
  g.h[0] = g.h[1] = 1e-3;
  g.extent[0] = g.extent[1] = 0.05;
  g.extent[2]               = 0.04;
  PetscCall(SemgConductorCreate(comm, &g, &t, inh, c));
  PetscCall(SemgConductorSetUp(*c));
  PetscCall(SemgConductorGetSigma(*c, &sig));
  PetscCall(VecGetDM(sig, &sda));
  PetscCall(SemgConductorGetDM(*c, &da));
  PetscCall(DMDACreateNaturalVector(sda, nat));
  PetscCall(DMDAGlobalToNaturalBegin(sda, sig, INSERT_VALUES, *nat));
  PetscCall(DMDAGlobalToNaturalEnd(sda, sig, INSERT_VALUES, *nat));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestRankInvariance(void)
{
  SemgInhomogeneity inh;
  SemgConductor     cw, cs;
  Vec               natw, nats, seq;
  VecScatter        sc;
  PetscMPIInt       rank;
  PetscInt          diff = 0, n;
  PetscReal         smin = PETSC_MAX_REAL, smax = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(SemgInhomogeneityDefault(&inh));
  inh.log_std            = 0.2;
  inh.fat_std            = 0.5e-3;
  inh.fat_sigma_gradient = 5.0;
  inh.ninclusions        = 1;
  inh.inclusion[0][0]    = 5e-3;
  inh.inclusion[0][1]    = 0;
  inh.inclusion[0][2]    = -12e-3;
  inh.inclusion[0][3]    = 3e-3;
  inh.inclusion[0][4]    = 0.7;
  inh.seed               = 11;
  PetscCall(SemgInhomogeneitySetUp(&inh));
  PetscCall(BuildSigma(PETSC_COMM_WORLD, &inh, &cw, &natw));
  PetscCall(VecScatterCreateToZero(natw, &sc, &seq));
  PetscCall(VecScatterBegin(sc, natw, seq, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, natw, seq, INSERT_VALUES, SCATTER_FORWARD));
  if (!rank) {
    const PetscScalar *a, *b;
    PetscCall(BuildSigma(PETSC_COMM_SELF, &inh, &cs, &nats));
    PetscCall(VecGetLocalSize(nats, &n));
    PetscCall(VecGetArrayRead(seq, &a));
    PetscCall(VecGetArrayRead(nats, &b));
    for (PetscInt i = 0; i < n; i++) {
      if (a[i] != b[i]) diff++;
      smin = PetscMin(smin, a[i]);
      smax = PetscMax(smax, a[i]);
    }
    PetscCall(VecRestoreArrayRead(seq, &a));
    PetscCall(VecRestoreArrayRead(nats, &b));
    PetscCall(VecDestroy(&nats));
    PetscCall(SemgConductorDestroy(&cs));
  }
  PetscCallMPI(MPI_Bcast(&diff, 1, MPIU_INT, 0, PETSC_COMM_WORLD));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "conductivity range %.4f .. %.4f S/m\n", (double)smin, (double)smax));
  PetscCall(Expect("conductivity field: parallel == serial, bitwise (same seed)", (PetscBool)(diff == 0)));
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&seq));
  PetscCall(VecDestroy(&natw));
  PetscCall(SemgConductorDestroy(&cw));
  PetscCall(SemgInhomogeneityDestroy(&inh));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(TestFieldStatistics());
  PetscCall(TestRankInvariance());
  PetscCall(SemgTestReport());
  PetscCall(PetscFinalize());
  return SemgTestFailures() ? 1 : 0;
}
