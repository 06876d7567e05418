#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_dataset.h"
#include "core/semg_log.h"
#include "sim/commands.h"
#include "sim/simulate.h"
#include "sim/vc/leadfield.h"
#include "sim/vc/musource.h"
#include "sim/interference.h"
#include "sim/realisations.h"
#include "sim/model_mix.h"

const char *const SemgThetaNames[]        = {"iz", "cv", "depth", "n_fibres", "radius", "iz_spread", "snr_db", "shift_x", "shift_y", "rotation", "ied_scale", "noise_colour", "sir_db", "interference_units", "lf_realisation", "forward_model", "fat_thickness", "anisotropy", "contact_gain_sd", "mu_cv_sd"};
const char *const SemgThetaUnits[]        = {"m", "m/s",  "m",  "1", "m",     "m",    "dB", "m", "m", "rad",
                                             "1", "code", "dB", "1", "index", "code", "m",  "1", "1", "m/s"};
const char *const SemgSimulateModels[]    = {"ccs", "vc", "halfspace", "infinite", "layered", "SemgSimulateModel", "SEMG_SIM_MODEL_", NULL};
const char *const SemgSimulateVCSources[] = {"line", "homogenised", "SemgSimulateVCSource", "SEMG_SIM_VC_SOURCE_", NULL};

PetscErrorCode SemgRangeOption(PetscOptionItems *PetscOptionsObject, const char *name, const char *text, SemgRange *r, PetscBool *was_set)
{
  PetscReal v[2] = {r->lo, r->hi};
  PetscInt  n    = 2;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsRealArray(name, text, "", v, &n, &set));
  if (set) {
    PetscCheck(n == 1 || n == 2, PETSC_COMM_WORLD, SEMG_ERR_USER, "%s takes lo,hi or one value", name);
    r->lo = v[0];
    r->hi = n == 2 ? v[1] : v[0];
    PetscCheck(r->lo <= r->hi && !PetscIsNanReal(r->lo) && !PetscIsNanReal(r->hi), PETSC_COMM_WORLD, SEMG_ERR_USER, "%s: lo %g must be <= hi %g", name,
               (double)r->lo, (double)r->hi);
  }
  if (was_set) *was_set = set;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode RangeOption(PetscOptionItems *PetscOptionsObject, const char *name, const char *text, SemgRange *r)
{
  return SemgRangeOption(PetscOptionsObject, name, text, r, NULL);
}

static void SetRange(SemgRange *r, PetscReal lo, PetscReal hi)
{
  r->lo = lo, r->hi = hi;
}

/* -model layered: the tissue and every fibre inside the muscle (below fat and skin). */
static PetscErrorCode LayeredCheck(MPI_Comm comm, const SemgSimulateOptions *o)
{
  const PetscReal top = o->layers.fat_thickness + o->layers.skin_thickness;

  PetscFunctionBeginUser;
  PetscCall(SemgTissueCheck(comm, &o->layers));
  PetscCheck(o->depth.lo - o->radius.hi > top, comm, SEMG_ERR_USER, "-model layered: -depth_range lo %g minus the largest -radius_range %g must exceed -fat_thickness + -skin_thickness = %g m (fibres would reach into the fat)",
             (double)o->depth.lo, (double)o->radius.hi, (double)top);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSimulateOptionsSetFromOptions(MPI_Comm comm, SemgSimulateOptions *o)
{
  PetscBool set_out, set_n;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->n             = 100;
  o->seed          = 1;
  o->fs            = 5000;
  o->n_times       = 200;
  o->montage       = SEMG_MONTAGE_SD;
  o->template_seed = 12345;
  o->model         = SEMG_SIM_MODEL_CCS;
  o->vc_source     = SEMG_SIM_VC_SOURCE_LINE;
  o->sigma_long    = 0.5; /* tissue set A of volume-conductor.md */
  o->sigma_trans   = 0.1;
  PetscCall(SemgTissueDefault(&o->layers)); /* fat 0.05 S/m 3 mm, skin 1 S/m 1 mm */
  PetscCall(SemgArraySpecDefault(&o->array));
  PetscCall(SemgCCSParamsDefault(&o->ccs));
  PetscCall(SemgMotorUnitSpecDefault(&o->mu));
  SetRange(&o->iz, -0.01, 0.01);
  SetRange(&o->cv, 3.0, 5.0);
  SetRange(&o->depth, 0.02, 0.02);
  SetRange(&o->fibres, 50, 50);
  SetRange(&o->radius, 0.004, 0.004);
  SetRange(&o->iz_spread, 0.01, 0.01);
  SetRange(&o->snr, 20, 20);
  SetRange(&o->shift_x, 0, 0);
  SetRange(&o->shift_y, 0, 0);
  SetRange(&o->rotation_deg, 0, 0);
  SetRange(&o->ied_scale, 1, 1);
  PetscCall(SemgNoiseSpecDefault(&o->noise));
  PetscOptionsBegin(comm, NULL, "semg simulate: dataset of single-MU samples", "semg");
  PetscCall(PetscOptionsInt("-n", "number of samples", "", o->n, &o->n, &set_n));
  PetscCall(PetscOptionsInt("-seed", "seed of every random draw", "", o->seed, &o->seed, NULL));
  PetscCall(PetscOptionsEnum("-model", "forward model: ccs (concentrated current sources, model units), vc (stored volume-conductor lead field, V), halfspace, infinite or layered (analytic anisotropic lead fields, V; layered: muscle under fat and skin, tabulated)", "", SemgSimulateModels,
                             (PetscEnum)o->model, (PetscEnum *)&o->model, NULL));
  PetscCall(PetscOptionsString("-leadfield", "-model vc: lead-field file(s) of semg leadfield, comma-separated conductor realisations (sample i uses file i mod R; their electrodes replace -array_*)", "", o->leadfield, o->leadfield, sizeof(o->leadfield), NULL));
  PetscCall(PetscOptionsBool("-vc_ccs_sources", "lead-field models: CCS point sources instead of the charge-conserving line source", "", o->ccs_sources, &o->ccs_sources, NULL));
  PetscCall(PetscOptionsEnum("-vc_source", "-model vc source: line (per-fibre charge-conserving line sources) or homogenised (one multidomain compartment per MU on the lead field's cells)", "", SemgSimulateVCSources,
                             (PetscEnum)o->vc_source, (PetscEnum *)&o->vc_source, NULL));
  PetscCall(PetscOptionsReal("-sigma_muscle_long", "halfspace/infinite/layered: muscle conductivity along the fibres (S/m)", "", o->sigma_long, &o->sigma_long, NULL));
  PetscCall(PetscOptionsReal("-sigma_muscle_trans", "halfspace/infinite/layered: muscle conductivity across the fibres (S/m)", "", o->sigma_trans, &o->sigma_trans, NULL));
  PetscCall(PetscOptionsReal("-sigma_fat", "layered: fat conductivity (S/m)", "", o->layers.sigma_fat, &o->layers.sigma_fat, NULL));
  PetscCall(PetscOptionsReal("-sigma_skin", "layered: skin conductivity (S/m)", "", o->layers.sigma_skin, &o->layers.sigma_skin, NULL));
  PetscCall(PetscOptionsReal("-fat_thickness", "layered: fat thickness (m); -depth_range is measured from the skin surface", "", o->layers.fat_thickness,
                             &o->layers.fat_thickness, NULL));
  PetscCall(PetscOptionsReal("-skin_thickness", "layered: skin thickness (m)", "", o->layers.skin_thickness, &o->layers.skin_thickness, NULL));
  PetscCall(PetscOptionsReal("-fs", "sampling frequency (Hz)", "", o->fs, &o->fs, NULL));
  PetscCall(PetscOptionsInt("-samples", "time samples per example (t = k/fs from the firing)", "", o->n_times, &o->n_times, NULL));
  PetscCall(PetscOptionsEnum("-montage", "channels: mono, sd, dd", "", SemgMontages, (PetscEnum)o->montage, (PetscEnum *)&o->montage, NULL));
  PetscCall(RangeOption(PetscOptionsObject, "-iz_range", "IZ centre x (m): lo,hi", &o->iz));
  PetscCall(RangeOption(PetscOptionsObject, "-cv_range", "mean conduction velocity (m/s): lo,hi", &o->cv));
  PetscCall(RangeOption(PetscOptionsObject, "-depth_range", "MU axis depth below the electrodes (m): lo,hi", &o->depth));
  PetscCall(RangeOption(PetscOptionsObject, "-fibres_range", "fibres per MU: lo,hi (integers)", &o->fibres));
  PetscCall(RangeOption(PetscOptionsObject, "-radius_range", "MU territory radius (m): lo,hi", &o->radius));
  PetscCall(RangeOption(PetscOptionsObject, "-iz_spread_range", "IP spread W_I (m): lo,hi", &o->iz_spread));
  PetscCall(RangeOption(PetscOptionsObject, "-snr_range", "SNR (dB): lo,hi; >= " PetscStringize(SEMG_SNR_NO_NOISE_DB) " = no noise", &o->snr));
  PetscCall(RangeOption(PetscOptionsObject, "-shift_x_range", "array shift along the fibres (m): lo,hi", &o->shift_x));
  PetscCall(RangeOption(PetscOptionsObject, "-shift_y_range", "array shift across the fibres (m): lo,hi", &o->shift_y));
  PetscCall(RangeOption(PetscOptionsObject, "-rotation_range", "array rotation in the skin plane (degrees): lo,hi", &o->rotation_deg));
  PetscCall(RangeOption(PetscOptionsObject, "-ied_scale_range", "actual / nominal inter-electrode distance: lo,hi (1 = no IED error)", &o->ied_scale));
  PetscCall(SemgNoiseSpecOptions(PetscOptionsObject, &o->noise));
  PetscCall(SemgInterferenceOptions(PetscOptionsObject, o));
  PetscCall(PetscOptionsReal("-contact_gain_sd", "log-normal contact-gain spread per electrode (0.05 = 5%)", "", o->contact_gain_sd, &o->contact_gain_sd, NULL));
  PetscCall(SemgModelMixOptions(PetscOptionsObject, o));
  PetscCall(PetscOptionsBool("-fixed_template", "every sample uses one fibre table (seed -template_seed), shifted to its IZ", "", o->fixed_template, &o->fixed_template, NULL));
  PetscCall(PetscOptionsInt("-template_seed", "seed of the fixed template MU", "", o->template_seed, &o->template_seed, NULL));
  PetscCall(PetscOptionsString("-output", "output dataset (.h5)", "", o->output, o->output, sizeof(o->output), &set_out));
  PetscOptionsEnd();
  PetscCall(SemgArraySpecSetFromOptions(&o->array, NULL));
  PetscCall(SemgCCSParamsSetFromOptions(&o->ccs, NULL));
  PetscCall(SemgMotorUnitSpecSetFromOptions(&o->mu, NULL));
  PetscCall(SemgOptionsRequire(comm, "-output", set_out));
  PetscCheck(SemgStringEndsWith(o->output, ".h5"), comm, SEMG_ERR_USER, "-output '%s' must end in .h5", o->output);
  PetscCheck(o->n > 0, comm, SEMG_ERR_USER, "-n %" PetscInt_FMT " must be > 0", o->n);
  PetscCheck(o->fs > 0 && PetscIsNormalReal(o->fs), comm, SEMG_ERR_USER, "-fs %g must be > 0", (double)o->fs);
  PetscCheck(o->n_times > 0, comm, SEMG_ERR_USER, "-samples %" PetscInt_FMT " must be > 0", o->n_times);
  PetscCheck(o->cv.lo > 0, comm, SEMG_ERR_USER, "-cv_range must be > 0 m/s");
  PetscCheck(o->depth.lo > o->radius.hi, comm, SEMG_ERR_USER, "-depth_range lo %g must exceed the largest territory radius %g (fibres would reach the electrodes)",
             (double)o->depth.lo, (double)o->radius.hi);
  PetscCheck(o->fibres.lo >= 1, comm, SEMG_ERR_USER, "-fibres_range must be >= 1");
  PetscCheck(o->radius.lo >= 0 && o->iz_spread.lo >= 0 && o->contact_gain_sd >= 0, comm, SEMG_ERR_USER, "-radius_range, -iz_spread_range, -contact_gain_sd must be >= 0");
  PetscCheck(o->model != SEMG_SIM_MODEL_VC || o->leadfield[0], comm, SEMG_ERR_USER, "-model vc needs -leadfield FILE (made by semg leadfield)");
  PetscCheck(o->model != SEMG_SIM_MODEL_VC ||
               (o->shift_x.hi == 0 && o->shift_x.lo == 0 && o->shift_y.lo == 0 && o->shift_y.hi == 0 && o->rotation_deg.lo == 0 && o->rotation_deg.hi == 0),
             comm, SEMG_ERR_USER, "-model vc: the electrodes are those of the lead-field file; misalign them with semg leadfield -misalign_* (per-sample -shift/-rotation ranges need -model halfspace or infinite)");
  PetscCheck(o->ied_scale.lo > 0, comm, SEMG_ERR_USER, "-ied_scale_range must be > 0");
  PetscCheck(o->model != SEMG_SIM_MODEL_VC || (o->ied_scale.lo == 1 && o->ied_scale.hi == 1), comm, SEMG_ERR_USER, "-model vc: the electrodes are those of the lead-field file; scale their IED with semg leadfield -misalign_ied_scale (per-sample -ied_scale_range needs another -model)");
  PetscCall(SemgNoiseSpecCheck(comm, &o->noise, o->fs));
  if (o->model == SEMG_SIM_MODEL_VC)
    for (const char *c = o->leadfield; *c; c++) o->n_leadfields += (c == o->leadfield || *c == ',');
  PetscCall(SemgInterferenceCheck(comm, o));
  PetscCheck(o->sigma_long > 0 && o->sigma_trans > 0, comm, SEMG_ERR_USER, "-sigma_muscle_long and -sigma_muscle_trans must be > 0");
  o->layers.sigma_long = o->sigma_long, o->layers.sigma_trans = o->sigma_trans;
  if (o->model == SEMG_SIM_MODEL_LAYERED) PetscCall(LayeredCheck(comm, o));
  PetscCall(SemgModelMixCheck(comm, o));
  PetscCheck(o->vc_source == SEMG_SIM_VC_SOURCE_LINE || (o->model == SEMG_SIM_MODEL_VC && !o->ccs_sources), comm, SEMG_ERR_USER, "-vc_source homogenised needs -model vc and no -vc_ccs_sources");
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Fixed draw order (never change it: datasets depend on it). */
PetscErrorCode SemgSimulateDrawParams(const SemgSimulateOptions *o, PetscInt sample, SemgSampleParams *p)
{
  SemgRng rng;

  PetscFunctionBeginUser;
  SemgRngInit(&rng, (uint64_t)o->seed, (uint64_t)sample, SEMG_STREAM_PARAMS);
  p->theta[SEMG_THETA_IZ]      = SemgRngUniformRange(&rng, o->iz.lo, o->iz.hi);
  p->theta[SEMG_THETA_CV]      = SemgRngUniformRange(&rng, o->cv.lo, o->cv.hi);
  p->theta[SEMG_THETA_DEPTH]   = SemgRngUniformRange(&rng, o->depth.lo, o->depth.hi);
  p->theta[SEMG_THETA_NFIBRES] = floor(SemgRngUniformRange(&rng, o->fibres.lo, o->fibres.hi + 1.0));
  if (p->theta[SEMG_THETA_NFIBRES] > o->fibres.hi) p->theta[SEMG_THETA_NFIBRES] = floor(o->fibres.hi);
  p->theta[SEMG_THETA_RADIUS]    = SemgRngUniformRange(&rng, o->radius.lo, o->radius.hi);
  p->theta[SEMG_THETA_IZ_SPREAD] = SemgRngUniformRange(&rng, o->iz_spread.lo, o->iz_spread.hi);
  p->theta[SEMG_THETA_SNR]       = SemgRngUniformRange(&rng, o->snr.lo, o->snr.hi);
  p->theta[SEMG_THETA_SHIFT_X]   = SemgRngUniformRange(&rng, o->shift_x.lo, o->shift_x.hi);
  p->theta[SEMG_THETA_SHIFT_Y]   = SemgRngUniformRange(&rng, o->shift_y.lo, o->shift_y.hi);
  p->theta[SEMG_THETA_ROTATION]  = SemgRngUniformRange(&rng, o->rotation_deg.lo, o->rotation_deg.hi) * PETSC_PI / 180.0;
  /* mismatch axes added later draw after the others, so the columns above keep their values */
  p->theta[SEMG_THETA_IED_SCALE] = SemgRngUniformRange(&rng, o->ied_scale.lo, o->ied_scale.hi);
  p->theta[SEMG_THETA_SIR] = o->interference ? SemgRngUniformRange(&rng, o->sir.lo, o->sir.hi) : NAN; /* not applicable (CSV-exportable, unlike inf) */
  p->theta[SEMG_THETA_NOISE_COLOUR]       = (PetscReal)o->noise.colour;
  p->theta[SEMG_THETA_INTERFERENCE_UNITS] = o->interference ? (PetscReal)o->interference_units : 0;
  p->theta[SEMG_THETA_LF_REALISATION]     = o->n_leadfields > 0 ? (PetscReal)(sample % o->n_leadfields) : NAN;
  PetscCall(SemgModelMixDraw(o, sample, p)); /* forward model, tissue and generator settings (own stream) */
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSimulateFibres(const SemgSimulateOptions *o, PetscInt sample, const SemgSampleParams *p, PetscInt *nf, SemgFibre **fibres)
{
  SemgMotorUnitSpec mu = o->mu;

  PetscFunctionBeginUser;
  mu.cv_mean = p->theta[SEMG_THETA_CV];
  mu.cv_sd   = p->theta[SEMG_THETA_MU_CV_SD];
  if (o->fixed_template) {
    /* the template is one fixed MU at IZ x = 0 and the base depth; samples shift it rigidly */
    mu.iz[0] = 0, mu.iz[1] = 0, mu.iz[2] = -o->depth.lo;
    mu.n_fibres = (PetscInt)o->fibres.lo;
    mu.radius = o->radius.lo, mu.iz_spread = o->iz_spread.lo;
    *nf = mu.n_fibres;
    PetscCall(PetscMalloc1(*nf, fibres));
    PetscCall(SemgMotorUnitGenerate(&mu, (uint64_t)o->template_seed, 0, *fibres));
    for (PetscInt i = 0; i < *nf; i++) {
      (*fibres)[i].ox += p->theta[SEMG_THETA_IZ];
      (*fibres)[i].oz += -(p->theta[SEMG_THETA_DEPTH] - o->depth.lo);
    }
  } else {
    mu.iz[0] = p->theta[SEMG_THETA_IZ], mu.iz[1] = 0, mu.iz[2] = -p->theta[SEMG_THETA_DEPTH];
    mu.n_fibres  = (PetscInt)p->theta[SEMG_THETA_NFIBRES];
    mu.radius    = p->theta[SEMG_THETA_RADIUS];
    mu.iz_spread = p->theta[SEMG_THETA_IZ_SPREAD];
    *nf          = mu.n_fibres;
    PetscCall(PetscMalloc1(*nf, fibres));
    PetscCall(SemgMotorUnitGenerate(&mu, (uint64_t)o->seed, (uint64_t)sample, *fibres));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSimulateElectrodes(const SemgSimulateOptions *o, const SemgSampleParams *p, PetscInt ne, const PetscReal *nominal, PetscReal *xyz)
{
  const PetscReal  a = p->theta[SEMG_THETA_ROTATION], ca = cos(a), sa = sin(a), s = p->theta[SEMG_THETA_IED_SCALE];
  const PetscReal *c = o->array.centre;

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < ne; e++) {
    const PetscReal dx = s * (nominal[3 * e] - c[0]), dy = s * (nominal[3 * e + 1] - c[1]);
    xyz[3 * e]     = c[0] + ca * dx - sa * dy + p->theta[SEMG_THETA_SHIFT_X];
    xyz[3 * e + 1] = c[1] + sa * dx + ca * dy + p->theta[SEMG_THETA_SHIFT_Y];
    xyz[3 * e + 2] = nominal[3 * e + 2];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSimulateContactGains(const SemgSimulateOptions *o, const SemgSampleParams *p, PetscInt sample, PetscInt ne, PetscInt nt, PetscReal *mono)
{
  const PetscReal sd = p->theta[SEMG_THETA_CONTACT_GAIN_SD];
  SemgRng         rng;

  PetscFunctionBeginUser;
  if (!(sd > 0)) PetscFunctionReturn(PETSC_SUCCESS);
  SemgRngInit(&rng, (uint64_t)o->seed, (uint64_t)sample, SEMG_STREAM_MISALIGN);
  for (PetscInt e = 0; e < ne; e++) {
    const PetscReal g = exp(sd * SemgRngNormal(&rng));
    for (PetscInt k = 0; k < nt; k++) mono[(size_t)e * nt + k] *= g;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Monopolar potentials of one sample's fibres with its forward model (p: -model or drawn from
   -model_mix); lf is the stored lead field of -model vc or the layered table of the sample's tissue
   (NULL otherwise). */
PetscErrorCode SemgSimulateForward(const SemgSimulateOptions *o, const SemgSampleParams *p, SemgLeadfield lf, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *xyz, PetscInt nt, PetscReal *mono)
{
  const SemgForwardKind k  = SemgSampleForwardKind(o, p);
  SemgLeadfield         an = NULL;

  PetscFunctionBeginUser;
  if (k == SEMG_FWD_CCS || k == SEMG_FWD_CCS_CC || k == SEMG_FWD_ANISOTROPIC) {
    SemgCCSParams ccs;
    SemgSampleCCSParams(o, p, &ccs);
    PetscCall(PetscArrayzero(mono, (size_t)ne * nt));
    PetscCall(SemgCCSPotentialAdd(&ccs, nf, f, ne, xyz, nt, 0.0, 1.0 / o->fs, mono));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (k == SEMG_FWD_LAYERED) PetscCall(SemgLeadfieldSetElectrodes(lf, ne, xyz)); /* table built once, electrodes per sample */
  if (k == SEMG_FWD_HALFSPACE || k == SEMG_FWD_INFINITE) { /* analytic lead fields follow the (misaligned) electrodes of this sample */
    PetscCall(SemgLeadfieldCreateAnalytic(k == SEMG_FWD_HALFSPACE ? SEMG_LF_HALFSPACE : SEMG_LF_INFINITE, ne, xyz, o->sigma_long, o->sigma_trans, &an));
    lf = an;
  }
  if (o->ccs_sources) PetscCall(SemgLeadfieldSetCCSParams(lf, &o->ccs));
  PetscCall(SemgLeadfieldMUAP(lf, nf, f, nt, 1.0 / o->fs, o->ccs_sources, mono));
  if (an) PetscCall(SemgLeadfieldDestroy(&an));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -vc_source homogenised: the sample's MU as one compartment on the lead field's cells. Its columns
   take IP, ends and CV from the generator draws of the fibres (same seed and sample, or the template's). */
static PetscErrorCode HomogenisedMUAP(const SemgSimulateOptions *o, SemgLeadfield lf, PetscInt sample, const SemgSampleParams *p, PetscInt nt, PetscReal *mono)
{
  SemgMotorUnitSpec mu   = o->mu;
  uint64_t          seed = (uint64_t)o->seed, smp = (uint64_t)sample;
  SemgMUSource      src;

  PetscFunctionBeginUser;
  mu.cv_mean = p->theta[SEMG_THETA_CV];
  mu.cv_sd   = p->theta[SEMG_THETA_MU_CV_SD];
  mu.iz[0] = p->theta[SEMG_THETA_IZ], mu.iz[1] = 0, mu.iz[2] = -p->theta[SEMG_THETA_DEPTH];
  mu.n_fibres  = (PetscInt)p->theta[SEMG_THETA_NFIBRES];
  mu.radius    = p->theta[SEMG_THETA_RADIUS];
  mu.iz_spread = p->theta[SEMG_THETA_IZ_SPREAD];
  if (o->fixed_template) {
    mu.n_fibres = (PetscInt)o->fibres.lo, mu.radius = o->radius.lo, mu.iz_spread = o->iz_spread.lo;
    seed = (uint64_t)o->template_seed, smp = 0;
  }
  PetscCall(SemgMUSourceCreate(lf, NULL, &mu, NULL, seed, smp, &src));
  PetscCall(SemgMUSourceMUAP(src, nt, 1.0 / o->fs, mono));
  PetscCall(SemgMUSourceDestroy(&src));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One example: draw, generate fibres, potentials, gains, montage, noise. lf: the run's lead field, or
   NULL and the sample's layered table comes from cache (-model_mix). */
static PetscErrorCode SimulateOne(const SemgSimulateOptions *o, SemgLeadfield lf, SemgLayeredCache cache, const SemgDataset *ds, PetscInt sample, PetscReal *mono, PetscReal *xyz, PetscReal *out, PetscReal *theta)
{
  SemgSampleParams p;
  SemgFibre       *f;
  PetscInt         nf;
  const PetscInt   ne = ds->n_electrodes, nt = ds->n_times;
  PetscReal        sigma;
  SemgNoiseSpec    noise = o->noise;

  PetscFunctionBeginUser;
  PetscCall(SemgSimulateDrawParams(o, sample, &p));
  if (cache) PetscCall(SemgLayeredCacheGet(cache, o, &p, &lf));
  PetscCall(SemgSimulateFibres(o, sample, &p, &nf, &f));
  PetscCall(SemgSimulateElectrodes(o, &p, ne, ds->electrode_xyz, xyz));
  if (o->vc_source == SEMG_SIM_VC_SOURCE_HOMOGENISED) PetscCall(HomogenisedMUAP(o, lf, sample, &p, nt, mono));
  else PetscCall(SemgSimulateForward(o, &p, lf, nf, f, ne, xyz, nt, mono));
  PetscCall(SemgSimulateContactGains(o, &p, sample, ne, nt, mono));
  SemgDatasetApplyChannels(ds, mono, out);
  sigma = p.theta[SEMG_THETA_SNR] < SEMG_SNR_NO_NOISE_DB ? SemgNoiseSigma(ds->n_channels, nt, p.theta[SEMG_THETA_SNR], out) : 0; /* SNR of the sample MU alone */
  if (p.theta[SEMG_THETA_INTERFERENCE_UNITS] > 0) PetscCall(SemgInterferenceAdd(o, lf, ds, sample, xyz, out, &p));
  noise.colour = (SemgNoiseColour)(PetscInt)p.theta[SEMG_THETA_NOISE_COLOUR];
  PetscCall(SemgNoiseAdd(&noise, ds->n_channels, nt, o->fs, sigma, (uint64_t)o->seed, (uint64_t)sample, out));
  for (int j = 0; j < SEMG_THETA_COUNT; j++) theta[j] = p.theta[j];
  if (o->fixed_template) theta[SEMG_THETA_NFIBRES] = nf;
  PetscCall(PetscFree(f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The fixed template as every sample shifts it (IZ x = 0, base depth): lets a decoder or a physics
   fit use exactly the generator's fibres instead of regenerating them from matching options. */
static PetscErrorCode StoreTemplate(const SemgSimulateOptions *o, SemgDataset *ds)
{
  SemgSampleParams p;
  SemgFibre       *f;
  PetscInt         nf;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  p.theta[SEMG_THETA_CV]       = o->mu.cv_mean;
  p.theta[SEMG_THETA_DEPTH]    = o->depth.lo;
  p.theta[SEMG_THETA_MU_CV_SD] = o->mu.cv_sd;
  PetscCall(SemgSimulateFibres(o, 0, &p, &nf, &f));
  ds->n_template_fibres = nf;
  PetscCall(PetscMalloc1(8 * (size_t)nf, &ds->template_fibres));
  for (PetscInt i = 0; i < nf; i++) {
    PetscReal *r = &ds->template_fibres[8 * i];
    r[0] = f[i].ox, r[1] = f[i].oy, r[2] = f[i].oz, r[3] = f[i].ip, r[4] = f[i].length, r[5] = f[i].cv, r[6] = f[i].rz, r[7] = f[i].ry;
  }
  PetscCall(PetscFree(f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -model vc: the electrodes are the lead field's; grid columns are the distinct y positions. */
/* Columns of a stored array: electrodes are stored along the fibres first (SemgArrayBuild), so the first
   two span the array's direction; a column is a line along it. Electrodes whose distance across that
   line differs by less than a quarter of the first spacing share a column, so rotated or jittered
   arrays of semg leadfield -misalign_* keep their columns (an exact equal-y test split them). */
static PetscErrorCode ColumnsFromPositions(PetscInt ne, const PetscReal *e, PetscInt *column)
{
  PetscReal dx = 1, dy = 0, tol = 1e-6;

  PetscFunctionBeginUser;
  if (ne >= 2) {
    const PetscReal ux = e[3] - e[0], uy = e[4] - e[1], len = PetscSqrtReal(ux * ux + uy * uy);
    if (len > 0) dx = ux / len, dy = uy / len, tol = 0.25 * len;
  }
  for (PetscInt i = 0, ncol = 0; i < ne; i++) {
    const PetscReal pi = -dy * e[3 * i] + dx * e[3 * i + 1];
    column[i]          = -1;
    for (PetscInt j = 0; j < i && column[i] < 0; j++)
      if (PetscAbsReal(-dy * e[3 * j] + dx * e[3 * j + 1] - pi) < tol) column[i] = column[j];
    if (column[i] < 0) column[i] = ncol++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSimulateLeadfieldElectrodes(MPI_Comm comm, const SemgSimulateOptions *o, SemgLeadfield **lfs, PetscInt *ne, PetscReal **xyz, PetscInt **column)
{
  const PetscReal *e;
  PetscInt         nlf;

  PetscFunctionBeginUser;
  PetscCall(SemgRealisationsLoad(comm, "-leadfield", o->leadfield, &nlf, lfs));
  PetscCheck(nlf == o->n_leadfields, comm, SEMG_ERR_USER, "-leadfield '%s': empty file name in the list", o->leadfield);
  PetscCall(SemgLeadfieldGetNominalElectrodes((*lfs)[0], ne, &e)); /* the dataset records the believed array */
  PetscCall(PetscMalloc1(3 * (size_t)*ne, xyz));
  PetscCall(PetscMalloc1(*ne, column));
  PetscCall(PetscArraycpy(*xyz, e, 3 * (size_t)*ne));
  PetscCall(ColumnsFromPositions(*ne, e, *column));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -model layered: the run's one table (SemgSimulateLayeredLeadfield), its size and cost printed. */
PetscErrorCode SemgSimulateLayeredTable(MPI_Comm comm, const char *who, const SemgSimulateOptions *o, PetscInt ne, const PetscReal *nominal, SemgLeadfield *lf)
{
  SemgLayeredTableSpec spec;
  SemgLayeredTable     tab;
  PetscInt             n[3], fft[2];
  PetscReal            h, sec;
  size_t               bytes;

  PetscFunctionBeginUser;
  PetscCall(SemgSimulateLayeredLeadfield(o, &o->layers, 0, ne, nominal, lf, &sec, &spec));
  PetscCall(SemgLeadfieldGetLayeredTable(*lf, &tab));
  PetscCall(SemgLayeredTableGetInfo(tab, n, &h, NULL, &bytes, fft));
  PetscCall(PetscPrintf(comm, "%s: layered lead-field table %d x %d x %d (h %.3g mm; offsets to %.1f x %.1f mm, depths %.1f..%.1f mm below the fat), FFT box %d^2, %.2f MB, built in %.2f s\n", who, (int)n[0], (int)n[1], (int)n[2], (double)(h * 1e3),
                        (double)(spec.xmax * 1e3), (double)(spec.ymax * 1e3), (double)(spec.dmin * 1e3), (double)(spec.dmax * 1e3), (int)fft[0], (double)(bytes / 1e6), (double)sec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ModelConfigText(const SemgSimulateOptions *o, char **text)
{
  char buf[8192]; /* -leadfield may list several paths */

  PetscFunctionBeginUser;
  PetscCall(
    PetscSNPrintf(buf, sizeof(buf),
                  "model: %s\nccs: {a: %g, lambda: %g, zmax: %g, resistance_sum: %g, charge_conserving: %s, anisotropic: %s, sigma_long: %g, "
                  "sigma_trans: %g}\n"
                  "leadfield: '%s'\nvc_ccs_sources: %s\nvc_source: %s\nsigma_muscle_long: %g\nsigma_muscle_trans: %g\n"
                  "fixed_template: %s\ntemplate_seed: %d\nseed: %d\nmu: {iz_spread: %g, tendon_left: %g, tendon_right: %g, tendon_spread: "
                  "%g, cv_sd: %g}\n"
                  "array: {n_along: %d, n_across: %d, ied_along: %g, ied_across: %g}\ncontact_gain_sd: %g\n",
                  o->n_model_mix ? "mix" : SemgSimulateModels[o->model], (double)o->ccs.a, (double)o->ccs.lambda, (double)o->ccs.zmax, (double)o->ccs.resistance_sum,
                  o->ccs.charge_conserving ? "true" : "false", o->ccs.anisotropic ? "true" : "false", (double)o->ccs.sigma_long, (double)o->ccs.sigma_trans, o->leadfield, o->ccs_sources ? "true" : "false", SemgSimulateVCSources[o->vc_source],
                  (double)o->sigma_long, (double)o->sigma_trans, o->fixed_template ? "true" : "false", (int)o->template_seed, (int)o->seed,
                  (double)o->mu.iz_spread, (double)o->mu.tendon_left, (double)o->mu.tendon_right, (double)o->mu.tendon_spread_left, (double)o->mu.cv_sd,
                  (int)o->array.n_along, (int)o->array.n_across, (double)o->array.ied_along, (double)o->array.ied_across, (double)o->contact_gain_sd));
  PetscCall(SemgGeneratorConfigText(o, buf, sizeof(buf)));
  if (o->model == SEMG_SIM_MODEL_LAYERED || o->n_model_mix) {
    size_t len;
    PetscCall(PetscStrlen(buf, &len));
    PetscCall(PetscSNPrintf(buf + len, sizeof(buf) - len, "layered: {sigma_fat: %g, sigma_skin: %g, fat_thickness: %g, skin_thickness: %g}\n",
                            (double)o->layers.sigma_fat, (double)o->layers.sigma_skin, (double)o->layers.fat_thickness, (double)o->layers.skin_thickness));
  }
  PetscCall(PetscStrallocpy(buf, text));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdSimulate(MPI_Comm comm)
{
  SemgSimulateOptions o;
  SemgDataset        *ds;
  PetscInt            ne, *column;
  PetscReal          *nominal, *mono, *xyz;
  SemgProgress        prog;
  PetscLogStage       stage_sim, stage_io;
  PetscMPIInt         size;
  SemgLeadfield       lf = NULL, *lfs = NULL; /* layered table; -model vc realisations */
  SemgLayeredCache    cache = NULL;           /* -model_mix: layered tables per fat thickness */
  PetscCount          max_local;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(SemgSimulateOptionsSetFromOptions(comm, &o));
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckOutputPath(comm, "-output", o.output));
  PetscCall(PetscLogStageRegister("Simulate", &stage_sim));
  PetscCall(PetscLogStageRegister("IO", &stage_io));
  if (o.model == SEMG_SIM_MODEL_VC) PetscCall(SemgSimulateLeadfieldElectrodes(comm, &o, &lfs, &ne, &nominal, &column));
  else PetscCall(SemgArrayBuild(&o.array, &ne, &nominal, &column));
  if (o.model == SEMG_SIM_MODEL_LAYERED) PetscCall(SemgSimulateLayeredTable(comm, "semg simulate", &o, ne, nominal, &lf));
  if (o.n_model_mix) PetscCall(SemgLayeredCacheCreate(&o, ne, nominal, &cache));
  PetscCheck(SemgMontageChannelCount(o.montage, ne, column) > 0, comm, SEMG_ERR_USER, "-montage %s needs more electrodes per column", SemgMontages[o.montage]);
  PetscCall(SemgDatasetCreate(comm, o.n, ne, SemgMontageChannelCount(o.montage, ne, column), o.n_times, SEMG_THETA_COUNT, &ds));
  ds->fs = o.fs;
  /* the line source of the lead-field models is in volts; CCS currents are model units */
  if (o.model != SEMG_SIM_MODEL_CCS && !o.ccs_sources) PetscCall(PetscStrncpy(ds->units, "V", sizeof(ds->units)));
  if (o.n_model_mix) { /* volts only when every kind of the mix is a lead-field model; otherwise a.u. (estimators normalise per sample) */
    PetscBool volts = PETSC_TRUE;
    for (PetscInt j = 0; j < o.n_model_mix; j++)
      volts = (PetscBool)(volts && (o.model_mix[j] == SEMG_FWD_HALFSPACE || o.model_mix[j] == SEMG_FWD_LAYERED));
    PetscCall(PetscStrncpy(ds->units, volts ? "V" : "a.u.", sizeof(ds->units)));
  }
  PetscCall(PetscArraycpy(ds->electrode_xyz, nominal, 3 * (size_t)ne));
  PetscCall(PetscArraycpy(ds->electrode_column, column, ne));
  PetscCall(SemgDatasetSetMontage(ds, o.montage));
  for (int j = 0; j < SEMG_THETA_COUNT; j++) PetscCall(SemgDatasetSetTheta(ds, j, SemgThetaNames[j], SemgThetaUnits[j]));
  PetscCall(ModelConfigText(&o, &ds->model_config));
  if (o.fixed_template) PetscCall(StoreTemplate(&o, ds));
  PetscCall(PetscMalloc2((size_t)ne * o.n_times, &mono, 3 * (size_t)ne, &xyz));

  PetscCall(PetscLogStagePush(stage_sim));
  PetscCall(SemgProgressStart(comm, "semg simulate", o.n, &prog));
  {
    long long mine = (long long)ds->n_local, most;
    PetscCallMPI(MPI_Allreduce(&mine, &most, 1, MPI_LONG_LONG, MPI_MAX, comm));
    max_local = (PetscCount)most;
  }
  for (PetscCount i = 0; i < max_local; i++) {
    const PetscInt sample = (PetscInt)(ds->start + i);
    /* a sample's verdict (e.g. a fibre outside a stored lead-field box) is one rank's: share it */
    PetscErrorCode ierr = i < ds->n_local ? SimulateOne(&o, lfs ? lfs[sample % o.n_leadfields] : lf, cache, ds, sample, mono, xyz, &ds->data[(size_t)i * ds->n_channels * ds->n_times], &ds->theta[(size_t)i * SEMG_THETA_COUNT]) : PETSC_SUCCESS;
    PetscCall(SemgShareError(comm, ierr));
    PetscCall(SemgProgressUpdate(comm, &prog, PetscMin((PetscCount)o.n, (i + 1) * size))); /* rank 0 reports, ranks run in step */
  }
  PetscCall(PetscLogStagePop());
  PetscCall(PetscLogStagePush(stage_io));
  PetscCall(SemgDatasetWrite(comm, o.output, ds));
  PetscCall(PetscLogStagePop());
  PetscCall(SemgProgressEnd(comm, &prog));
  if (cache) {
    PetscInt  built;
    PetscReal sec;
    PetscCall(SemgLayeredCacheGetStats(cache, &built, &sec));
    if (built)
      PetscCall(PetscPrintf(comm, "semg simulate: -model_mix layered: %d fat-thickness tables built on rank 0 in %.2f s\n", (int)built, (double)sec));
  }
  PetscCall(PetscPrintf(comm, "semg simulate: %" PetscInt_FMT " samples x %" PetscInt_FMT " %s channels x %" PetscInt_FMT " times (model %s) -> %s\n", o.n, ds->n_channels, SemgMontages[o.montage], o.n_times, o.n_model_mix ? "mix" : SemgSimulateModels[o.model], o.output));
  PetscCall(PetscFree2(mono, xyz));
  PetscCall(PetscFree(nominal));
  PetscCall(PetscFree(column));
  PetscCall(SemgDatasetDestroy(&ds));
  if (lf) PetscCall(SemgLeadfieldDestroy(&lf));
  PetscCall(SemgLayeredCacheDestroy(&cache));
  if (lfs) PetscCall(SemgRealisationsDestroy(o.n_leadfields, &lfs));
  PetscFunctionReturn(PETSC_SUCCESS);
}
