static char help[] = "Volume-conductor oracles against the reference values of spec volume-conductor.md 8.1.\n";

#include <petscsys.h>
#include "core/semg_error.h"
#include "sim/vc/layered.h"
#include "tests/common/semg_test.h"

/* Agreement to the digits given in the spec table: |a - ref| <= 0.5 ulp of the last digit shown (ExpectNear). */
static PetscErrorCode TestHalfspace(void)
{
  PetscReal src5[3] = {0, 0, -5e-3}, src10[3] = {0, 0, -10e-3};
  PetscReal p0[3] = {0, 0, 0}, p1[3] = {10e-3, 0, 0}, p2[3] = {0, 5e-3, 0};

  PetscFunctionBeginUser;
  PetscCall(ExpectNear("half-space d=5mm (0,0)", SemgOracleHalfspace(0.5, 0.1, src5, p0), 142.3525086834, 5e-11));
  PetscCall(ExpectNear("half-space d=5mm (10mm,0)", SemgOracleHalfspace(0.5, 0.1, src5, p1), 106.1032953946, 5e-11));
  PetscCall(ExpectNear("half-space d=5mm (0,5mm)", SemgOracleHalfspace(0.5, 0.1, src5, p2), 100.6584242090, 5e-11));
  PetscCall(ExpectNear("half-space d=10mm (0,0)", SemgOracleHalfspace(0.5, 0.1, src10, p0), 71.1762543417, 5e-11));
  PetscCall(ExpectNear("infinite d=10mm (0,0) (= half)", SemgOracleInfinite(0.5, 0.1, 0.1, 0, 0, 10e-3), 0.5 * 71.1762543417, 5e-11));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestImageSeries(void)
{
  const PetscReal rho[5] = {0, 2e-3, 5e-3, 10e-3, 20e-3};
  const PetscReal ref[5] = {82.3718508527, 79.3561779401, 67.2693530258, 46.5134151950, 25.7732559777};
  SemgTissue      t;
  char            name[64];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 5; i++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "image series rho=%gmm", (double)(rho[i] * 1e3)));
    PetscCall(ExpectNear(name, SemgOracleImageSeries(0.3, 0.05, 3e-3, 5e-3, rho[i]), ref[i], 5e-11));
  }
  /* The same case through the three-layer quadrature (isotropic muscle, no skin) must agree. */
  PetscCall(SemgTissueDefault(&t));
  t.sigma_long = t.sigma_trans = 0.3;
  t.skin_thickness             = 0;
  for (PetscInt i = 0; i < 5; i++) {
    PetscReal v;
    PetscCall(SemgLayeredSurfacePotential(&t, 5e-3, rho[i], 0, &v));
    PetscCall(PetscSNPrintf(name, sizeof(name), "quadrature = image series rho=%gmm", (double)(rho[i] * 1e3)));
    PetscCall(ExpectNear(name, v, ref[i], 1e-8));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestTransfer(void)
{
  const PetscReal k[5][2] = {
    {0,    10  },
    {50,   100 },
    {300,  300 },
    {200,  1000},
    {2000, 2000}
  };
  const PetscReal ref[5] = {8.481376731061e-01, 1.108933472203e-02, 1.579045961507e-05, 9.520235641537e-08, 8.50132382e-20};
  const PetscReal ulp[5] = {5e-13, 5e-15, 5e-18, 5e-20, 5e-28};
  SemgTissue      t;
  char            name[64];

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  for (PetscInt i = 0; i < 5; i++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "H(%g,%g) rad/m", (double)k[i][0], (double)k[i][1]));
    PetscCall(ExpectNear(name, SemgLayeredTransfer(&t, 5e-3, k[i][0], k[i][1]), ref[i], ulp[i]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TestThreeLayer(PetscInt *nfail)
{
  const PetscReal xy[4][2] = {
    {0,     0    },
    {10e-3, 0    },
    {0,     5e-3 },
    {20e-3, 10e-3}
  };
  const PetscReal ref[4] = {62.3590189560, 55.8881798793, 58.0803289057, 39.5068381109};
  PetscReal       v[4], *grid, d_fft[3], d_ref[3];
  PetscInt        n = 2048, idx[4];
  PetscReal       h = 0.39e-3;
  SemgTissue      t;
  char            name[64];

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  for (PetscInt i = 0; i < 4; i++) {
    PetscCall(SemgLayeredSurfacePotential(&t, 5e-3, xy[i][0], xy[i][1], &v[i]));
    PetscCall(PetscSNPrintf(name, sizeof(name), "3-layer quadrature (%g,%g) mm", (double)(xy[i][0] * 1e3), (double)(xy[i][1] * 1e3)));
    PetscCall(ExpectNear(name, v[i], ref[i], 5e-11));
  }
  /* FFT grid (spec: L = 0.8 m, h = 0.39 mm): differences against the quadrature. Grid points nearest
     to the reference points are used and the quadrature is re-evaluated there. */
  PetscCall(PetscMalloc1((size_t)n * n, &grid));
  for (PetscInt pass = 0; pass < 2; pass++) {
    PetscCall(SemgLayeredSurfaceFFT(&t, 5e-3, n, h, pass ? PETSC_TRUE : PETSC_FALSE, grid));
    for (PetscInt i = 0; i < 4; i++) {
      PetscInt m = (PetscInt)PetscFloorReal(xy[i][0] / h + 0.5), q = (PetscInt)PetscFloorReal(xy[i][1] / h + 0.5);
      idx[i] = m * n + q;
      if (!pass) PetscCall(SemgLayeredSurfacePotential(&t, 5e-3, m * h, q * h, &v[i]));
    }
    for (PetscInt i = 1; i < 4; i++) {
      PetscReal rel;
      d_fft[i - 1] = grid[idx[0]] - grid[idx[i]];
      d_ref[i - 1] = v[0] - v[i];
      rel          = PetscAbsReal(d_fft[i - 1] - d_ref[i - 1]) / PetscAbsReal(d_ref[i - 1]);
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "FFT%s difference phi(0)-phi(p%d): %.6f ref %.6f rel.err %.1e %s\n", pass ? "-hs" : "   ", (int)i, (double)d_fft[i - 1], (double)d_ref[i - 1], (double)rel, rel < (pass ? 5e-5 : 5e-4) ? "ok" : "FAIL"));
      if (rel >= (pass ? 5e-5 : 5e-4)) (*nfail)++;
    }
    if (pass) {
      PetscReal rel = PetscAbsReal(grid[idx[0]] - v[0]) / v[0];
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "FFT-hs absolute phi(0,0): %.6f ref %.6f rel.err %.1e %s\n", (double)grid[idx[0]], (double)v[0], (double)rel, rel < 2e-3 ? "ok" : "FAIL"));
      if (rel >= 2e-3) (*nfail)++;
    }
  }
  PetscCall(PetscFree(grid));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt nfail = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(TestHalfspace());
  PetscCall(TestImageSeries());
  PetscCall(TestTransfer());
  PetscCall(TestThreeLayer(&nfail));
  nfail += SemgTestFailures();
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %d failures\n", nfail ? "FAIL" : "PASS", (int)nfail));
  PetscCall(PetscFinalize());
  return nfail ? 1 : 0;
}
