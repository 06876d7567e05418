/* semg record: a continuous multi-channel recording of a motor-unit pool at constant excitation through
   the CCS model, with noise and per-unit ground truth (the interference test bed of issue 18).
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

typedef struct {
  PetscReal     excitation, duration, fs, snr, muap_duration;
  PetscInt      seed;
  SemgMontage   montage;
  SemgArraySpec array;
  SemgCCSParams ccs;
  SemgPoolSpec  pool;
  char          output[PETSC_MAX_PATH_LEN];
} RecordOptions;

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
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckOutputPath(comm, "-output", o->output));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* MUAPs (dataset channels) of the recruited units, rows of t->units filled; ranks take units round-robin
   and an all-reduce of disjoint rows (zeros elsewhere) gives every rank the exact same table. */
static PetscErrorCode UnitMUAPs(MPI_Comm comm, const RecordOptions *o, const SemgDataset *ds, PetscInt n_active, const PetscInt *active, SemgRecordingTruth *t)
{
  const PetscInt ne = ds->n_electrodes, nc = ds->n_channels, nm = t->n_muap;
  PetscMPIInt    rank, size;
  PetscReal     *mono;
  SemgDataset    shape = *ds; /* the channel table applied to MUAP-long signals */

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc1((size_t)ne * nm, &mono));
  shape.n_times = nm;
  PetscCall(PetscArrayzero(t->muap, (size_t)n_active * nc * nm));
  for (PetscInt a = rank; a < n_active; a += size) {
    SemgPoolUnit u;
    SemgFibre   *f;
    PetscCall(SemgPoolUnitMake(&o->pool, (uint64_t)o->seed, active[a], &u));
    PetscCall(SemgPoolUnitFibres(&o->pool, &u, (uint64_t)o->seed, active[a], &f));
    PetscCall(PetscArrayzero(mono, (size_t)ne * nm));
    PetscCall(SemgCCSPotentialAdd(&o->ccs, u.n_fibres, f, ne, ds->electrode_xyz, nm, 0.0, 1.0 / o->fs, mono));
    SemgDatasetApplyChannels(&shape, mono, t->muap + (size_t)a * nc * nm);
    PetscCall(PetscFree(f));
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, t->muap, (PetscMPIInt)((size_t)n_active * nc * nm), MPIU_REAL, MPI_SUM, comm));
  PetscCall(PetscFree(mono));
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

  PetscFunctionBeginUser;
  PetscCall(RecordProcessOptions(comm, &o));
  PetscCall(SemgArrayBuild(&o.array, &ne, &xyz, &column));
  nc = SemgMontageChannelCount(o.montage, ne, column);
  PetscCheck(nc > 0, comm, SEMG_ERR_USER, "-montage %s needs more electrodes per column", SemgMontages[o.montage]);
  nt = (PetscInt)PetscFloorReal(o.duration * o.fs + 0.5);
  PetscCall(SemgDatasetCreate(comm, 1, ne, nc, nt, 0, &ds));
  ds->fs = o.fs;
  PetscCall(PetscStrncpy(ds->recording_type, "continuous", sizeof(ds->recording_type)));
  PetscCall(PetscArraycpy(ds->electrode_xyz, xyz, 3 * (size_t)ne));
  PetscCall(PetscArraycpy(ds->electrode_column, column, ne));
  PetscCall(SemgDatasetSetMontage(ds, o.montage));
  PetscCall(PetscMalloc1(o.pool.n_units, &active));
  for (PetscInt i = 0; i < o.pool.n_units; i++) {
    SemgPoolUnit u;
    PetscCall(SemgPoolUnitMake(&o.pool, (uint64_t)o.seed, i, &u));
    if (SemgPoolRate(&o.pool, &u, o.excitation) > 0) active[n_active++] = i;
  }
  PetscCall(PetscMemzero(&t, sizeof(t)));
  t.n_units = n_active, t.n_channels = nc, t.n_muap = (PetscInt)PetscFloorReal(o.muap_duration * o.fs + 0.5), t.fs = o.fs, t.excitation = o.excitation;
  PetscCall(PetscMalloc2((size_t)PetscMax(n_active, 1) * SEMG_UNIT_COUNT, &t.units, (size_t)PetscMax(n_active, 1) * nc * t.n_muap, &t.muap));
  PetscCall(UnitMUAPs(comm, &o, ds, n_active, active, &t));
  PetscCall(PetscCalloc1((size_t)nc * nt, &x));
  PetscCall(Superpose(&o, n_active, active, nt, &t, x));
  PetscCall(SemgAddNoise(nc, nt, o.snr, (uint64_t)o.seed, 0, x));
  if (ds->n_local) PetscCall(PetscArraycpy(ds->data, x, (size_t)nc * nt));
  PetscCall(SemgDatasetWriteWith(comm, o.output, ds, SemgRecordingTruthWrite, &t));
  PetscCall(PetscPrintf(comm, "semg record: %g s at %g Hz, excitation %g: %" PetscInt_FMT " of %" PetscInt_FMT " units active, %" PetscInt_FMT " firings, %" PetscInt_FMT " %s channels -> %s\n",
                        (double)o.duration, (double)o.fs, (double)o.excitation, n_active, o.pool.n_units, t.n_firings, nc, SemgMontages[o.montage], o.output));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree2(t.units, t.muap));
  PetscCall(PetscFree(t.firings));
  PetscCall(PetscFree(active));
  PetscCall(PetscFree(xyz));
  PetscCall(PetscFree(column));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscFunctionReturn(PETSC_SUCCESS);
}
