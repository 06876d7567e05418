#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "estimator/nn/decoder.h"
#include "estimator/nn/dectable.h"

PetscErrorCode SemgDecoderSpecDefault(SemgDecoderSpec *spec)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(spec, sizeof(*spec)));
  PetscCall(SemgMotorUnitSpecDefault(&spec->mu));
  spec->mu.n_fibres    = 50;
  spec->mu.radius      = 0.003;
  spec->mu.iz_spread   = 0.005;
  spec->mu.cv_mean     = 4.0;
  spec->mu.cv_sd       = 0.1;
  spec->template_seed  = 20260001;
  spec->depth          = 0.02;
  spec->latent_depth   = PETSC_FALSE;
  spec->iz_range[0]    = 0.0; /* empty: first to last electrode */
  spec->iz_range[1]    = 0.0;
  spec->cv_range[0]    = 2.5;
  spec->cv_range[1]    = 5.4;
  spec->depth_range[0] = 0.01;
  spec->depth_range[1] = 0.03;
  PetscCall(SemgDecTableOptionsDefault(&spec->table));
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
  PetscCall(
    PetscOptionsReal("-dec_tendon", "template distance IZ centre to each tendon plane L_L = L_R (m)", "SemgDecoder", spec->mu.tendon_left, &spec->mu.tendon_left, NULL));
  spec->mu.tendon_right = spec->mu.tendon_left;
  PetscCall(PetscOptionsReal("-dec_tendon_spread", "template tendon-end spread W_T (m)", "SemgDecoder", spec->mu.tendon_spread_left, &spec->mu.tendon_spread_left, NULL));
  spec->mu.tendon_spread_right = spec->mu.tendon_spread_left;
  PetscCall(PetscOptionsReal("-dec_cv_mean", "template mean CV (only the offsets from it are kept, m/s)", "SemgDecoder", spec->mu.cv_mean, &spec->mu.cv_mean, NULL));
  PetscCall(PetscOptionsReal("-dec_cv_sd", "template per-fibre CV standard deviation (m/s)", "SemgDecoder", spec->mu.cv_sd, &spec->mu.cv_sd, NULL));
  PetscCall(PetscOptionsInt("-dec_template_seed", "seed of the template fibre table", "SemgDecoder", seed, &seed, NULL));
  PetscCall(PetscOptionsReal("-dec_depth", "template MU axis depth below the electrode plane (m)", "SemgDecoder", spec->depth, &spec->depth, NULL));
  PetscCall(PetscOptionsBool("-dec_latent_depth", "MU depth as a nuisance latent", "SemgDecoder", spec->latent_depth, &spec->latent_depth, NULL));
  PetscCall(PetscOptionsBool("-dec_centre", "define the template IZ as the mean end-plate position (shift the template so it is at x = 0)", "SemgDecoder",
                             spec->centre, &spec->centre, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-dec_iz_range", "IZ latent bounds lo,hi (m); default first..last electrode", "SemgDecoder", spec->iz_range, &n, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-dec_cv_range", "CV latent bounds lo,hi (m/s)", "SemgDecoder", spec->cv_range, &n, NULL));
  n = 2;
  PetscCall(PetscOptionsRealArray("-dec_depth_range", "depth latent bounds lo,hi (m)", "SemgDecoder", spec->depth_range, &n, NULL));
  PetscOptionsEnd();
  PetscCall(SemgDecTableOptionsSetFromOptions(comm, &spec->table));
  spec->template_seed = (uint64_t)seed;
  PetscCheck(spec->mu.n_fibres > 0, comm, SEMG_ERR_USER, "-dec_fibres must be > 0");
  PetscCheck(spec->cv_range[0] > 0 && spec->cv_range[1] > spec->cv_range[0], comm, SEMG_ERR_USER, "-dec_cv_range must be 0 < lo < hi");
  PetscCheck(!spec->latent_depth || (spec->depth_range[0] > spec->mu.radius && spec->depth_range[1] > spec->depth_range[0]), comm, SEMG_ERR_USER, "-dec_depth_range must be radius < lo < hi (lo %g, radius %g)",
             (double)spec->depth_range[0], (double)spec->mu.radius);
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
  if (spec->centre) {
    /* generator IZ centre p_IZ vs the centroid of this draw's end plates: label the latter as the IZ */
    PetscReal mean = 0.0;
    for (PetscInt i = 0; i < dec->nf; i++) mean += (dec->tmpl[i].ox + dec->tmpl[i].ip * cos(dec->tmpl[i].rz) * cos(dec->tmpl[i].ry)) / dec->nf;
    for (PetscInt i = 0; i < dec->nf; i++) dec->tmpl[i].ox -= mean;
  }
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
  PetscCall(PetscMalloc1(4 * dec->ne, &dec->acc));
  PetscCall(PetscMalloc1(3 * dec->nf, &dec->fdir));
  for (PetscInt i = 0; i < dec->nf; i++) {
    dec->fdir[3 * i]     = cos(dec->tmpl[i].rz) * cos(dec->tmpl[i].ry);
    dec->fdir[3 * i + 1] = sin(dec->tmpl[i].rz) * cos(dec->tmpl[i].ry);
    dec->fdir[3 * i + 2] = -sin(dec->tmpl[i].ry);
  }
  PetscCall(SemgDecoderSetCCSParams(dec, &dec->par));
  *decp = dec;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecoderSetCCSParams(SemgDecoder *dec, const SemgCCSParams *par)
{
  /* sections of a complete AP, used by the fast path of DecoderSources */
  const PetscReal zb[4] = {0.0, (3.0 - sqrt(3.0)) / par->lambda, (3.0 + sqrt(3.0)) / par->lambda, par->zmax};

  PetscFunctionBeginUser;
  dec->par = *par;
  for (int k = 0; k < 3; k++) SemgCCSSection(&dec->par, zb[k], zb[k + 1], &dec->full_I[k], &dec->full_zbar[k]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecoderDestroy(SemgDecoder **decp)
{
  SemgDecoder *dec = *decp;

  PetscFunctionBeginUser;
  if (!dec) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(SemgDecTableDestroy(&dec->table));
  PetscCall(PetscFree3(dec->ex, dec->ey, dec->ez));
  PetscCall(PetscFree2(dec->ch_e, dec->ch_w));
  PetscCall(PetscFree3(dec->tmpl, dec->fib, dec->dcv));
  PetscCall(PetscFree4(dec->sI, dec->sx, dec->sy, dec->sz));
  PetscCall(PetscFree4(dec->stI, dec->stx, dec->sty, dec->stz));
  PetscCall(PetscFree2(dec->phi, dec->dphi));
  PetscCall(PetscFree2(dec->y, dec->J));
  PetscCall(PetscFree(dec->acc));
  PetscCall(PetscFree(dec->fdir));
  PetscCall(PetscFree(*decp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* All sources of all fibres at time t (SoA), with their v-tangents t*dI/ds and t*dp/ds (every fibre's
   s = (v + dv_f) t, so ds_f/dv = t). Sources do not depend on the electrode: computed once per time.
   Fast paths (same values up to the rounding of the bounds, spec 4.1): no AP yet (s <= 0) or both
   extinguished (s >= max(IP, L - IP) + Z) gives no source; an AP with Z < s < its ell is complete:
   constant currents and centroids, dI/ds = 0, d xi/ds = -+1. Otherwise sim/ccs.c does the clipping. */
static PetscInt DecoderSources(SemgDecoder *dec, PetscReal t)
{
  SemgCCSSources  src;
  PetscInt        n = 0;
  const PetscReal Z = dec->par.zmax;

  for (PetscInt i = 0; i < dec->nf; i++) {
    const SemgFibre *f = &dec->fib[i];
    const PetscReal  s = f->cv * t, ell_l = f->ip, ell_r = f->length - f->ip;
    if (s <= 0.0 || s >= PetscMax(ell_l, ell_r) + Z) continue;
    if (s > Z && s < ell_l && s < ell_r && !dec->par.charge_conserving) {
      const PetscReal *d = dec->fdir + 3 * i;
      for (int side = -1; side <= 1; side += 2)
        for (int k = 0; k < 3; k++, n++) {
          const PetscReal xi = side < 0 ? (dec->full_zbar[k] + f->ip) - s : (-dec->full_zbar[k] + f->ip) + s;
          dec->sI[n]         = dec->full_I[k];
          dec->sx[n]         = d[0] * xi + f->ox;
          dec->sy[n]         = d[1] * xi + f->oy;
          dec->sz[n]         = d[2] * xi + f->oz;
          dec->stI[n]        = 0.0;
          dec->stx[n]        = t * d[0] * side;
          dec->sty[n]        = t * d[1] * side;
          dec->stz[n]        = t * d[2] * side;
        }
      continue;
    }
    SemgCCSFibreSources(&dec->par, f, s, PETSC_TRUE, &src);
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
   d phi/d shift_a = -sum I (p_a - e_a)/r^3 (rigid shift moves every source); d phi/d v as above.
   Sources outer, electrodes inner: the inner loop has no reduction, so it vectorises without
   reassociating sums (results stay independent of the vector width). */
static void DecoderElectrodes(SemgDecoder *dec, PetscInt n, PetscInt k, PetscBool tangents)
{
  const PetscInt ne      = dec->ne;
  const size_t   net     = (size_t)ne * dec->nt;
  PetscReal *restrict ap = dec->acc, *restrict ax = dec->acc + ne, *restrict az = dec->acc + 2 * ne, *restrict av = dec->acc + 3 * ne;
  const PetscReal *restrict ex = dec->ex, *restrict ey = dec->ey, *restrict ez = dec->ez;

  for (PetscInt e = 0; e < 4 * ne; e++) dec->acc[e] = 0.0;
  for (PetscInt j = 0; j < n; j++) {
    const PetscReal px = dec->sx[j], py = dec->sy[j], pz = dec->sz[j], cur = dec->sI[j];
    if (!tangents) {
      for (PetscInt e = 0; e < ne; e++) {
        const PetscReal dx = px - ex[e], dy = py - ey[e], dz = pz - ez[e];
        ap[e] += cur / sqrt(dx * dx + dy * dy + dz * dz);
      }
    } else {
      const PetscReal tI = dec->stI[j], tx = dec->stx[j], ty = dec->sty[j], tz = dec->stz[j];
      for (PetscInt e = 0; e < ne; e++) {
        const PetscReal dx = px - ex[e], dy = py - ey[e], dz = pz - ez[e];
        const PetscReal r2 = dx * dx + dy * dy + dz * dz, ir = 1.0 / sqrt(r2), Iir = cur * ir, g = Iir * (ir * ir);
        ap[e] += Iir;
        ax[e] -= g * dx;
        az[e] -= g * dz;
        av[e] += tI * ir - g * (dx * tx + dy * ty + dz * tz);
      }
    }
  }
  for (PetscInt e = 0; e < ne; e++) {
    const size_t o = (size_t)e * dec->nt + k;
    dec->phi[o]    = ap[e];
    if (tangents) {
      dec->dphi[o]           = ax[e];
      dec->dphi[net + o]     = av[e];
      dec->dphi[2 * net + o] = az[e];
    }
  }
}

/* out[c][k] = sum_j w_cj in[e_cj][k] */
void SemgDecoderMontage(const SemgDecoder *dec, const PetscReal *in, PetscReal *out)
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

/* Exact CCS potentials (and tangents when J) at every electrode into dec->phi, dec->dphi. */
static PetscErrorCode DecoderPotential(SemgDecoder *dec, const PetscReal *theta, PetscReal *J)
{
  const PetscReal shift_x = theta[SEMG_LATENT_IZ], v = theta[SEMG_LATENT_CV];
  const PetscReal shift_z = dec->K > SEMG_LATENT_DEPTH ? dec->spec.depth - theta[SEMG_LATENT_DEPTH] : 0.0;
  const size_t    net     = (size_t)dec->ne * dec->nt;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dec->nf; i++) {
    dec->fib[i] = dec->tmpl[i];
    dec->fib[i].ox += shift_x;
    dec->fib[i].oz += shift_z;
    dec->fib[i].cv = v + dec->dcv[i];
    PetscCheck(dec->fib[i].cv > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "decoder: fibre %" PetscInt_FMT " CV %g <= 0", i, (double)dec->fib[i].cv);
  }
  if (dec->par.anisotropic) { /* general metric: the forward model's own routine (slower, no fast path) */
    PetscReal *d_shift[3] = {dec->dphi, NULL, dec->dphi + 2 * net}, *exyz;
    PetscCall(PetscMalloc1(3 * dec->ne, &exyz));
    for (PetscInt e = 0; e < dec->ne; e++) exyz[3 * e] = dec->ex[e], exyz[3 * e + 1] = dec->ey[e], exyz[3 * e + 2] = dec->ez[e];
    PetscCall(SemgCCSPotentialTangents(&dec->par, dec->nf, dec->fib, dec->ne, exyz, dec->nt, 0.0, dec->dt, dec->phi, J ? d_shift : NULL, J ? dec->dphi + net : NULL, NULL));
    PetscCall(PetscFree(exyz));
  } else
    for (PetscInt k = 0; k < dec->nt; k++) {
      PetscInt n = DecoderSources(dec, (PetscReal)k * dec->dt);
      DecoderElectrodes(dec, n, k, (PetscBool)(J != NULL));
    }
  PetscCall(PetscLogFlops((PetscLogDouble)dec->nt * dec->nf * 6 * dec->ne * (J ? 30.0 : 9.0)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecoderApply(SemgDecoder *dec, const PetscReal *theta, PetscReal *y, PetscReal *J)
{
  const size_t net = (size_t)dec->ne * dec->nt, nct = (size_t)dec->nc * dec->nt;

  PetscFunctionBeginUser;
  if (dec->table) PetscCall(SemgDecTablePotential(dec->table, theta, dec->phi, J ? dec->dphi : NULL));
  else PetscCall(DecoderPotential(dec, theta, J));
  SemgDecoderMontage(dec, dec->phi, y);
  if (J) {
    SemgDecoderMontage(dec, dec->dphi, J);             /* d/d iz = d/d shift_x */
    SemgDecoderMontage(dec, dec->dphi + net, J + nct); /* d/d cv */
    if (dec->K > SEMG_LATENT_DEPTH) {
      SemgDecoderMontage(dec, dec->dphi + 2 * net, J + 2 * nct); /* d/d depth = -d/d shift_z */
      for (size_t i = 0; i < nct; i++) J[2 * nct + i] = -J[2 * nct + i];
    }
  }
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
