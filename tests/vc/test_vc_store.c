static char help[] = "Box-stored lead fields (spec 5.3): MUAPs equal those of the full file for fibres inside the box,\n"
                     "older files without the stored-cell offset still load, and read-outs outside the box are user errors.\n"
                     "  -path PREFIX (files PREFIX_full.h5, PREFIX_box.h5, PREFIX_old.h5)\n";

#include <petscsys.h>
#include <hdf5.h>
#include <sys/stat.h>
#include "core/semg_error.h"
#include "sim/vc/leadfield.h"

#include "tests/vc/vc_expect.h"

#define NFIB 3
static const SemgFibre fibres[NFIB] = {
  {-0.03,  0.001,  -6e-3,  0.028, 0.06, 4.0, 0,     0   },
  {-0.025, -0.004, -12e-3, 0.02,  0.05, 3.5, 0.05,  0.02},
  {-0.02,  0.006,  -3e-3,  0.01,  0.04, 4.5, -0.03, 0   }
};

/* Largest |a - b| over the MUAPs of the fibres (line source and CCS sources), relative to max |a|. */
static PetscErrorCode CompareMUAPs(SemgLeadfield a, SemgLeadfield b, PetscInt ne, PetscInt nf, const SemgFibre *f, PetscReal *rel)
{
  const PetscInt nt = 60;
  PetscReal     *pa, *pb, mx = 0, diff = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2((size_t)ne * nt, &pa, (size_t)ne * nt, &pb));
  for (PetscInt ccs = 0; ccs < 2; ccs++) {
    PetscCall(SemgLeadfieldMUAP(a, nf, f, nt, 1.0 / 5000, (PetscBool)ccs, pa));
    PetscCall(SemgLeadfieldMUAP(b, nf, f, nt, 1.0 / 5000, (PetscBool)ccs, pb));
    for (PetscInt i = 0; i < ne * nt; i++) {
      diff = PetscMax(diff, PetscAbsReal(pa[i] - pb[i]));
      mx   = PetscMax(mx, PetscAbsReal(pa[i]));
    }
  }
  PetscCall(PetscFree2(pa, pb));
  *rel = diff / mx;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A copy of a full file as older versions wrote it: without stored_offset and grid_cells. */
static PetscErrorCode MakeOldFile(const char *full, const char *old)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) {
    char  cmd[3 * PETSC_MAX_PATH_LEN];
    hid_t f;
    PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "cp '%s' '%s'", full, old));
    PetscCheck(system(cmd) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "%s failed", cmd);
    SemgCallH5Id(f, H5Fopen(old, H5F_ACC_RDWR, H5P_DEFAULT));
    SemgCallH5(H5Ldelete(f, "/leadfield/stored_offset", H5P_DEFAULT));
    SemgCallH5(H5Ldelete(f, "/leadfield/grid_cells", H5P_DEFAULT));
    SemgCallH5(H5Fclose(f));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The call must fail with a user error (message printed for the log). */
int main(int argc, char **argv)
{
  char          prefix[PETSC_MAX_PATH_LEN] = "vc_store", full[PETSC_MAX_PATH_LEN], box[PETSC_MAX_PATH_LEN], old[PETSC_MAX_PATH_LEN], msg[256];
  SemgConductor c;
  SemgLeadfield lf_full, lf_box, lf_old, lf_boxload;
  SemgLeadfieldStoreParams sp;
  PetscReal                exyz[9] = {0, 0, 0, 10e-3, 2e-3, 0, -5e-3, 0, 0}, rad[3] = {0, 1e-3, 0}, size[6] = {0, 0, 0, 0, 2e-3, 1e-3}, rel, val;
  PetscReal                lo[3] = {-0.032, -0.006, -0.015}, hi[3] = {0.032, 0.008, -0.002};
  PetscInt                 its[3];
  PetscErrorCode           ierr;
  PetscMPIInt              rank;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-path", prefix, sizeof(prefix), NULL));
  PetscCall(PetscSNPrintf(full, sizeof(full), "%s_full.h5", prefix));
  PetscCall(PetscSNPrintf(box, sizeof(box), "%s_box.h5", prefix));
  PetscCall(PetscSNPrintf(old, sizeof(old), "%s_old.h5", prefix));
  PetscCall(CreateSmallLayeredConductor(&c));
  /* a point, a disc and a rectangle; full file, then only the box around the fibres */
  PetscCall(SemgLeadfieldStoreParamsDefault(&sp));
  sp.radius = rad;
  sp.size   = size;
  PetscCall(SemgLeadfieldComputeAndStoreWithParams(c, 3, exyz, &sp, -1, full, its));
  sp.box_set = PETSC_TRUE;
  for (PetscInt d = 0; d < 3; d++) {
    sp.box[2 * d]     = lo[d];
    sp.box[2 * d + 1] = hi[d];
  }
  PetscCall(SemgLeadfieldComputeAndStoreWithParams(c, 3, exyz, &sp, -1, box, its));
  if (!rank) {
    struct stat sf, sb;
    PetscCheck(!stat(full, &sf) && !stat(box, &sb), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot stat the lead-field files");
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "file sizes: full %lld bytes, box %lld bytes (ratio %.3f)\n", (long long)sf.st_size, (long long)sb.st_size,
                          (double)sb.st_size / (double)sf.st_size));
  }
  /* a small box around the shallow fibre only: on 2 ranks one of them may own none of its cells */
  {
    PetscReal lo2[3] = {-0.021, 0.004, -0.004}, hi2[3] = {0.021, 0.007, -0.002};
    for (PetscInt d = 0; d < 3; d++) {
      sp.box[2 * d]     = lo2[d];
      sp.box[2 * d + 1] = hi2[d];
    }
    PetscCall(SemgLeadfieldComputeAndStoreWithParams(c, 3, exyz, &sp, -1, old, its));
    PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, full, NULL, NULL, &lf_full));
    PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, old, NULL, NULL, &lf_box));
    PetscCall(CompareMUAPs(lf_full, lf_box, 3, 1, &fibres[2], &rel));
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "small box around the shallow fibre: max rel diff %.1e", (double)rel));
    PetscCall(Expect(msg, (PetscBool)(rel <= 1e-14)));
    PetscCall(SemgLeadfieldDestroy(&lf_full));
    PetscCall(SemgLeadfieldDestroy(&lf_box));
  }
  PetscCall(MakeOldFile(full, old));
  PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, full, NULL, NULL, &lf_full));
  PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, box, NULL, NULL, &lf_box));
  PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, old, NULL, NULL, &lf_old));
  PetscCall(SemgLeadfieldLoad(PETSC_COMM_WORLD, box, lo, hi, &lf_boxload));
  PetscCall(CompareMUAPs(lf_full, lf_box, 3, NFIB, fibres, &rel));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "box-stored file: MUAPs (line source and CCS) of %d fibres inside, max |box - full| / max = %.1e", NFIB, (double)rel));
  PetscCall(Expect(msg, (PetscBool)(rel <= 1e-14)));
  PetscCall(CompareMUAPs(lf_full, lf_boxload, 3, NFIB, fibres, &rel));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "box-stored file loaded with the same box: max rel diff %.1e", (double)rel));
  PetscCall(Expect(msg, (PetscBool)(rel <= 1e-14)));
  PetscCall(CompareMUAPs(lf_full, lf_old, 3, NFIB, fibres, &rel));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "file without stored_offset/grid_cells (older layout) loads: max rel diff %.1e", (double)rel));
  PetscCall(Expect(msg, (PetscBool)(rel == 0)));
  /* outside the box: a deeper fibre, a read-out point beyond the box */
  {
    SemgFibre out = {-0.02, 0, -25e-3, 0.02, 0.04, 4.0, 0, 0};
    PetscReal phi[3 * 10], p[3] = {0, 0, -30e-3};
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = SemgLeadfieldMUAP(lf_box, 1, &out, 10, 1e-3, PETSC_FALSE, phi);
    PetscCall(PetscPopErrorHandler());
    PetscCall(ExpectUserError("fibre 25 mm deep, box to 15 mm", ierr));
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = SemgLeadfieldEval(lf_box, 0, p, &val);
    PetscCall(PetscPopErrorHandler());
    PetscCall(ExpectUserError("read-out 30 mm deep", ierr));
    PetscCall(SemgLeadfieldMUAP(lf_full, 1, &out, 10, 1e-3, PETSC_FALSE, phi)); /* fine with the full file */
  }
  PetscCall(SemgLeadfieldDestroy(&lf_full));
  PetscCall(SemgLeadfieldDestroy(&lf_box));
  PetscCall(SemgLeadfieldDestroy(&lf_old));
  PetscCall(SemgLeadfieldDestroy(&lf_boxload));
  PetscCall(SemgConductorDestroy(&c));
  PetscCall(SemgTestReport());
  PetscCall(PetscFinalize());
  return SemgTestFailures() ? 1 : 0;
}
