#include <fftw3.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/vc/inhomog.h"

PetscErrorCode SemgInhomogeneityDefault(SemgInhomogeneity *inh)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(inh, sizeof(*inh)));
  inh->corr[0]   = 10e-3;
  inh->corr[1]   = 3e-3;
  inh->corr[2]   = 3e-3;
  inh->fat_corr  = 20e-3;
  inh->fat_min   = 0.5e-3;
  inh->box_lo[0] = inh->box_lo[1] = -40e-3;
  inh->box_hi[0] = inh->box_hi[1] = 40e-3;
  inh->box_lo[2]                  = -40e-3;
  inh->box_hi[2]                  = 0;
  inh->seed                       = 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgInhomogeneityOptions(PetscOptionItems *PetscOptionsObject, SemgInhomogeneity *inh)
{
  PetscInt  n;
  PetscReal box[6], incl[5 * SEMG_VC_MAX_INCLUSIONS] = {0};
  PetscInt  seed = (PetscInt)inh->seed, sample = (PetscInt)inh->sample;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsReal("-tissue_log_std", "SD s_g of the log-normal conductivity field (0 = homogeneous layers)", "SemgInhomogeneity", inh->log_std,
                             &inh->log_std, NULL));
  n = 3;
  PetscCall(PetscOptionsRealArray("-tissue_corr", "correlation lengths lx,ly,lz of the conductivity field, m", "SemgInhomogeneity", inh->corr, &n, NULL));
  PetscCall(PetscOptionsReal("-tissue_fat_std", "SD of the fat-thickness field, m (0 = uniform fat)", "SemgInhomogeneity", inh->fat_std, &inh->fat_std, NULL));
  PetscCall(PetscOptionsReal("-tissue_fat_corr", "correlation length of the fat-thickness field, m", "SemgInhomogeneity", inh->fat_corr, &inh->fat_corr, NULL));
  PetscCall(PetscOptionsReal("-tissue_fat_min", "minimum fat thickness, m", "SemgInhomogeneity", inh->fat_min, &inh->fat_min, NULL));
  PetscCall(PetscOptionsReal("-tissue_fat_sigma_gradient", "relative change of sigma_fat per m along the fibres", "SemgInhomogeneity", inh->fat_sigma_gradient,
                             &inh->fat_sigma_gradient, NULL));
  PetscCall(PetscOptionsReal("-tissue_fat_thickness_gradient", "relative change of the fat thickness per m along the fibres", "SemgInhomogeneity", inh->fat_thickness_gradient,
                             &inh->fat_thickness_gradient, NULL));
  n = 6;
  for (PetscInt i = 0; i < 3; i++) {
    box[i]     = inh->box_lo[i];
    box[3 + i] = inh->box_hi[i];
  }
  PetscCall(PetscOptionsRealArray("-tissue_box", "region x0,y0,z0,x1,y1,z1 covered by the random fields, m", "SemgInhomogeneity", box, &n, &set));
  if (set) {
    PetscCheck(n == 6, PETSC_COMM_WORLD, SEMG_ERR_USER, "-tissue_box needs 6 values x0,y0,z0,x1,y1,z1 (got %d)", (int)n);
    for (PetscInt i = 0; i < 3; i++) {
      inh->box_lo[i] = box[i];
      inh->box_hi[i] = box[3 + i];
      PetscCheck(box[3 + i] > box[i], PETSC_COMM_WORLD, SEMG_ERR_USER, "-tissue_box: upper corner must exceed the lower one");
    }
  }
  n = 5 * SEMG_VC_MAX_INCLUSIONS;
  PetscCall(PetscOptionsRealArray("-tissue_inclusions", "spheres x,y,z,radius,sigma[,x,y,z,radius,sigma...] (bone: low sigma; vessel: ~sigma_L)", "SemgInhomogeneity", incl, &n, &set));
  if (set) {
    PetscCheck(n % 5 == 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-tissue_inclusions needs groups of 5 values x,y,z,radius,sigma (got %d values)", (int)n);
    inh->ninclusions = n / 5;
    for (PetscInt i = 0; i < n; i++) inh->inclusion[i / 5][i % 5] = incl[i];
  }
  PetscCall(PetscOptionsInt("-tissue_seed", "seed of the tissue random fields", "SemgInhomogeneity", seed, &seed, NULL));
  PetscCall(PetscOptionsInt("-tissue_sample", "sample index of the tissue realisation", "SemgInhomogeneity", sample, &sample, NULL));
  PetscCheck(seed >= 0 && sample >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-tissue_seed and -tissue_sample must be >= 0");
  inh->seed   = (uint64_t)seed;
  inh->sample = (uint64_t)sample;
  PetscCheck(inh->log_std >= 0 && inh->fat_std >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-tissue_log_std and -tissue_fat_std must be >= 0");
  PetscCheck(inh->corr[0] > 0 && inh->corr[1] > 0 && inh->corr[2] > 0 && inh->fat_corr > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-tissue_corr and -tissue_fat_corr must be > 0");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscBool SemgInhomogeneityActive(const SemgInhomogeneity *inh)
{
  return (PetscBool)(inh && (inh->log_std > 0 || inh->fat_std > 0 || inh->fat_sigma_gradient != 0 || inh->fat_thickness_gradient != 0 || inh->ninclusions > 0));
}

PetscErrorCode SemgGaussianField(PetscInt dim, const PetscInt n[], const PetscReal h[], const PetscReal l[], PetscReal s, uint64_t seed, uint64_t sample, uint32_t stream_word, PetscReal *g)
{
  int           nn[3];
  size_t        N = 1, nc;
  fftw_complex *spec;
  double       *sr, sumF2 = 0, scale;
  fftw_plan     fwd, bwd;
  SemgRng       rng;
  PetscInt      nlast;

  PetscFunctionBeginUser;
  /* FFTW wants the slowest index first: reverse so that g stays x-fastest. */
  for (PetscInt d = 0; d < dim; d++) {
    nn[d] = (int)n[dim - 1 - d];
    N *= (size_t)n[d];
  }
  nlast = n[0] / 2 + 1;
  nc    = N / (size_t)n[0] * (size_t)nlast;
  spec  = fftw_alloc_complex(nc);
  PetscCheck(spec, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW allocation failed");
  fwd = fftw_plan_dft_r2c((int)dim, nn, g, spec, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(fwd);
  bwd = fftw_plan_dft_c2r((int)dim, nn, spec, g, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(bwd);
  SemgRngInit(&rng, seed, sample, (uint32_t)SEMG_STREAM_TISSUE + 1000u * stream_word);
  for (size_t i = 0; i < N; i++) g[i] = SemgRngNormal(&rng);
  fftw_execute(fwd);
  sr = (double *)spec;
  /* Multiply by F(k) = exp(-sum k^2 l^2 / 4); walk the half spectrum (x is the halved, fastest axis). */
  for (size_t i = 0; i < nc; i++) {
    size_t   rem = i;
    PetscInt idx[3];
    double   e = 0;

    idx[0] = (PetscInt)(rem % (size_t)nlast);
    rem /= (size_t)nlast;
    for (PetscInt d = 1; d < dim; d++) {
      idx[d] = (PetscInt)(rem % (size_t)n[d]);
      rem /= (size_t)n[d];
    }
    for (PetscInt d = 0; d < dim; d++) {
      PetscInt m = idx[d] <= n[d] / 2 ? idx[d] : idx[d] - n[d];
      double   k = 2.0 * PETSC_PI * m / (n[d] * h[d]);
      e += k * k * l[d] * l[d] / 4.0;
    }
    sr[2 * i] *= PetscExpReal(-e) / (double)N;
    sr[2 * i + 1] *= PetscExpReal(-e) / (double)N;
  }
  /* Normalisation over the full spectrum: Var g = (1/N) sum_k F(k)^2 for unit white noise. */
  for (size_t i = 0; i < N; i++) {
    size_t rem = i;
    double e   = 0;
    for (PetscInt d = 0; d < dim; d++) {
      PetscInt id = (PetscInt)(rem % (size_t)n[d]), m = id <= n[d] / 2 ? id : id - n[d];
      double   k = 2.0 * PETSC_PI * m / (n[d] * h[d]);
      rem /= (size_t)n[d];
      e += k * k * l[d] * l[d] / 2.0;
    }
    sumF2 += PetscExpReal(-e);
  }
  fftw_execute(bwd);
  scale = s / PetscSqrtReal(sumF2 / (double)N);
  for (size_t i = 0; i < N; i++) g[i] *= scale;
  fftw_destroy_plan(fwd);
  fftw_destroy_plan(bwd);
  fftw_free(spec);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgInhomogeneitySetUp(SemgInhomogeneity *inh)
{
  PetscFunctionBeginUser;
  if (inh->log_std > 0 && !inh->g) {
    /* Grid spacing l/3 per axis, padded by 3 l per side against periodic wrap-around. */
    size_t N = 1;
    for (PetscInt d = 0; d < 3; d++) {
      inh->gh[d]  = inh->corr[d] / 3.0;
      inh->glo[d] = inh->box_lo[d] - 3.0 * inh->corr[d];
      inh->gn[d]  = 2 * ((PetscInt)PetscCeilReal((inh->box_hi[d] - inh->box_lo[d] + 6.0 * inh->corr[d]) / inh->gh[d] / 2.0) + 1);
      N *= (size_t)inh->gn[d];
    }
    PetscCheck(N < ((size_t)1 << 28), PETSC_COMM_SELF, SEMG_ERR_USER, "random conductivity field too large (%zu points): enlarge -tissue_corr or shrink -tissue_box", N);
    PetscCall(PetscMalloc1(N, &inh->g));
    PetscCall(SemgGaussianField(3, inh->gn, inh->gh, inh->corr, inh->log_std, inh->seed, inh->sample, 0, inh->g));
  }
  if (inh->fat_std > 0 && !inh->dh) {
    PetscReal l[2] = {inh->fat_corr, inh->fat_corr};
    size_t    N    = 1;
    for (PetscInt d = 0; d < 2; d++) {
      inh->fh[d]  = inh->fat_corr / 4.0;
      inh->flo[d] = inh->box_lo[d] - 3.0 * inh->fat_corr;
      inh->fn[d]  = 2 * ((PetscInt)PetscCeilReal((inh->box_hi[d] - inh->box_lo[d] + 6.0 * inh->fat_corr) / inh->fh[d] / 2.0) + 1);
      N *= (size_t)inh->fn[d];
    }
    PetscCall(PetscMalloc1(N, &inh->dh));
    PetscCall(SemgGaussianField(2, inh->fn, inh->fh, l, inh->fat_std, inh->seed, inh->sample, 1, inh->dh));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgInhomogeneityDestroy(SemgInhomogeneity *inh)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(inh->g));
  PetscCall(PetscFree(inh->dh));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Multilinear interpolation on a uniform grid (x fastest); points outside return 0. */
static PetscReal GridInterp(PetscInt dim, const PetscInt n[], const PetscReal lo[], const PetscReal h[], const PetscReal *v, const PetscReal p[])
{
  PetscInt  i0[3];
  PetscReal f[3], sum = 0;

  for (PetscInt d = 0; d < dim; d++) {
    PetscReal u = (p[d] - lo[d]) / h[d];
    if (u < 0 || u >= n[d] - 1) return 0.0;
    i0[d] = (PetscInt)u;
    f[d]  = u - i0[d];
  }
  for (PetscInt c = 0; c < (1 << dim); c++) {
    PetscReal w  = 1;
    size_t    id = 0, stride = 1;
    for (PetscInt d = 0; d < dim; d++) {
      PetscInt b = (c >> d) & 1;
      w *= b ? f[d] : 1 - f[d];
      id += (size_t)(i0[d] + b) * stride;
      stride *= (size_t)n[d];
    }
    sum += w * v[id];
  }
  return sum;
}

static PetscBool InBox(const SemgInhomogeneity *inh, PetscInt dim, const PetscReal p[])
{
  for (PetscInt d = 0; d < dim; d++)
    if (p[d] < inh->box_lo[d] || p[d] > inh->box_hi[d]) return PETSC_FALSE;
  return PETSC_TRUE;
}

PetscReal SemgInhomogeneityFatThickness(const SemgInhomogeneity *inh, const SemgTissue *t, PetscReal x, PetscReal y)
{
  PetscReal hf = t->fat_thickness, p[2] = {x, y};

  if (!inh) return hf;
  if (inh->fat_thickness_gradient != 0) hf *= 1.0 + inh->fat_thickness_gradient * PetscClipInterval(x, inh->box_lo[0], inh->box_hi[0]);
  if (inh->dh && InBox(inh, 2, p)) hf += GridInterp(2, inh->fn, inh->flo, inh->fh, inh->dh, p);
  if (inh->fat_std > 0 || inh->fat_thickness_gradient != 0) hf = PetscMax(hf, inh->fat_min);
  return hf;
}

void SemgInhomogeneityLocalTissue(const SemgInhomogeneity *inh, const SemgTissue *t, PetscReal x, SemgTissue *loc)
{
  *loc = *t;
  if (inh && inh->fat_sigma_gradient != 0)
    loc->sigma_fat = t->sigma_fat * PetscMax(0.1, 1.0 + inh->fat_sigma_gradient * PetscClipInterval(x, inh->box_lo[0], inh->box_hi[0]));
}

PetscReal SemgInhomogeneityFactor(const SemgInhomogeneity *inh, PetscReal x, PetscReal y, PetscReal z)
{
  PetscReal p[3] = {x, y, z};

  if (!inh || !inh->g || !InBox(inh, 3, p)) return 1.0;
  return PetscExpReal(GridInterp(3, inh->gn, inh->glo, inh->gh, inh->g, p) - 0.5 * inh->log_std * inh->log_std);
}

PetscReal SemgInhomogeneityInclusionFraction(const SemgInhomogeneity *inh, const PetscReal lo[3], const PetscReal hi[3], PetscReal *sigma)
{
  const PetscInt m    = 4; /* 4^3 sub-samples per cell */
  PetscInt       hits = 0;

  *sigma = 0;
  if (!inh || !inh->ninclusions) return 0.0;
  for (PetscInt a = 0; a < m; a++)
    for (PetscInt b = 0; b < m; b++)
      for (PetscInt c = 0; c < m; c++) {
        PetscReal p[3] = {lo[0] + (a + 0.5) / m * (hi[0] - lo[0]), lo[1] + (b + 0.5) / m * (hi[1] - lo[1]), lo[2] + (c + 0.5) / m * (hi[2] - lo[2])};
        for (PetscInt s = 0; s < inh->ninclusions; s++) {
          const PetscReal *q = inh->inclusion[s];
          if (PetscSqr(p[0] - q[0]) + PetscSqr(p[1] - q[1]) + PetscSqr(p[2] - q[2]) <= q[3] * q[3]) {
            hits++;
            *sigma = q[4];
            break;
          }
        }
      }
  return (PetscReal)hits / (PetscReal)(m * m * m);
}
