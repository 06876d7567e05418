/* semg muap: the MUAP of one motor unit with the CCS model (all fibres fire at t = 0). */
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "core/semg_csv.h"
#include "core/semg_dataset.h"
#include "sim/commands.h"
#include "sim/ccs.h"
#include "sim/fibres.h"
#include "sim/electrodes.h"

typedef struct {
  char              fibres[PETSC_MAX_PATH_LEN], electrodes[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN];
  PetscBool         have_fibres, have_electrodes;
  PetscReal         fs;
  PetscInt          samples;
  SemgMontage       montage;
  PetscInt          seed;
  SemgCCSParams     ccs;
  SemgMotorUnitSpec mu;
  SemgArraySpec     array;
} MuapOptions;

static PetscErrorCode ProcessOptions(MPI_Comm comm, MuapOptions *o)
{
  PetscBool set_fs, set_n, set_out;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->fs      = 5000;
  o->samples = 100;
  o->montage = SEMG_MONTAGE_MONO;
  o->seed    = 1;
  PetscCall(SemgCCSParamsDefault(&o->ccs));
  PetscCall(SemgMotorUnitSpecDefault(&o->mu));
  PetscCall(SemgArraySpecDefault(&o->array));
  PetscOptionsBegin(comm, NULL, "semg muap: motor-unit action potential (CCS model)", "semg");
  PetscCall(PetscOptionsString("-fibres", "fibre table CSV (origin_x,origin_y,origin_z,ip,length,cv[,rz,ry]); else a generated MU (-mu_*)", "", o->fibres, o->fibres, sizeof(o->fibres), &o->have_fibres));
  PetscCall(PetscOptionsString("-electrodes", "electrode table CSV (x,y,z[,column]); else an array (-array_*)", "", o->electrodes, o->electrodes, sizeof(o->electrodes), &o->have_electrodes));
  PetscCall(PetscOptionsReal("-fs", "sampling frequency (Hz)", "", o->fs, &o->fs, &set_fs));
  PetscCall(PetscOptionsInt("-samples", "number of time samples (t = k/fs)", "", o->samples, &o->samples, &set_n));
  PetscCall(PetscOptionsString("-output", "output file (.csv or .h5)", "", o->output, o->output, sizeof(o->output), &set_out));
  PetscCall(PetscOptionsEnum("-montage", "channels: mono, sd or dd (along electrode order within columns)", "", SemgMontages, (PetscEnum)o->montage,
                             (PetscEnum *)&o->montage, NULL));
  PetscCall(PetscOptionsInt("-seed", "seed of the generated motor unit", "", o->seed, &o->seed, NULL));
  PetscOptionsEnd();
  PetscCall(SemgCCSParamsSetFromOptions(&o->ccs, NULL));
  if (!o->have_fibres) PetscCall(SemgMotorUnitSpecSetFromOptions(&o->mu, NULL));
  if (!o->have_electrodes) PetscCall(SemgArraySpecSetFromOptions(&o->array, NULL));
  PetscCall(SemgOptionsRequire(comm, "-output", set_out));
  PetscCheck(o->fs > 0 && PetscIsNormalReal(o->fs), comm, SEMG_ERR_USER, "-fs %g must be > 0", (double)o->fs);
  PetscCheck(o->samples > 0, comm, SEMG_ERR_USER, "-samples %" PetscInt_FMT " must be > 0", o->samples);
  PetscCheck(SemgStringEndsWith(o->output, ".csv") || SemgStringEndsWith(o->output, ".h5"), comm, SEMG_ERR_USER, "-output '%s' must end in .csv or .h5", o->output);
  PetscCall(SemgOptionsRejectUnknown(comm, NULL));
  PetscCall(SemgCheckOutputPath(comm, "-output", o->output));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Fibres are split over ranks in contiguous blocks and the partial potentials summed. */
static PetscErrorCode ComputeMonopolar(MPI_Comm comm, const MuapOptions *o, PetscInt nf, const SemgFibre *f, PetscInt ne, const PetscReal *xyz, PetscReal *phi)
{
  PetscCount start, nloc;
  PetscReal *part;
  size_t     n = (size_t)ne * o->samples;

  PetscFunctionBeginUser;
  PetscCall(SemgPartition(comm, nf, &start, &nloc));
  PetscCall(PetscCalloc1(n, &part));
  PetscCall(SemgCCSPotentialAdd(&o->ccs, (PetscInt)nloc, f + start, ne, xyz, o->samples, 0.0, 1.0 / o->fs, part));
  PetscCallMPI(MPI_Allreduce(part, phi, (PetscMPIInt)n, MPIU_REAL, MPI_SUM, comm));
  PetscCall(PetscFree(part));
  for (size_t i = 0; i < n; i++)
    PetscCheck(!PetscIsInfOrNanReal(phi[i]), comm, SEMG_ERR_USER, "electrode %zu coincides with a current source at t = %g s (r = 0): move the electrode off the fibre",
               i / (size_t)o->samples + 1, (double)(i % (size_t)o->samples) / (double)o->fs);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteCSVRank0(const MuapOptions *o, const SemgDataset *ds)
{
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(SemgCSVOpen(o->output, &fp));
  fprintf(fp, "time_s");
  for (PetscInt c = 0; c < ds->n_channels; c++) {
    if (o->montage == SEMG_MONTAGE_MONO) fprintf(fp, ",E%" PetscInt_FMT, c + 1);
    else fprintf(fp, ",%s%" PetscInt_FMT, o->montage == SEMG_MONTAGE_SD ? "SD" : "DD", c + 1);
  }
  fprintf(fp, "\n");
  for (PetscInt k = 0; k < o->samples; k++) {
    fprintf(fp, "%.17g", (double)k / (double)o->fs);
    for (PetscInt c = 0; c < ds->n_channels; c++) fprintf(fp, ",%.17g", (double)ds->data[(size_t)c * o->samples + k]);
    fprintf(fp, "\n");
  }
  PetscCall(SemgCSVClose(o->output, &fp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteCSV(MPI_Comm comm, const MuapOptions *o, const SemgDataset *ds)
{
  PetscMPIInt    rank;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  ierr = rank ? PETSC_SUCCESS : WriteCSVRank0(o, ds);
  PetscCall(SemgShareError(comm, ierr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgCmdMuap(MPI_Comm comm)
{
  MuapOptions  o;
  PetscInt     nf, ne, nc;
  SemgFibre   *f;
  PetscReal   *xyz, *phi;
  PetscInt    *column;
  SemgDataset *ds;

  PetscFunctionBeginUser;
  PetscCall(ProcessOptions(comm, &o));
  if (o.have_fibres) PetscCall(SemgFibresReadCSV(comm, "-fibres", o.fibres, &nf, &f));
  else {
    nf = o.mu.n_fibres;
    PetscCall(PetscMalloc1(nf, &f));
    PetscCall(SemgMotorUnitGenerate(&o.mu, (uint64_t)o.seed, 0, f));
  }
  if (o.have_electrodes) PetscCall(SemgElectrodesReadCSV(comm, "-electrodes", o.electrodes, &ne, &xyz, &column));
  else PetscCall(SemgArrayBuild(&o.array, &ne, &xyz, &column));
  PetscCall(SemgCCSCheckGeometry(comm, nf, f, ne, xyz));
  nc = SemgMontageChannelCount(o.montage, ne, column);
  PetscCheck(nc > 0, comm, SEMG_ERR_USER, "-montage %s needs at least %d electrodes in a column", SemgMontages[o.montage], (int)o.montage + 1);
  PetscCall(PetscMalloc1((size_t)ne * o.samples, &phi));
  PetscCall(ComputeMonopolar(comm, &o, nf, f, ne, xyz, phi));

  /* one-example dataset on every rank (the writer lets rank 0 own example 0) */
  PetscCall(SemgDatasetCreate(comm, 1, ne, nc, o.samples, 0, &ds));
  ds->fs = o.fs;
  PetscCall(PetscArraycpy(ds->electrode_xyz, xyz, 3 * (size_t)ne));
  PetscCall(PetscArraycpy(ds->electrode_column, column, ne));
  PetscCall(SemgDatasetSetMontage(ds, o.montage));
  if (SemgStringEndsWith(o.output, ".csv")) {
    PetscCall(PetscFree(ds->data));
    PetscCall(PetscMalloc1((size_t)nc * o.samples, &ds->data));
    SemgDatasetApplyChannels(ds, phi, ds->data);
    PetscCall(WriteCSV(comm, &o, ds));
  } else {
    if (ds->n_local) SemgDatasetApplyChannels(ds, phi, ds->data);
    PetscCall(SemgDatasetWrite(comm, o.output, ds));
  }
  PetscCall(PetscPrintf(comm, "semg muap: %" PetscInt_FMT " fibres, %" PetscInt_FMT " electrodes, %" PetscInt_FMT " %s channels x %" PetscInt_FMT " samples -> %s\n", nf, ne, nc, SemgMontages[o.montage], o.samples, o.output));
  PetscCall(SemgDatasetDestroy(&ds));
  PetscCall(PetscFree(phi));
  PetscCall(PetscFree(f));
  PetscCall(PetscFree(xyz));
  PetscCall(PetscFree(column));
  PetscFunctionReturn(PETSC_SUCCESS);
}
