#include <math.h>
#include <fftw3.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/noise_colour.h"

const char *const SemgNoiseColours[] = {"white", "pink", "line", "wander", "SemgNoiseColour", "SEMG_NOISE_", NULL};

/* Wander: this many equally spaced components up to wander_freq (a flat band-limited spectrum). */
#define SEMG_WANDER_COMPONENTS 16

PetscErrorCode SemgNoiseSpecDefault(SemgNoiseSpec *s)
{
  PetscFunctionBeginUser;
  s->colour         = SEMG_NOISE_WHITE;
  s->line_freq      = 50;
  s->line_harmonics = 3;
  s->wander_freq    = 0.5;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNoiseSpecOptions(PetscOptionItems *PetscOptionsObject, SemgNoiseSpec *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsEnum("-noise_colour", "kind of the added noise (power set by -snr_range): white, pink (1/f), line (-line_freq + harmonics), wander (baseline wander below -wander_freq)", "SemgNoiseSpec", SemgNoiseColours,
                             (PetscEnum)s->colour, (PetscEnum *)&s->colour, NULL));
  PetscCall(PetscOptionsReal("-line_freq", "-noise_colour line: power-line frequency (Hz)", "SemgNoiseSpec", s->line_freq, &s->line_freq, NULL));
  PetscCall(PetscOptionsInt("-line_harmonics", "-noise_colour line: components at 1..H x -line_freq, amplitude 1/h", "SemgNoiseSpec", s->line_harmonics, &s->line_harmonics, NULL));
  PetscCall(PetscOptionsReal("-wander_freq", "-noise_colour wander: highest frequency of the baseline wander (Hz)", "SemgNoiseSpec", s->wander_freq, &s->wander_freq, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNoiseSpecCheck(MPI_Comm comm, const SemgNoiseSpec *s, PetscReal fs)
{
  PetscFunctionBeginUser;
  PetscCheck(s->line_freq > 0 && s->line_freq < 0.5 * fs, comm, SEMG_ERR_USER, "-line_freq %g must be in (0, fs/2 = %g) Hz", (double)s->line_freq, (double)(0.5 * fs));
  PetscCheck(s->line_harmonics >= 1, comm, SEMG_ERR_USER, "-line_harmonics %" PetscInt_FMT " must be >= 1", s->line_harmonics);
  PetscCheck(s->wander_freq > 0 && s->wander_freq < 0.5 * fs, comm, SEMG_ERR_USER, "-wander_freq %g must be in (0, fs/2 = %g) Hz", (double)s->wander_freq, (double)(0.5 * fs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* 1/f: white noise on 2n points, spectrum times 1/sqrt(f) (PSD ~ 1/f, DC removed), first n points.
   The padding keeps the record from being one period of a circular process. */
static PetscErrorCode PinkChannels(PetscInt nc, PetscInt n, SemgRng *rng, PetscReal *u)
{
  const PetscInt m = 2 * n, nh = m / 2 + 1;
  double        *r;
  fftw_complex  *spec;
  fftw_plan      fwd, bwd;

  PetscFunctionBeginUser;
  r    = fftw_alloc_real((size_t)m);
  spec = fftw_alloc_complex((size_t)nh);
  PetscCheck(r && spec, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW allocation failed");
  fwd = fftw_plan_dft_r2c_1d((int)m, r, spec, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(fwd);
  bwd = fftw_plan_dft_c2r_1d((int)m, spec, r, FFTW_ESTIMATE);
  SemgCheckFFTWPlan(bwd);
  for (PetscInt c = 0; c < nc; c++) {
    for (PetscInt k = 0; k < m; k++) r[k] = SemgRngNormal(rng);
    fftw_execute(fwd);
    spec[0][0] = spec[0][1] = 0;
    for (PetscInt k = 1; k < nh; k++) {
      const double a = 1.0 / sqrt((double)k);
      spec[k][0] *= a, spec[k][1] *= a;
    }
    fftw_execute(bwd);
    for (PetscInt k = 0; k < n; k++) u[(size_t)c * n + k] = r[k];
  }
  fftw_destroy_plan(fwd);
  fftw_destroy_plan(bwd);
  fftw_free(r);
  fftw_free(spec);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Power line: sum over h of (1/h) cos(2 pi h f t + phi_h), phi_h uniform per channel and harmonic;
   harmonics at or above fs/2 are left out. */
static void LineChannels(const SemgNoiseSpec *s, PetscInt nc, PetscInt n, PetscReal fs, SemgRng *rng, PetscReal *u)
{
  for (PetscInt c = 0; c < nc; c++) {
    PetscReal *uc = &u[(size_t)c * n];
    for (PetscInt k = 0; k < n; k++) uc[k] = 0;
    for (PetscInt h = 1; h <= s->line_harmonics; h++) {
      const PetscReal f = h * s->line_freq, phi = 2.0 * PETSC_PI * SemgRngUniform(rng);
      if (f >= 0.5 * fs) break;
      for (PetscInt k = 0; k < n; k++) uc[k] += cos(2.0 * PETSC_PI * f * (PetscReal)k / fs + phi) / (PetscReal)h;
    }
  }
}

/* Baseline wander: a Gaussian process with a flat spectrum on (0, f_w], sampled at the frequencies
   j f_w / J (j = 1..J): sum of a_j cos + b_j sin with a_j, b_j ~ N(0, 1). The same as shaping white
   noise with an FFT on a period of J / f_w, without an FFT of that (long) length. */
static void WanderChannels(const SemgNoiseSpec *s, PetscInt nc, PetscInt n, PetscReal fs, SemgRng *rng, PetscReal *u)
{
  for (PetscInt c = 0; c < nc; c++) {
    PetscReal *uc = &u[(size_t)c * n];
    for (PetscInt k = 0; k < n; k++) uc[k] = 0;
    for (PetscInt j = 1; j <= SEMG_WANDER_COMPONENTS; j++) {
      const PetscReal w = 2.0 * PETSC_PI * s->wander_freq * j / SEMG_WANDER_COMPONENTS / fs, a = SemgRngNormal(rng), b = SemgRngNormal(rng);
      for (PetscInt k = 0; k < n; k++) uc[k] += a * cos(w * k) + b * sin(w * k);
    }
  }
}

PetscErrorCode SemgNoiseAdd(const SemgNoiseSpec *s, PetscInt nc, PetscInt nt, PetscReal fs, PetscReal sigma, uint64_t seed, uint64_t sample, PetscReal *x)
{
  SemgRng    rng;
  PetscReal *u;

  PetscFunctionBeginUser;
  if (!(sigma > 0)) PetscFunctionReturn(PETSC_SUCCESS);
  SemgRngInit(&rng, seed, sample, SEMG_STREAM_NOISE);
  if (s->colour == SEMG_NOISE_WHITE) { /* the draw order of SemgAddNoise: datasets stay bitwise identical */
    for (size_t i = 0; i < (size_t)nc * nt; i++) x[i] += sigma * SemgRngNormal(&rng);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscMalloc1((size_t)nc * nt, &u));
  if (s->colour == SEMG_NOISE_PINK) PetscCall(PinkChannels(nc, nt, &rng, u));
  else if (s->colour == SEMG_NOISE_LINE) LineChannels(s, nc, nt, fs, &rng, u);
  else WanderChannels(s, nc, nt, fs, &rng, u);
  for (PetscInt c = 0; c < nc; c++) {
    const PetscReal *uc = &u[(size_t)c * nt];
    PetscReal        ms = 0, g;
    for (PetscInt k = 0; k < nt; k++) ms += uc[k] * uc[k];
    ms /= nt;
    if (!(ms > 0)) continue;
    g = sigma / sqrt(ms);
    for (PetscInt k = 0; k < nt; k++) x[(size_t)c * nt + k] += g * uc[k];
  }
  PetscCall(PetscFree(u));
  PetscFunctionReturn(PETSC_SUCCESS);
}
