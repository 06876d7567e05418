/* semg record: a continuous multi-channel recording of a motor-unit pool at constant excitation through
   the CCS model, the planar layered model or a stored volume-conductor lead field (the forward path of
   semg simulate), with noise and per-unit ground truth (the interference test bed of issue 18).
   Ranks share the units (MUAPs are the cost); every rank then sums the same MUAPs in unit order, so
   the file is bitwise identical on any rank count. */
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_dataset.h"
#include "sim/commands.h"
#include "sim/ccs.h"
#include "sim/electrodes.h"
#include "sim/pool.h"
#include "sim/recording.h"
#include "sim/simulate.h"
#include "sim/model_mix.h"
#include "sim/vc/leadfield.h"
#include "sim/realisations.h"

/* -model of semg record, and the SemgSimulateModel / SemgForwardKind each one is */
typedef enum { RECORD_MODEL_CCS, RECORD_MODEL_LAYERED, RECORD_MODEL_VC } RecordModel;
static const char *const       RecordModels[]    = {"ccs", "layered", "vc", "RecordModel", "RECORD_MODEL_", NULL};
static const SemgSimulateModel RecordModelSim[]  = {SEMG_SIM_MODEL_CCS, SEMG_SIM_MODEL_LAYERED, SEMG_SIM_MODEL_VC};
static const SemgForwardKind   RecordModelKind[] = {SEMG_FWD_CCS, SEMG_FWD_LAYERED, SEMG_FWD_VC};

typedef struct {
  PetscReal     excitation, duration, fs, snr, muap_duration;
  PetscInt      seed;
  SemgMontage   montage;
  SemgArraySpec array;
  SemgCCSParams ccs;
  SemgPoolSpec  pool;
  RecordModel   model;
  /* the forward path of semg simulate: model, tissue, lead field, and ranges that cover every unit of
     the pool (they size the layered table) */
  SemgSimulateOptions fwd;
  char                output[PETSC_MAX_PATH_LEN];
} RecordOptions;

/* The largest territory radius of the pool (its last unit). */
static PetscReal PoolRadiusMax(const SemgPoolSpec *s)
{
  return PetscSqrtReal(s->fibres_last / (PETSC_PI * s->fibre_density));
}

/* The options of the forward path for the pool: every unit's fibres lie within the IZ, depth and radius
   ranges; the units' lateral offsets enter as the electrode shifts they are equivalent to (offsets
   electrode - unit across the array), so the layered table covers them. */
static PetscErrorCode RecordForwardOptions(RecordOptions *o)
{
  SemgSimulateOptions *f = &o->fwd;

  PetscFunctionBeginUser;
  f->model = RecordModelSim[o->model];
  f->fs    = o->fs;
  f->array = o->array;
  f->ccs   = o->ccs;
  PetscCall(SemgMotorUnitSpecDefault(&f->mu)); /* the tendons of SemgPoolUnitFibres */
  f->iz.lo = o->pool.iz_x[0], f->iz.hi = o->pool.iz_x[1];
  f->depth.lo = o->pool.depth[0], f->depth.hi = o->pool.depth[1];
  f->radius.lo = f->radius.hi = PoolRadiusMax(&o->pool);
  f->iz_spread.lo = f->iz_spread.hi = o->pool.iz_spread;
  f->shift_y.lo = -o->pool.lateral[1], f->shift_y.hi = -o->pool.lateral[0];
  f->ied_scale.lo = f->ied_scale.hi = 1;
  f->layers.sigma_long = f->sigma_long, f->layers.sigma_trans = f->sigma_trans;
  f->n_leadfields = f->model == SEMG_SIM_MODEL_VC ? 1 : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One-line errors of the model options (after every option is read). */
static PetscErrorCode RecordModelCheck(MPI_Comm comm, const RecordOptions *o)
{
  const SemgSimulateOptions *f = &o->fwd;

  PetscFunctionBeginUser;
  PetscCheck(f->model == SEMG_SIM_MODEL_VC || !f->leadfield[0], comm, SEMG_ERR_USER, "-leadfield needs -model vc");
  PetscCheck(f->model != SEMG_SIM_MODEL_VC || f->leadfield[0], comm, SEMG_ERR_USER, "-model vc needs -leadfield FILE (made by semg leadfield)");
  PetscCheck(!strchr(f->leadfield, ','), comm, SEMG_ERR_USER, "-leadfield '%s': semg record takes one lead-field file", f->leadfield);
  PetscCheck(f->sigma_long > 0 && f->sigma_trans > 0, comm, SEMG_ERR_USER, "-sigma_muscle_long and -sigma_muscle_trans must be > 0");
  if (f->model == SEMG_SIM_MODEL_LAYERED) {
    const PetscReal top = f->layers.fat_thickness + f->layers.skin_thickness;
    PetscCall(SemgTissueCheck(comm, &f->layers));
    PetscCheck(o->pool.depth[0] - PoolRadiusMax(&o->pool) > top, comm, SEMG_ERR_USER, "-model layered: -pool_depth lo %g minus the largest territory radius %g must exceed -fat_thickness + -skin_thickness = %g m (units would reach into the fat; depths are measured from the skin)",
               (double)o->pool.depth[0], (double)PoolRadiusMax(&o->pool), (double)top);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode RecordProcessOptions(MPI_Comm comm, RecordOptions *o)
{
  PetscBool set_o;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->excitation    = 0.3;
  o->duration      = 20;
  o->fs            = 2048;
  o->snr           = 20;
  o->muap_duration = 0.05;
  o->seed          = 1;
  o->montage       = SEMG_MONTAGE_MONO;
  PetscCall(SemgPoolSpecDefault(&o->pool));
  PetscCall(SemgArraySpecDefault(&o->array));
  PetscCall(SemgCCSParamsDefault(&o->ccs));
  o->fwd.sigma_long  = 0.5; /* as semg simulate: tissue set A of volume-conductor.md */
  o->fwd.sigma_trans = 0.1;
  PetscCall(SemgTissueDefault(&o->fwd.layers)); /* fat 0.05 S/m 3 mm, skin 1 S/m 1 mm */
  PetscOptionsBegin(comm, NULL, "semg record: continuous recording of a motor-unit pool with per-unit ground truth", "semg");
  PetscCall(PetscOptionsReal("-excitation", "constant excitation, fraction of maximal contraction (0.1 = 10 % MVC)", "", o->excitation, &o->excitation, NULL));
  PetscCall(PetscOptionsReal("-duration", "recording length (s)", "", o->duration, &o->duration, NULL));
  PetscCall(PetscOptionsReal("-fs", "sampling frequency (Hz)", "", o->fs, &o->fs, NULL));
  PetscCall(PetscOptionsReal("-snr", "white noise per channel at this SNR (dB) of the median channel power; 1000 = none", "", o->snr, &o->snr, NULL));
  PetscCall(PetscOptionsReal("-muap_duration", "length of each unit's MUAP from its firing (s)", "", o->muap_duration, &o->muap_duration, NULL));
  PetscCall(PetscOptionsInt("-seed", "seed of the pool, the firing trains and the noise", "", o->seed, &o->seed, NULL));
  PetscCall(PetscOptionsEnum("-montage", "stored channels: mono, sd or dd", "", SemgMontages, (PetscEnum)o->montage, (PetscEnum *)&o->montage, NULL));
  PetscCall(PetscOptionsString("-output", "output recording (.h5, the dataset format with one example)", "", o->output, o->output, sizeof(o->output), &set_o));
  PetscCall(SemgPoolSpecOptions(PetscOptionsObject, &o->pool));
  PetscCall(PetscOptionsEnum("-model", "forward model: ccs (concentrated current sources, model units), layered (planar skin/fat/muscle lead field, V) or vc (stored lead field of semg leadfield, V)", "", RecordModels,
                             (PetscEnum)o->model, (PetscEnum *)&o->model, NULL));
  PetscCall(PetscOptionsString("-leadfield", "-model vc: lead-field file of semg leadfield (its electrodes replace -array_*)", "", o->fwd.leadfield,
                               o->fwd.leadfield, sizeof(o->fwd.leadfield), NULL));
  PetscCall(PetscOptionsReal("-sigma_muscle_long", "layered: muscle conductivity along the fibres (S/m)", "", o->fwd.sigma_long, &o->fwd.sigma_long, NULL));
  PetscCall(PetscOptionsReal("-sigma_muscle_trans", "layered: muscle conductivity across the fibres (S/m)", "", o->fwd.sigma_trans, &o->fwd.sigma_trans, NULL));
  PetscCall(PetscOptionsReal("-sigma_fat", "layered: fat conductivity (S/m)", "", o->fwd.layers.sigma_fat, &o->fwd.layers.sigma_fat, NULL));
  PetscCall(PetscOptionsReal("-sigma_skin", "layered: skin conductivity (S/m)", "", o->fwd.layers.sigma_skin, &o->fwd.layers.sigma_skin, NULL));
  PetscCall(PetscOptionsReal("-fat_thickness", "layered: fat thickness (m); -pool_depth is measured from the skin surface", "", o->fwd.layers.fat_thickness,
                             &o->fwd.layers.fat_thickness, NULL));
  PetscCall(PetscOptionsReal("-skin_thickness", "layered: skin thickness (m)", "", o->fwd.layers.skin_thickness, &o->fwd.layers.skin_thickness, NULL));
  PetscOptionsEnd();
  PetscCall(SemgArraySpecSetFromOptions(&o->array, NULL));
  PetscCall(SemgCCSParamsSetFromOptions(&o->ccs, NULL));
  PetscCall(SemgOptionsRequire(comm, "-output", set_o));
  PetscCheck(SemgStringEndsWith(o->output, ".h5"), comm, SEMG_ERR_USER, "-output '%s' must end in .h5", o->output);
  PetscCheck(o->excitation > 0 && o->excitation <= 1, comm, SEMG_ERR_USER, "-excitation %g must be in (0, 1]", (double)o->excitation);
  PetscCheck(o->fs > 0 && PetscIsNormalReal(o->fs), comm, SEMG_ERR_USER, "-fs %g must be > 0", (double)o->fs);
  PetscCheck(o->duration * o->fs >= 2 && o->duration <= 3600, comm, SEMG_ERR_USER, "-duration %g s must give >= 2 samples and be <= 3600 s", (double)o->duration);
  PetscCheck(o->muap_duration * o->fs >= 2, comm, SEMG_ERR_USER, "-muap_duration %g s must give >= 2 samples", (double)o->muap_duration);
  PetscCall(SemgPoolSpecCheck(comm, &o->pool));
  PetscCall(RecordForwardOptions(o));
  PetscCall(RecordModelCheck(comm, o));
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckOutputPath(comm, "-output", o->output));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Monopolar MUAP (ne x nm) of pool unit i through the forward path of semg simulate (lf: the layered
   table or the stored lead field; NULL for ccs). */
static PetscErrorCode UnitMUAP(const RecordOptions *o, SemgLeadfield lf, PetscInt i, PetscInt ne, const PetscReal *xyz, PetscInt nm, PetscReal *mono)
{
  SemgPoolUnit     u;
  SemgFibre       *f;
  SemgSampleParams p;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  p.theta[SEMG_THETA_FORWARD_MODEL] = (PetscReal)RecordModelKind[o->model];
  PetscCall(SemgPoolUnitMake(&o->pool, (uint64_t)o->seed, i, &u));
  PetscCall(SemgPoolUnitFibres(&o->pool, &u, (uint64_t)o->seed, i, &f));
  PetscCall(SemgSimulateForward(&o->fwd, &p, lf, u.n_fibres, f, ne, xyz, nm, mono));
  PetscCall(PetscFree(f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* MUAPs (dataset channels) of the recruited units, rows of t->units filled; ranks take units round-robin
   and an all-reduce of disjoint rows (zeros elsewhere) gives every rank the exact same table. A unit's
   failure (a fibre outside a stored lead field's box) is one rank's: shared before the all-reduce. */
static PetscErrorCode UnitMUAPs(MPI_Comm comm, const RecordOptions *o, SemgLeadfield lf, const SemgDataset *ds, PetscInt n_active, const PetscInt *active, SemgRecordingTruth *t)
{
  const PetscInt ne = ds->n_electrodes, nc = ds->n_channels, nm = t->n_muap;
  PetscMPIInt    rank, size;
  PetscReal     *mono;
  SemgDataset    shape = *ds; /* the channel table applied to MUAP-long signals */
  PetscErrorCode ierr  = PETSC_SUCCESS;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc1((size_t)ne * nm, &mono));
  shape.n_times = nm;
  PetscCall(PetscArrayzero(t->muap, (size_t)n_active * nc * nm));
  for (PetscInt a = rank; a < n_active && !ierr; a += size) {
    ierr = UnitMUAP(o, lf, active[a], ne, ds->electrode_xyz, nm, mono);
    if (!ierr) SemgDatasetApplyChannels(&shape, mono, t->muap + (size_t)a * nc * nm);
  }
  PetscCall(SemgShareError(comm, ierr));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, t->muap, (PetscMPIInt)((size_t)n_active * nc * nm), MPIU_REAL, MPI_SUM, comm));
  PetscCall(PetscFree(mono));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* /provenance/model_config of a lead-field recording (absent for ccs, whose files predate -model). */
static PetscErrorCode RecordModelConfig(const RecordOptions *o, char **text)
{
  const SemgSimulateOptions *f = &o->fwd;
  char                       buf[PETSC_MAX_PATH_LEN + 1024];

  PetscFunctionBeginUser;
  *text = NULL;
  if (o->model == RECORD_MODEL_CCS) PetscFunctionReturn(PETSC_SUCCESS);
  if (o->model == RECORD_MODEL_LAYERED)
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "model: layered\nsigma_muscle_long: %g\nsigma_muscle_trans: %g\nlayered: {sigma_fat: %g, sigma_skin: %g, fat_thickness: %g, skin_thickness: %g}\nseed: %d\n",
                            (double)f->sigma_long, (double)f->sigma_trans, (double)f->layers.sigma_fat, (double)f->layers.sigma_skin,
                            (double)f->layers.fat_thickness, (double)f->layers.skin_thickness, (int)o->seed));
  else PetscCall(PetscSNPrintf(buf, sizeof(buf), "model: vc\nleadfield: '%s'\nseed: %d\n", f->leadfield, (int)o->seed));
  PetscCall(PetscStrallocpy(buf, text));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Firing trains over [-muap_duration, duration) on the sample grid (the recording starts in steady
   state), the unit table, and the superposition x (channel-major) of every MUAP at every firing. */
static PetscErrorCode Superpose(const RecordOptions *o, PetscInt n_active, const PetscInt *active, PetscInt nt, SemgRecordingTruth *t, PetscReal *x)
{
  const PetscInt nc = t->n_channels, nm = t->n_muap;
  PetscInt       cap = 1024;

  PetscFunctionBeginUser;
  t->n_firings = 0;
  PetscCall(PetscMalloc1(2 * (size_t)cap, &t->firings));
  for (PetscInt a = 0; a < n_active; a++) {
    SemgPoolUnit u;
    PetscReal   *times, *row = t->units + (size_t)a * SEMG_UNIT_COUNT, ptp = 0;
    PetscInt     n;
    PetscCall(SemgPoolUnitMake(&o->pool, (uint64_t)o->seed, active[a], &u));
    PetscCall(SemgPoolFiringTrain(&o->pool, &u, o->excitation, o->duration + o->muap_duration, (uint64_t)o->seed, active[a], &n, &times));
    for (PetscInt c = 0; c < nc; c++) {
      PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;
      for (PetscInt j = 0; j < nm; j++)
        lo = PetscMin(lo, t->muap[((size_t)a * nc + c) * nm + j]), hi = PetscMax(hi, t->muap[((size_t)a * nc + c) * nm + j]);
      ptp = PetscMax(ptp, hi - lo);
    }
    for (PetscInt i = 0; i < n; i++) {
      const PetscInt k0 = (PetscInt)PetscFloorReal((times[i] - o->muap_duration) * o->fs + 0.5);
      if (k0 >= nt) break;
      if (t->n_firings == cap) {
        PetscReal *grown;
        PetscCall(PetscMalloc1(4 * (size_t)cap, &grown));
        PetscCall(PetscArraycpy(grown, t->firings, 2 * (size_t)cap));
        PetscCall(PetscFree(t->firings));
        t->firings = grown, cap *= 2;
      }
      t->firings[2 * t->n_firings] = a, t->firings[2 * t->n_firings + 1] = k0 / o->fs;
      t->n_firings++;
      for (PetscInt c = 0; c < nc; c++)
        for (PetscInt j = PetscMax(0, -k0); j < nm && k0 + j < nt; j++) x[(size_t)c * nt + k0 + j] += t->muap[((size_t)a * nc + c) * nm + j];
    }
    row[SEMG_UNIT_INDEX] = active[a], row[SEMG_UNIT_THRESHOLD] = u.threshold, row[SEMG_UNIT_RATE] = SemgPoolRate(&o->pool, &u, o->excitation);
    row[SEMG_UNIT_IZ] = u.iz[0], row[SEMG_UNIT_Y] = u.iz[1], row[SEMG_UNIT_DEPTH] = -u.iz[2], row[SEMG_UNIT_CV] = u.cv;
    row[SEMG_UNIT_NFIBRES] = u.n_fibres, row[SEMG_UNIT_RADIUS] = u.radius, row[SEMG_UNIT_PTP] = ptp;
    row[SEMG_UNIT_NFIRINGS] = 0;
    for (PetscInt i = 0; i < n; i++) row[SEMG_UNIT_NFIRINGS] += (times[i] >= o->muap_duration && times[i] < o->duration + o->muap_duration);
    PetscCall(PetscFree(times));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdRecord(MPI_Comm comm)
{
  RecordOptions      o;
  SemgDataset       *ds;
  SemgRecordingTruth t;
  PetscInt           ne, nc, nt, *column, *active, n_active = 0;
  PetscReal         *xyz, *x;
  SemgLeadfield      lf = NULL, *lfs = NULL; /* layered table; -model vc lead field */

  PetscFunctionBeginUser;
  PetscCall(RecordProcessOptions(comm, &o));
  if (o.model == RECORD_MODEL_VC) PetscCall(SemgSimulateLeadfieldElectrodes(comm, &o.fwd, &lfs, &ne, &xyz, &column));
  else PetscCall(SemgArrayBuild(&o.array, &ne, &xyz, &column));
  if (o.model == RECORD_MODEL_LAYERED) PetscCall(SemgSimulateLayeredTable(comm, "semg record", &o.fwd, ne, xyz, &lf));
  if (lfs) lf = lfs[0];
  nc = SemgMontageChannelCount(o.montage, ne, column);
  PetscCheck(nc > 0, comm, SEMG_ERR_USER, "-montage %s needs more electrodes per column", SemgMontages[o.montage]);
  nt = (PetscInt)PetscFloorReal(o.duration * o.fs + 0.5);
  PetscCall(SemgDatasetCreate(comm, 1, ne, nc, nt, 0, &ds));
  ds->fs = o.fs;
  PetscCall(PetscStrncpy(ds->recording_type, "continuous", sizeof(ds->recording_type)));
  PetscCall(PetscArraycpy(ds->electrode_xyz, xyz, 3 * (size_t)ne));
  PetscCall(PetscArraycpy(ds->electrode_column, column, ne));
  PetscCall(SemgDatasetSetMontage(ds, o.montage));
  if (o.model != RECORD_MODEL_CCS) PetscCall(PetscStrncpy(ds->units, "V", sizeof(ds->units))); /* the lead-field line source is in volts */
  PetscCall(RecordModelConfig(&o, &ds->model_config));
  PetscCall(PetscMalloc1(o.pool.n_units, &active));
  for (PetscInt i = 0; i < o.pool.n_units; i++) {
    SemgPoolUnit u;
    PetscCall(SemgPoolUnitMake(&o.pool, (uint64_t)o.seed, i, &u));
    if (SemgPoolRate(&o.pool, &u, o.excitation) > 0) active[n_active++] = i;
  }
  PetscCall(PetscMemzero(&t, sizeof(t)));
  t.n_units = n_active, t.n_channels = nc, t.n_muap = (PetscInt)PetscFloorReal(o.muap_duration * o.fs + 0.5), t.fs = o.fs, t.excitation = o.excitation;
  PetscCall(PetscMalloc2((size_t)PetscMax(n_active, 1) * SEMG_UNIT_COUNT, &t.units, (size_t)PetscMax(n_active, 1) * nc * t.n_muap, &t.muap));
  PetscCall(UnitMUAPs(comm, &o, lf, ds, n_active, active, &t));
  PetscCall(PetscCalloc1((size_t)nc * nt, &x));
  PetscCall(Superpose(&o, n_active, active, nt, &t, x));
  PetscCall(SemgAddNoise(nc, nt, o.snr, (uint64_t)o.seed, 0, x));
  if (ds->n_local) PetscCall(PetscArraycpy(ds->data, x, (size_t)nc * nt));
  PetscCall(SemgDatasetWriteWith(comm, o.output, ds, SemgRecordingTruthWrite, &t));
  PetscCall(PetscPrintf(comm, "semg record: %g s at %g Hz, excitation %g: %" PetscInt_FMT " of %" PetscInt_FMT " units active, %" PetscInt_FMT " firings, %" PetscInt_FMT " %s channels (model %s) -> %s\n",
                        (double)o.duration, (double)o.fs, (double)o.excitation, n_active, o.pool.n_units, t.n_firings, nc, SemgMontages[o.montage], RecordModels[o.model], o.output));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree2(t.units, t.muap));
  PetscCall(PetscFree(t.firings));
  PetscCall(PetscFree(active));
  PetscCall(PetscFree(xyz));
  PetscCall(PetscFree(column));
  PetscCall(SemgDatasetDestroy(&ds));
  if (lfs) PetscCall(SemgRealisationsDestroy(1, &lfs));
  else if (lf) PetscCall(SemgLeadfieldDestroy(&lf));
  PetscFunctionReturn(PETSC_SUCCESS);
}
