#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "estimator/nn/decoder.h"

PetscErrorCode SemgDecoderSpecDefault(SemgDecoderSpec *spec)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(spec, sizeof(*spec)));
  PetscCall(SemgMotorUnitSpecDefault(&spec->mu));
  spec->mu.n_fibres     = 50;
  spec->mu.radius       = 0.003;
  spec->mu.iz_spread    = 0.005;
  spec->mu.cv_mean      = 4.0;
  spec->mu.cv_sd        = 0.1;
  spec->template_seed   = 20260001;
  spec->depth           = 0.02;
  spec->latent_depth    = PETSC_FALSE;
  spec->iz_range[0]     = 0.0; /* empty: first to last electrode */
  spec->iz_range[1]     = 0.0;
  spec->cv_range[0]     = 2.5;
  spec->cv_range[1]     = 5.4;
  spec->depth_range[0]  = 0.01;
  spec->depth_range[1]  = 0.03;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecoderSpecSetFromOptions(MPI_Comm comm, SemgDecoderSpec *spec)
{
  PetscInt n, seed = (PetscInt)spec->template_seed;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Informed-autoencoder decoder (template motor unit, CCS model)", "semg train");
  PetscCall(PetscOptionsInt("-dec_fibres", "fibres of the template MU", "SemgDecoder", spec->mu.n_fibres, &spec->mu.n_fibres, NULL));
  PetscCall(PetscOptionsReal("-dec_radius", "template MU territory radius (m)", "SemgDecoder", spec->mu.radius, &spec->mu.radius, NULL));
  PetscCall(PetscOptionsReal("-dec_iz_spread", "template IP spread W_I along the fibres (m)", "SemgDecoder", spec->mu.iz_spread, &spec->mu.iz_spread, NULL));
  PetscCall(PetscOptionsReal("-dec_tendon", "template distance IZ centre to each tendon plane L_L = L_R (m)", "SemgDecoder", spec->mu.tendon_left, &spec->mu.tendon_left, NULL));
  spec->mu.tendon_right = spec->mu.tendon_left;
  PetscCall(PetscOptionsReal("-dec_tendon_spread", "template tendon-end spread W_T (m)", "SemgDecoder", spec->mu.tendon_spread_left, &spec->mu.tendon_spread_left, NULL));
  spec->mu.tendon_spread_right = spec->mu.tendon_spread_left;
  PetscCall(PetscOptionsReal("-dec_cv_mean", "template mean CV (only the offsets from it are kept, m/s)", "SemgDecoder", spec->mu.cv_mean, &spec->mu.cv_mean, NULL));
  PetscCall(PetscOptionsReal("-dec_cv_sd", "template per-fibre CV standard deviation (m/s)", "SemgDecoder", spec->mu.cv_sd, &spec->mu.cv_sd, NULL));
  PetscCall(PetscOptionsInt("-dec_template_seed", "seed of the template fibre table", "SemgDecoder", seed, &seed, NULL));
  PetscCall(PetscOptionsReal("-dec_depth", "template MU axis depth below the electrode plane (m)", "SemgDecoder", spec->depth, &spec->depth, NULL));
  PetscCall(PetscOptionsBool("-dec_latent_depth", "MU depth as a nuisance latent", "SemgDecoder", spec->latent_depth, &spec->latent_depth, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-dec_iz_range", "IZ latent bounds lo,hi (m); default first..last electrode", "SemgDecoder", spec->iz_range, &n, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-dec_cv_range", "CV latent bounds lo,hi (m/s)", "SemgDecoder", spec->cv_range, &n, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-dec_depth_range", "depth latent bounds lo,hi (m)", "SemgDecoder", spec->depth_range, &n, NULL));
  PetscOptionsEnd();
  spec->template_seed = (uint64_t)seed;
  PetscCheck(spec->mu.n_fibres > 0, comm, SEMG_ERR_USER, "-dec_fibres must be > 0");
  PetscCheck(spec->cv_range[0] > 0 && spec->cv_range[1] > spec->cv_range[0], comm, SEMG_ERR_USER, "-dec_cv_range must be 0 < lo < hi");
  PetscCheck(!spec->latent_depth || (spec->depth_range[0] > spec->mu.radius && spec->depth_range[1] > spec->depth_range[0]), comm, SEMG_ERR_USER,
             "-dec_depth_range must be radius < lo < hi (lo %g, radius %g)", (double)spec->depth_range[0], (double)spec->mu.radius);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static uint64_t HashBytes(uint64_t h, const void *p, size_t n)
{
  const unsigned char *c = (const unsigned char *)p;
  for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ULL;
  return h;
}

PetscErrorCode SemgDecoderCreate(const SemgDecoderSpec *spec, const SemgDecoderGeometry *geo, SemgDecoder **decp)
{
  SemgDecoder      *dec;
  SemgMotorUnitSpec mu = spec->mu;
  PetscInt          ns;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&dec));
  dec->spec = *spec;
  PetscCall(SemgCCSParamsDefault(&dec->par));
  dec->ne = geo->ne;
  dec->nc = geo->nc;
  dec->nt = geo->nt;
  dec->dt = 1.0 / geo->fs;
  dec->K  = spec->latent_depth ? 3 : 2;
  PetscCall(PetscMalloc3(dec->ne, &dec->ex, dec->ne, &dec->ey, dec->ne, &dec->ez));
  dec->ez_plane = 0.0;
  for (PetscInt e = 0; e < dec->ne; e++) {
    dec->ex[e] = geo->exyz[3 * e];
    dec->ey[e] = geo->exyz[3 * e + 1];
    dec->ez[e] = geo->exyz[3 * e + 2];
    dec->ez_plane += dec->ez[e] / dec->ne;
  }
  PetscCall(PetscMalloc2(3 * dec->nc, &dec->ch_e, 3 * dec->nc, &dec->ch_w));
  PetscCall(PetscArraycpy(dec->ch_e, geo->ch_e, 3 * dec->nc));
  PetscCall(PetscArraycpy(dec->ch_w, geo->ch_w, 3 * dec->nc));
  /* template: IZ centre at x = 0, axis 'depth' below the electrode plane */
  mu.iz[0] = 0.0;
  mu.iz[1] = 0.0;
  mu.iz[2] = dec->ez_plane - spec->depth;
  dec->nf  = mu.n_fibres;
  PetscCall(PetscMalloc3(dec->nf, &dec->tmpl, dec->nf, &dec->fib, dec->nf, &dec->dcv));
  PetscCall(SemgMotorUnitGenerate(&mu, spec->template_seed, 0, dec->tmpl));
  for (PetscInt i = 0; i < dec->nf; i++) dec->dcv[i] = dec->tmpl[i].cv - mu.cv_mean;
  /* scaler bounds */
  dec->scaler.K     = dec->K;
  dec->scaler.lo[0] = spec->iz_range[1] > spec->iz_range[0] ? spec->iz_range[0] : dec->ex[0];
  dec->scaler.hi[0] = spec->iz_range[1] > spec->iz_range[0] ? spec->iz_range[1] : dec->ex[dec->ne - 1];
  dec->scaler.lo[1] = spec->cv_range[0];
  dec->scaler.hi[1] = spec->cv_range[1];
  if (spec->latent_depth) {
    dec->scaler.lo[2] = spec->depth_range[0];
    dec->scaler.hi[2] = spec->depth_range[1];
  }
  PetscCheck(dec->scaler.hi[0] > dec->scaler.lo[0], PETSC_COMM_SELF, SEMG_ERR_USER, "decoder: empty IZ range (electrodes must be ordered by x)");
  dec->hash = HashBytes(1469598103934665603ULL, dec->tmpl, sizeof(SemgFibre) * dec->nf);
  dec->hash = HashBytes(dec->hash, &spec->depth, sizeof(PetscReal));
  ns        = SEMG_CCS_MAX_SOURCES * dec->nf;
  PetscCall(PetscMalloc4(ns, &dec->sI, ns, &dec->sx, ns, &dec->sy, ns, &dec->sz));
  PetscCall(PetscMalloc4(ns, &dec->stI, ns, &dec->stx, ns, &dec->sty, ns, &dec->stz));
  PetscCall(PetscMalloc2((size_t)dec->ne * dec->nt, &dec->phi, (size_t)3 * dec->ne * dec->nt, &dec->dphi));
  PetscCall(PetscMalloc2((size_t)dec->nc * dec->nt, &dec->y, (size_t)dec->K * dec->nc * dec->nt, &dec->J));
  *decp = dec;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecoderDestroy(SemgDecoder **decp)
{
  SemgDecoder *dec = *decp;

  PetscFunctionBeginUser;
  if (!dec) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree3(dec->ex, dec->ey, dec->ez));
  PetscCall(PetscFree2(dec->ch_e, dec->ch_w));
  PetscCall(PetscFree3(dec->tmpl, dec->fib, dec->dcv));
  PetscCall(PetscFree4(dec->sI, dec->sx, dec->sy, dec->sz));
  PetscCall(PetscFree4(dec->stI, dec->stx, dec->sty, dec->stz));
  PetscCall(PetscFree2(dec->phi, dec->dphi));
  PetscCall(PetscFree2(dec->y, dec->J));
  PetscCall(PetscFree(*decp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* All sources of all fibres at time t (SoA), with their v-tangents t*dI/ds and t*dp/ds (every fibre's
   s = (v + dv_f) t, so ds_f/dv = t). Sources do not depend on the electrode: computed once per time. */
static PetscInt DecoderSources(SemgDecoder *dec, PetscReal t)
{
  SemgCCSSources src;
  PetscInt       n = 0;

  for (PetscInt i = 0; i < dec->nf; i++) {
    SemgCCSFibreSources(&dec->par, &dec->fib[i], dec->fib[i].cv * t, PETSC_TRUE, &src);
    for (PetscInt j = 0; j < src.n; j++, n++) {
      dec->sI[n]  = src.current[j];
      dec->sx[n]  = src.p[j][0];
      dec->sy[n]  = src.p[j][1];
      dec->sz[n]  = src.p[j][2];
      dec->stI[n] = t * src.dI_ds[j];
      dec->stx[n] = t * src.dp_ds[j][0];
      dec->sty[n] = t * src.dp_ds[j][1];
      dec->stz[n] = t * src.dp_ds[j][2];
    }
  }
  return n;
}

/* Potential and tangents at every electrode for one time index k. phi = sum I/r;
   d phi/d shift_a = -sum I (p_a - e_a)/r^3 (rigid shift moves every source); d phi/d v as above. */
static void DecoderElectrodes(SemgDecoder *dec, PetscInt n, PetscInt k, PetscBool tangents)
{
  const PetscReal *restrict sI = dec->sI, *restrict sx = dec->sx, *restrict sy = dec->sy, *restrict sz = dec->sz;
  const PetscReal *restrict tI = dec->stI, *restrict tx = dec->stx, *restrict ty = dec->sty, *restrict tz = dec->stz;
  const size_t    net = (size_t)dec->ne * dec->nt;

  for (PetscInt e = 0; e < dec->ne; e++) {
    const PetscReal ex = dec->ex[e], ey = dec->ey[e], ez = dec->ez[e];
    PetscReal       p = 0, gx = 0, gz = 0, dv = 0;
    const size_t    o = (size_t)e * dec->nt + k;
    if (!tangents) {
      for (PetscInt j = 0; j < n; j++) {
        const PetscReal dx = sx[j] - ex, dy = sy[j] - ey, dz = sz[j] - ez;
        p += sI[j] / sqrt(dx * dx + dy * dy + dz * dz);
      }
    } else {
      for (PetscInt j = 0; j < n; j++) {
        const PetscReal dx = sx[j] - ex, dy = sy[j] - ey, dz = sz[j] - ez;
        const PetscReal r2 = dx * dx + dy * dy + dz * dz, ir = 1.0 / sqrt(r2), Iir = sI[j] * ir, g = Iir / r2;
        p += Iir;
        gx -= g * dx;
        gz -= g * dz;
        dv += tI[j] * ir - g * (dx * tx[j] + dy * ty[j] + dz * tz[j]);
      }
      dec->dphi[o]           = gx;
      dec->dphi[net + o]     = dv;
      dec->dphi[2 * net + o] = gz;
    }
    dec->phi[o] = p;
  }
}

/* out[c][k] = sum_j w_cj in[e_cj][k] */
static void DecoderMontage(const SemgDecoder *dec, const PetscReal *in, PetscReal *out)
{
  for (PetscInt c = 0; c < dec->nc; c++) {
    PetscReal *o = out + (size_t)c * dec->nt;
    for (PetscInt k = 0; k < dec->nt; k++) o[k] = 0.0;
    for (int j = 0; j < 3; j++) {
      PetscInt e = dec->ch_e[3 * c + j];
      if (e < 0) continue;
      for (PetscInt k = 0; k < dec->nt; k++) o[k] += dec->ch_w[3 * c + j] * in[(size_t)e * dec->nt + k];
    }
  }
}

PetscErrorCode SemgDecoderApply(SemgDecoder *dec, const PetscReal *theta, PetscReal *y, PetscReal *J)
{
  const PetscReal shift_x = theta[SEMG_LATENT_IZ], v = theta[SEMG_LATENT_CV];
  const PetscReal shift_z = dec->K > SEMG_LATENT_DEPTH ? dec->spec.depth - theta[SEMG_LATENT_DEPTH] : 0.0;
  const size_t    net = (size_t)dec->ne * dec->nt, nct = (size_t)dec->nc * dec->nt;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dec->nf; i++) {
    dec->fib[i] = dec->tmpl[i];
    dec->fib[i].ox += shift_x;
    dec->fib[i].oz += shift_z;
    dec->fib[i].cv = v + dec->dcv[i];
    PetscCheck(dec->fib[i].cv > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "decoder: fibre %" PetscInt_FMT " CV %g <= 0", i, (double)dec->fib[i].cv);
  }
  for (PetscInt k = 0; k < dec->nt; k++) {
    PetscInt n = DecoderSources(dec, (PetscReal)k * dec->dt);
    DecoderElectrodes(dec, n, k, (PetscBool)(J != NULL));
  }
  DecoderMontage(dec, dec->phi, y);
  if (J) {
    DecoderMontage(dec, dec->dphi, J);                           /* d/d iz = d/d shift_x */
    DecoderMontage(dec, dec->dphi + net, J + nct);               /* d/d cv */
    if (dec->K > SEMG_LATENT_DEPTH) {
      DecoderMontage(dec, dec->dphi + 2 * net, J + 2 * nct);     /* d/d depth = -d/d shift_z */
      for (size_t i = 0; i < nct; i++) J[2 * nct + i] = -J[2 * nct + i];
    }
  }
  PetscCall(PetscLogFlops((PetscLogDouble)dec->nt * dec->nf * 6 * dec->ne * (J ? 30.0 : 9.0)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecoderLoss(SemgDecoder *dec, const PetscReal *theta, const PetscReal *x, PetscReal *loss, PetscReal *dtheta, PetscReal *gain)
{
  const size_t nct = (size_t)dec->nc * dec->nt;
  PetscReal    xy = 0, yy = 0, xx = 0, g, l = 0;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(dec, theta, dec->y, dtheta ? dec->J : NULL));
  for (size_t i = 0; i < nct; i++) {
    xy += x[i] * dec->y[i];
    yy += dec->y[i] * dec->y[i];
    xx += x[i] * x[i];
  }
  g = yy > 1e-300 ? xy / yy : 0.0;
  if (g <= 0.0) {
    /* no sign-flipped fits: the loss is ||x||^2 and the gradient vanishes */
    g = 0.0;
    if (dtheta)
      for (PetscInt j = 0; j < dec->K; j++) dtheta[j] = 0.0;
    *loss = xx / (PetscReal)nct;
  } else {
    for (size_t i = 0; i < nct; i++) {
      PetscReal r = x[i] - g * dec->y[i];
      l += r * r;
    }
    *loss = l / (PetscReal)nct;
    /* the terms from d g/d theta cancel at the optimum g*: d loss/d theta_j = -(2 g/(C N)) <x - g y, J_j> */
    if (dtheta)
      for (PetscInt j = 0; j < dec->K; j++) {
        const PetscReal *Jj = dec->J + (size_t)j * nct;
        PetscReal        s  = 0.0;
        for (size_t i = 0; i < nct; i++) s += (x[i] - g * dec->y[i]) * Jj[i];
        dtheta[j] = -2.0 * g * s / (PetscReal)nct;
      }
  }
  if (gain) *gain = g;
  PetscFunctionReturn(PETSC_SUCCESS);
}
