#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_rng.h"
#include "sim/model_mix.h"

const char *const SemgForwardKinds[] = {"ccs", "ccs_cc", "anisotropic", "halfspace", "layered", "vc", "infinite", NULL};

/* Comma-separated names of option `name` into codes (index in names[0..n_names-1]); unknown or repeated
   names are user errors (a repeat would silently weight the mix). */
static PetscErrorCode NameList(const char *name, const char *text, const char *const names[], PetscInt n_names, PetscInt *n, PetscInt *codes)
{
  char  buf[256], *save = NULL;
  char *tok;

  PetscFunctionBeginUser;
  *n = 0;
  PetscCall(PetscStrncpy(buf, text, sizeof(buf)));
  for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    PetscInt k = -1;
    for (PetscInt j = 0; j < n_names; j++)
      if (!strcmp(tok, names[j])) k = j;
    PetscCheck(k >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "%s: unknown entry '%s' (one of %s%s%s%s%s%s%s%s%s)", name, tok, names[0], n_names > 1 ? ", " : "", n_names > 1 ? names[1] : "", n_names > 2 ? ", " : "", n_names > 2 ? names[2] : "", n_names > 3 ? ", " : "", n_names > 3 ? names[3] : "", n_names > 4 ? ", " : "", n_names > 4 ? names[4] : "");
    for (PetscInt j = 0; j < *n; j++) PetscCheck(codes[j] != k, PETSC_COMM_WORLD, SEMG_ERR_USER, "%s: '%s' listed twice", name, tok);
    codes[(*n)++] = k;
  }
  PetscCheck(*n > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "%s: empty list", name);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgModelMixOptions(PetscOptionItems *PetscOptionsObject, SemgSimulateOptions *o)
{
  char      list[256] = "";
  PetscInt  codes[SEMG_FWD_MIXABLE];
  PetscBool set;

  PetscFunctionBeginUser;
  o->fat_thickness_step    = 0.001;
  o->interference_fraction = 1;
  PetscCall(PetscOptionsString("-model_mix", "per-sample forward model drawn uniformly from this list of ccs, ccs_cc, anisotropic, halfspace, layered (replaces -model)", "", list, list, sizeof(list), &set));
  if (set) {
    PetscCall(NameList("-model_mix", list, SemgForwardKinds, SEMG_FWD_MIXABLE, &o->n_model_mix, codes));
    for (PetscInt j = 0; j < o->n_model_mix; j++) o->model_mix[j] = (SemgForwardKind)codes[j];
  }
  PetscCall(SemgRangeOption(PetscOptionsObject, "-fat_thickness_range", "-model_mix layered: fat thickness (m) per sample: lo,hi (the MU depth draws move down by it)", &o->fat_thickness, &o->fat_thickness_set));
  PetscCall(PetscOptionsReal("-fat_thickness_step", "-fat_thickness_range: largest spacing of the thickness nodes (m); a sample takes the nearest node (one lead-field table per node)", "", o->fat_thickness_step, &o->fat_thickness_step, NULL));
  PetscCall(SemgRangeOption(PetscOptionsObject, "-anisotropy_range", "-model_mix anisotropic: sigma_long / sigma_trans per sample: lo,hi", &o->anisotropy, &o->anisotropy_set));
  PetscCall(SemgRangeOption(PetscOptionsObject, "-contact_gain_sd_range", "log-normal contact-gain SD per sample: lo,hi (replaces -contact_gain_sd)", &o->contact_gain_sd_range, &o->contact_gain_sd_set));
  list[0] = 0;
  PetscCall(PetscOptionsString("-noise_colour_mix", "per-sample noise colour drawn uniformly from this list of white, pink, line, wander (replaces -noise_colour)", "", list, list, sizeof(list), &set));
  if (set) {
    PetscCall(NameList("-noise_colour_mix", list, SemgNoiseColours, 4, &o->n_noise_mix, codes));
    for (PetscInt j = 0; j < o->n_noise_mix; j++) o->noise_mix[j] = (SemgNoiseColour)codes[j];
  }
  PetscCall(SemgRangeOption(PetscOptionsObject, "-mu_cv_sd_range", "SD of the fibre CVs of a MU (m/s) per sample: lo,hi (replaces -mu_cv_sd)", &o->mu_cv_sd, &o->mu_cv_sd_set));
  PetscCall(PetscOptionsReal("-interference_fraction", "-interference_sir_range: share of the samples (drawn per sample) that get interference", "", o->interference_fraction, &o->interference_fraction, &o->interference_fraction_set));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscBool MixHas(const SemgSimulateOptions *o, SemgForwardKind k)
{
  for (PetscInt j = 0; j < o->n_model_mix; j++)
    if (o->model_mix[j] == k) return PETSC_TRUE;
  return PETSC_FALSE;
}

static PetscErrorCode MixLayeredCheck(MPI_Comm comm, const SemgSimulateOptions *o)
{
  SemgTissue t = o->layers;

  PetscFunctionBeginUser;
  PetscCheck(o->fat_thickness_set, comm, SEMG_ERR_USER, "-model_mix layered needs -fat_thickness_range lo,hi (m)");
  PetscCheck(o->fat_thickness_step > 0, comm, SEMG_ERR_USER, "-fat_thickness_step %g must be > 0", (double)o->fat_thickness_step);
  PetscCheck(o->fat_thickness.lo >= 0, comm, SEMG_ERR_USER, "-fat_thickness_range must be >= 0 m");
  t.fat_thickness = o->fat_thickness.hi;
  PetscCall(SemgTissueCheck(comm, &t));
  /* the MU moves down by the fat thickness: only the skin stands between the shallowest fibre and the fat */
  PetscCheck(o->depth.lo - o->radius.hi > o->layers.skin_thickness, comm, SEMG_ERR_USER, "-model_mix layered: -depth_range lo %g minus the largest -radius_range %g must exceed -skin_thickness %g m (fibres would reach into the fat)",
             (double)o->depth.lo, (double)o->radius.hi, (double)o->layers.skin_thickness);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgModelMixCheck(MPI_Comm comm, const SemgSimulateOptions *o)
{
  PetscFunctionBeginUser;
  if (o->n_model_mix) {
    PetscCheck(o->model == SEMG_SIM_MODEL_CCS && !o->ccs.charge_conserving && !o->ccs.anisotropic && !o->ccs_sources, comm, SEMG_ERR_USER, "-model_mix replaces -model, -ccs_charge_conserving, -ccs_anisotropic and -vc_ccs_sources (give none of them)");
    if (MixHas(o, SEMG_FWD_LAYERED)) PetscCall(MixLayeredCheck(comm, o));
  }
  PetscCheck(!o->fat_thickness_set || MixHas(o, SEMG_FWD_LAYERED), comm, SEMG_ERR_USER, "-fat_thickness_range needs layered in -model_mix (with -model layered use -fat_thickness)");
  PetscCheck(!o->anisotropy_set || MixHas(o, SEMG_FWD_ANISOTROPIC), comm, SEMG_ERR_USER, "-anisotropy_range needs anisotropic in -model_mix");
  PetscCheck(!MixHas(o, SEMG_FWD_ANISOTROPIC) || o->anisotropy_set, comm, SEMG_ERR_USER, "-model_mix anisotropic needs -anisotropy_range lo,hi (sigma_long / sigma_trans)");
  PetscCheck(!o->anisotropy_set || o->anisotropy.lo > 0, comm, SEMG_ERR_USER, "-anisotropy_range must be > 0");
  PetscCheck(!o->contact_gain_sd_set || o->contact_gain_sd_range.lo >= 0, comm, SEMG_ERR_USER, "-contact_gain_sd_range must be >= 0");
  PetscCheck(!o->mu_cv_sd_set || o->mu_cv_sd.lo >= 0, comm, SEMG_ERR_USER, "-mu_cv_sd_range must be >= 0 m/s");
  PetscCheck(!o->mu_cv_sd_set || !o->fixed_template, comm, SEMG_ERR_USER, "-mu_cv_sd_range cannot vary the fibres of -fixed_template");
  PetscCheck(o->interference_fraction >= 0 && o->interference_fraction <= 1, comm, SEMG_ERR_USER, "-interference_fraction %g must be in [0, 1]",
             (double)o->interference_fraction);
  PetscCheck(!o->interference_fraction_set || o->interference, comm, SEMG_ERR_USER, "-interference_fraction needs -interference_sir_range");
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The node a layered sample's thickness snaps to: nodes lo + k (hi - lo) / K, k = 0..K, spaced <= step. */
static PetscInt ThicknessNodes(const SemgSimulateOptions *o)
{
  const PetscReal w = o->fat_thickness.hi - o->fat_thickness.lo;
  return w > 0 ? (PetscInt)PetscCeilReal(w / o->fat_thickness_step - 1e-9) : 0;
}

static PetscReal ThicknessOfNode(const SemgSimulateOptions *o, PetscInt k)
{
  const PetscInt K = ThicknessNodes(o);
  return K ? o->fat_thickness.lo + (o->fat_thickness.hi - o->fat_thickness.lo) * (PetscReal)k / (PetscReal)K : o->fat_thickness.lo;
}

static PetscInt NodeOfThickness(const SemgSimulateOptions *o, PetscReal h)
{
  const PetscInt K = ThicknessNodes(o);
  return K ? (PetscInt)round((h - o->fat_thickness.lo) / (o->fat_thickness.hi - o->fat_thickness.lo) * K) : 0;
}

/* The fixed settings, as the columns of a run without domain randomisation record them. */
static void FixedColumns(const SemgSimulateOptions *o, SemgSampleParams *p)
{
  SemgForwardKind k = SEMG_FWD_CCS;

  if (o->model == SEMG_SIM_MODEL_CCS) k = o->ccs.anisotropic ? SEMG_FWD_ANISOTROPIC : o->ccs.charge_conserving ? SEMG_FWD_CCS_CC : SEMG_FWD_CCS;
  else if (o->model == SEMG_SIM_MODEL_HALFSPACE) k = SEMG_FWD_HALFSPACE;
  else if (o->model == SEMG_SIM_MODEL_LAYERED) k = SEMG_FWD_LAYERED;
  else if (o->model == SEMG_SIM_MODEL_VC) k = SEMG_FWD_VC;
  else k = SEMG_FWD_INFINITE;
  p->theta[SEMG_THETA_FORWARD_MODEL]   = (PetscReal)k;
  p->theta[SEMG_THETA_FAT_THICKNESS]   = k == SEMG_FWD_LAYERED ? o->layers.fat_thickness : NAN;
  p->theta[SEMG_THETA_ANISOTROPY]      = k == SEMG_FWD_ANISOTROPIC ? o->ccs.sigma_long / o->ccs.sigma_trans : NAN;
  p->theta[SEMG_THETA_CONTACT_GAIN_SD] = o->contact_gain_sd;
  p->theta[SEMG_THETA_MU_CV_SD]        = o->mu.cv_sd;
}

/* Fixed draw order (never change it: datasets depend on it); a setting draws only when its option is
   given, so that adding one option leaves every other column of every sample unchanged. */
PetscErrorCode SemgModelMixDraw(const SemgSimulateOptions *o, PetscInt sample, SemgSampleParams *p)
{
  SemgRng rng;

  PetscFunctionBeginUser;
  FixedColumns(o, p);
  SemgRngInit(&rng, (uint64_t)o->seed, (uint64_t)sample, SEMG_STREAM_DOMAIN);
  if (o->n_model_mix) {
    const SemgForwardKind k = o->model_mix[SemgRngBelow(&rng, (uint64_t)o->n_model_mix)];
    const PetscReal       h = SemgRngUniformRange(&rng, o->fat_thickness.lo, o->fat_thickness.hi); /* drawn for every sample: fixed positions */
    const PetscReal       a = SemgRngUniformRange(&rng, o->anisotropy.lo, o->anisotropy.hi);
    p->theta[SEMG_THETA_FORWARD_MODEL] = (PetscReal)k;
    p->theta[SEMG_THETA_FAT_THICKNESS] = k == SEMG_FWD_LAYERED ? ThicknessOfNode(o, NodeOfThickness(o, h)) : NAN;
    p->theta[SEMG_THETA_ANISOTROPY]    = k == SEMG_FWD_ANISOTROPIC ? a : NAN;
    p->theta[SEMG_THETA_DEPTH] += SemgSampleDepthShift(o, p);
  }
  if (o->contact_gain_sd_set)
    p->theta[SEMG_THETA_CONTACT_GAIN_SD] = SemgRngUniformRange(&rng, o->contact_gain_sd_range.lo, o->contact_gain_sd_range.hi);
  if (o->n_noise_mix) p->theta[SEMG_THETA_NOISE_COLOUR] = (PetscReal)o->noise_mix[SemgRngBelow(&rng, (uint64_t)o->n_noise_mix)];
  if (o->mu_cv_sd_set) p->theta[SEMG_THETA_MU_CV_SD] = SemgRngUniformRange(&rng, o->mu_cv_sd.lo, o->mu_cv_sd.hi);
  if (o->interference && o->interference_fraction_set && !(SemgRngUniform(&rng) < o->interference_fraction)) {
    p->theta[SEMG_THETA_SIR]                = NAN;
    p->theta[SEMG_THETA_INTERFERENCE_UNITS] = 0;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

SemgForwardKind SemgSampleForwardKind(const SemgSimulateOptions *o, const SemgSampleParams *p)
{
  (void)o;
  return (SemgForwardKind)(PetscInt)p->theta[SEMG_THETA_FORWARD_MODEL];
}

/* Without -model_mix the run's CCS parameters as given; in the mix, the anisotropic medium is that of
   the anisotropy axis of the study (sigma_long = ratio, sigma_trans = 1). */
void SemgSampleCCSParams(const SemgSimulateOptions *o, const SemgSampleParams *p, SemgCCSParams *ccs)
{
  const SemgForwardKind k = SemgSampleForwardKind(o, p);

  *ccs = o->ccs;
  if (!o->n_model_mix) return;
  ccs->charge_conserving = (PetscBool)(k == SEMG_FWD_CCS_CC);
  ccs->anisotropic       = (PetscBool)(k == SEMG_FWD_ANISOTROPIC);
  if (k == SEMG_FWD_ANISOTROPIC) ccs->sigma_long = p->theta[SEMG_THETA_ANISOTROPY], ccs->sigma_trans = 1;
}

PetscReal SemgSampleDepthShift(const SemgSimulateOptions *o, const SemgSampleParams *p)
{
  return o->n_model_mix && SemgSampleForwardKind(o, p) == SEMG_FWD_LAYERED ? p->theta[SEMG_THETA_FAT_THICKNESS] : 0;
}

/* One table (every rank the same) covering every source-electrode offset and depth the option ranges
   allow: electrodes anywhere the shift/rotation/IED ranges move them, fibres of any IZ, tendon and
   territory draw (SemgMerlettiFibre: x in iz -+ (L + W_T/2 + W_I), y, z within the radius), MU depths
   moved down by depth_shift. */
PetscErrorCode SemgSimulateLayeredLeadfield(const SemgSimulateOptions *o, const SemgTissue *t, PetscReal depth_shift, PetscInt ne, const PetscReal *nominal, SemgLeadfield *lf, PetscReal *seconds, SemgLayeredTableSpec *spec_out)
{
  const PetscReal      amax = PetscMax(PetscAbsReal(o->rotation_deg.lo), PetscAbsReal(o->rotation_deg.hi)) * PETSC_PI / 180.0, smax = amax < PETSC_PI / 2 ? PetscSinReal(amax) : 1.0;
  const PetscReal      wi = PetscMax(o->iz_spread.hi, 0), top = t->fat_thickness + t->skin_thickness, r = o->radius.hi;
  const PetscReal      fxlo = o->iz.lo - o->mu.tendon_left - 0.5 * o->mu.tendon_spread_left - wi, fxhi = o->iz.hi + o->mu.tendon_right + 0.5 * o->mu.tendon_spread_right + wi;
  PetscReal            exlo = PETSC_MAX_REAL, exhi = -PETSC_MAX_REAL, eylo = PETSC_MAX_REAL, eyhi = -PETSC_MAX_REAL, t0, t1;
  SemgLayeredTableSpec spec;

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < ne; e++) { /* rotation about the array centre by |a| <= amax, then the shift */
    const PetscReal ied = PetscMax(1.0, o->ied_scale.hi), dx = ied * (nominal[3 * e] - o->array.centre[0]), dy = ied * (nominal[3 * e + 1] - o->array.centre[1]);
    const PetscReal rx = PetscAbsReal(dx) + PetscAbsReal(dy) * smax, ry = PetscAbsReal(dy) + PetscAbsReal(dx) * smax;
    exlo = PetscMin(exlo, o->array.centre[0] + (amax > 0 ? -rx : dx) + o->shift_x.lo);
    exhi = PetscMax(exhi, o->array.centre[0] + (amax > 0 ? rx : dx) + o->shift_x.hi);
    eylo = PetscMin(eylo, o->array.centre[1] + (amax > 0 ? -ry : dy) + o->shift_y.lo);
    eyhi = PetscMax(eyhi, o->array.centre[1] + (amax > 0 ? ry : dy) + o->shift_y.hi);
  }
  PetscCall(SemgLayeredTableSpecDefault(&spec));
  spec.xmax = PetscMax(exhi - fxlo, fxhi - exlo);
  spec.ymax = PetscMax(eyhi + r, r - eylo) + (o->interference ? PetscMax(PetscAbsReal(o->interference_y.lo), PetscAbsReal(o->interference_y.hi)) : 0); /* interfering MUs off the axis */
  spec.dmin = o->depth.lo + depth_shift - r - top;
  spec.dmax = o->depth.hi + depth_shift + r - top;
  PetscCall(PetscTime(&t0));
  PetscCall(SemgLeadfieldCreateLayered(t, &spec, ne, nominal, lf));
  PetscCall(PetscTime(&t1));
  if (seconds) *seconds = t1 - t0;
  if (spec_out) *spec_out = spec;
  PetscFunctionReturn(PETSC_SUCCESS);
}

struct _p_SemgLayeredCache {
  PetscInt       n; /* nodes */
  SemgLeadfield *lf;
  PetscInt       ne, built;
  PetscReal     *nominal, seconds;
};

PetscErrorCode SemgLayeredCacheCreate(const SemgSimulateOptions *o, PetscInt ne, const PetscReal *nominal, SemgLayeredCache *c)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(c));
  (*c)->n  = MixHas(o, SEMG_FWD_LAYERED) ? ThicknessNodes(o) + 1 : 0;
  (*c)->ne = ne;
  PetscCall(PetscCalloc1((*c)->n + 1, &(*c)->lf));
  PetscCall(PetscMalloc1(3 * (size_t)ne, &(*c)->nominal));
  PetscCall(PetscArraycpy((*c)->nominal, nominal, 3 * (size_t)ne));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredCacheGet(SemgLayeredCache c, const SemgSimulateOptions *o, const SemgSampleParams *p, SemgLeadfield *lf)
{
  PetscInt k;

  PetscFunctionBeginUser;
  *lf = NULL;
  if (SemgSampleForwardKind(o, p) != SEMG_FWD_LAYERED) PetscFunctionReturn(PETSC_SUCCESS);
  k = NodeOfThickness(o, p->theta[SEMG_THETA_FAT_THICKNESS]);
  PetscCheck(k >= 0 && k < c->n, PETSC_COMM_SELF, PETSC_ERR_PLIB, "fat thickness node %" PetscInt_FMT " of %" PetscInt_FMT, k, c->n);
  if (!c->lf[k]) {
    SemgTissue t = o->layers;
    PetscReal  s;
    t.fat_thickness = ThicknessOfNode(o, k);
    PetscCall(SemgSimulateLayeredLeadfield(o, &t, t.fat_thickness, c->ne, c->nominal, &c->lf[k], &s, NULL));
    c->built++, c->seconds += s;
  }
  *lf = c->lf[k];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredCacheGetStats(SemgLayeredCache c, PetscInt *built, PetscReal *seconds)
{
  PetscFunctionBeginUser;
  *built = c->built, *seconds = c->seconds;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLayeredCacheDestroy(SemgLayeredCache *c)
{
  PetscFunctionBeginUser;
  if (!*c) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt k = 0; k < (*c)->n; k++)
    if ((*c)->lf[k]) PetscCall(SemgLeadfieldDestroy(&(*c)->lf[k]));
  PetscCall(PetscFree((*c)->lf));
  PetscCall(PetscFree((*c)->nominal));
  PetscCall(PetscFree(*c));
  PetscFunctionReturn(PETSC_SUCCESS);
}
