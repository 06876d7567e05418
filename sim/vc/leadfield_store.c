/* Reciprocity lead fields solved on the volume conductor and stored in HDF5 (spec volume-conductor.md 5):
   one solve per electrode, electrode groups side by side, the stored box, provenance. */
#include <string.h>
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "core/semg_log.h"
#include "sim/vc/leadfield.h"

/* Centres and faces of the stored cells off[d] .. off[d] + m[d] - 1, their offset and the grid size. */
static PetscErrorCode WriteAxes(SemgH5File *f, hid_t g, SemgConductor c, const PetscInt off[3], const PetscInt m[3])
{
  const PetscReal *faces[3], *cen[3];
  PetscInt         n[3];
  int              ioff[3], in[3];
  hsize_t          three = 3;
  const char      *cn[3] = {"x_centres", "y_centres", "z_centres"}, *fn[3] = {"x_faces", "y_faces", "z_faces"};

  PetscFunctionBeginUser;
  PetscCall(SemgConductorGetFaces(c, faces, n));
  PetscCall(SemgConductorGetCentres(c, cen));
  for (PetscInt d = 0; d < 3; d++) {
    hsize_t nc = (hsize_t)m[d], nf = nc + 1;
    PetscCall(SemgH5WriteSmall(f, g, cn[d], 1, &nc, H5T_NATIVE_DOUBLE, cen[d] + off[d], "m"));
    PetscCall(SemgH5WriteSmall(f, g, fn[d], 1, &nf, H5T_NATIVE_DOUBLE, faces[d] + off[d], "m"));
    ioff[d] = (int)off[d];
    in[d]   = (int)n[d];
  }
  PetscCall(SemgH5WriteSmall(f, g, "stored_offset", 1, &three, H5T_NATIVE_INT, ioff, NULL));
  PetscCall(SemgH5WriteSmall(f, g, "grid_cells", 1, &three, H5T_NATIVE_INT, in, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteParams(SemgH5File *f, hid_t g, SemgConductor c, PetscInt ref)
{
  SemgTissue t;
  SemgVCGrid gr;

  PetscFunctionBeginUser;
  PetscCall(SemgConductorGetParams(c, &t, &gr));
  PetscCall(SemgH5WriteAttrString(g, "units", "V/A"));
  PetscCall(SemgH5WriteAttrInt(g, "reference", (long long)ref));
  PetscCall(SemgH5WriteAttrString(g, "reference_meaning",
                                  ref >= 0 ? "electrode index"
                                  : gr.far_bc == SEMG_VC_FAR_NEUMANN
                                    ? "mean (constant null-space component removed)"
                                    : "none (no null space: potentials referenced to the far faces, or to infinity with robin)"));
  PetscCall(SemgH5WriteAttrString(g, "far_bc", SemgVCFarBCs[gr.far_bc]));
  if (gr.far_bc == SEMG_VC_FAR_ROBIN) {
    hsize_t   three = 3;
    PetscReal o[3]  = {gr.centre[0], gr.centre[1], 0};
    if (gr.robin_centre_set) PetscCall(PetscArraycpy(o, gr.robin_centre, 3));
    PetscCall(SemgH5WriteSmall(f, g, "robin_centre", 1, &three, H5T_NATIVE_DOUBLE, o, "m"));
  }
  PetscCall(SemgH5WriteAttrDouble(g, "sigma_muscle_long", t.sigma_long));
  PetscCall(SemgH5WriteAttrDouble(g, "sigma_muscle_trans", t.sigma_trans));
  PetscCall(SemgH5WriteAttrDouble(g, "sigma_fat", t.sigma_fat));
  PetscCall(SemgH5WriteAttrDouble(g, "sigma_skin", t.sigma_skin));
  PetscCall(SemgH5WriteAttrDouble(g, "sigma_bone", t.sigma_bone));
  PetscCall(SemgH5WriteAttrDouble(g, "fat_thickness", t.fat_thickness));
  PetscCall(SemgH5WriteAttrDouble(g, "skin_thickness", t.skin_thickness));
  PetscCall(SemgH5WriteAttrDouble(g, "bone_depth", t.bone_depth));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldStoreParamsDefault(SemgLeadfieldStoreParams *p)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(p, sizeof(*p)));
  p->file_comm = MPI_COMM_NULL;
  p->ngroups   = 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGroupsSplit(MPI_Comm comm, PetscInt ne, PetscInt ncells, PetscInt requested, SemgLeadfieldStoreParams *par, MPI_Comm *gcomm)
{
  PetscMPIInt size, rank;
  PetscInt    g, per_rank_cap = 2500000;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(requested <= PetscMin(size, ne), comm, SEMG_ERR_USER, "-leadfield_groups %d: at most min(ranks, electrodes) = %d groups", (int)requested, (int)PetscMin(size, ne));
  if (requested > 0) g = requested;
  else g = PetscMax(1, PetscMin(PetscMin((PetscInt)size, ne), size / ((ncells + per_rank_cap - 1) / per_rank_cap)));
  par->file_comm = comm;
  par->ngroups   = g;
  par->group     = (PetscInt)(((PetscInt64)rank * g) / size);
  PetscCallMPI(MPI_Comm_split(comm, (int)par->group, rank, gcomm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* w += read-out weights of electrode e: rectangle, disc or point. */
static PetscErrorCode AddFootprint(SemgConductor c, PetscInt e, const PetscReal *exyz, const SemgLeadfieldStoreParams *par, Vec w)
{
  PetscFunctionBeginUser;
  if (par->size && par->size[2 * e] > 0 && par->size[2 * e + 1] > 0)
    PetscCall(SemgConductorAddElectrodeRectRotated(c, exyz[3 * e], exyz[3 * e + 1], par->size[2 * e], par->size[2 * e + 1], par->angle ? par->angle[e] : 0, w));
  else PetscCall(SemgConductorAddElectrode(c, exyz[3 * e], exyz[3 * e + 1], par->radius ? par->radius[e] : 0, w));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Right-hand side of electrode e: its weights minus the reference electrode's. */
static PetscErrorCode ElectrodeRHS(SemgConductor c, PetscInt e, const PetscReal *exyz, const SemgLeadfieldStoreParams *par, PetscInt ref, Vec b, Vec tmp)
{
  PetscFunctionBeginUser;
  PetscCall(VecSet(b, 0));
  PetscCall(AddFootprint(c, e, exyz, par, b));
  if (ref >= 0) {
    PetscCall(VecSet(tmp, 0));
    PetscCall(AddFootprint(c, ref, exyz, par, tmp));
    PetscCall(VecAXPY(b, -1.0, tmp));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode SolveElectrode(SemgConductor c, PetscInt e, const PetscReal *exyz, const SemgLeadfieldStoreParams *par, PetscInt ref, Vec b, Vec tmp, Vec l, PetscInt *its)
{
  PetscFunctionBeginUser;
  PetscCall(ElectrodeRHS(c, e, exyz, par, ref, b, tmp));
  PetscCall(SemgConductorSolve(c, b, (PetscBool)(ref < 0), l, its));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Stored cells: those meeting the box plus one cell on every side (the trilinear stencil of any point
   in the box), clamped to the grid; everything without a box. */
static PetscErrorCode StoredCells(SemgConductor c, const SemgLeadfieldStoreParams *par, PetscInt off[3], PetscInt m[3])
{
  const PetscReal *faces[3];
  PetscInt         n[3];
  DM               da;
  MPI_Comm         comm;

  PetscFunctionBeginUser;
  PetscCall(SemgConductorGetFaces(c, faces, n));
  PetscCall(SemgConductorGetDM(c, &da));
  PetscCall(PetscObjectGetComm((PetscObject)da, &comm));
  for (PetscInt d = 0; d < 3; d++) {
    PetscInt  i0 = 0, i1 = n[d] - 1;
    PetscReal lo = par->box_set ? par->box[2 * d] : faces[d][0], hi = par->box_set ? par->box[2 * d + 1] : faces[d][n[d]];
    PetscCheck(lo < hi && lo < faces[d][n[d]] && hi > faces[d][0], comm, SEMG_ERR_USER, "-store_box: %c range [%g, %g] m is empty or outside the grid [%g, %g] m", "xyz"[d], (double)lo, (double)hi, (double)faces[d][0], (double)faces[d][n[d]]);
    while (i0 < n[d] - 1 && faces[d][i0 + 1] <= lo) i0++;
    while (i1 > 0 && faces[d][i1] >= hi) i1--;
    off[d] = PetscMax(i0 - 1, 0);
    m[d]   = PetscMin(i1 + 1, n[d] - 1) - off[d] + 1;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The owned DMDA block's part inside the stored cells (off, m) into slice e of the [ne, my, mx, mz]
   dataset (collective or independent as dxpl says; a rank owning none of them selects nothing). */
static PetscErrorCode WriteSlice(SemgConductor c, hid_t dxpl, hid_t dset, PetscInt e, Vec l, const PetscInt off[3], const PetscInt m[3])
{
  DM                 da;
  PetscInt           s[3], w[3], lo[3], hi[3];
  hsize_t            fstart[4], mstart[4], count[4], mdims[4];
  hid_t              fspace, mspace;
  const PetscScalar *a;
  PetscBool          empty = PETSC_FALSE;
  PetscLogStage      stage = -1;

  PetscFunctionBeginUser;
  PetscCall(SemgVCStageGet(SEMG_VC_STAGE_IO, &stage));
  PetscCall(PetscLogStagePush(stage));
  PetscCall(SemgConductorGetDM(c, &da));
  /* the DMDA's axes are (z, x, y); the owned block is stored (y, x, z) with z fastest */
  PetscCall(DMDAGetCorners(da, &s[2], &s[0], &s[1], &w[2], &w[0], &w[1]));
  for (PetscInt d = 0; d < 3; d++) {
    lo[d] = PetscMax(s[d], off[d]);
    hi[d] = PetscMin(s[d] + w[d], off[d] + m[d]);
    if (hi[d] <= lo[d]) empty = PETSC_TRUE;
  }
  mdims[0]  = 1;
  fstart[0] = empty ? 0 : (hsize_t)e;
  mstart[0] = 0;
  count[0]  = 1;
  for (PetscInt d = 0; d < 3; d++) {
    const PetscInt ax = d == 0 ? 2 : d == 1 ? 1 : 3; /* x, y, z -> dataset axis */
    mdims[ax]         = (hsize_t)w[d];
    fstart[ax]        = empty ? 0 : (hsize_t)(lo[d] - off[d]);
    mstart[ax]        = empty ? 0 : (hsize_t)(lo[d] - s[d]);
    count[ax]         = empty ? 0 : (hsize_t)(hi[d] - lo[d]);
  }
  SemgCallH5Id(fspace, H5Dget_space(dset));
  SemgCallH5Id(mspace, H5Screate_simple(4, mdims, NULL));
  if (empty) {
    SemgCallH5(H5Sselect_none(fspace));
    SemgCallH5(H5Sselect_none(mspace));
  } else {
    SemgCallH5(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, fstart, NULL, count, NULL));
    SemgCallH5(H5Sselect_hyperslab(mspace, H5S_SELECT_SET, mstart, NULL, count, NULL));
  }
  PetscCall(VecGetArrayRead(l, &a));
  SemgCallH5(H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, a));
  PetscCall(VecRestoreArrayRead(l, &a));
  SemgCallH5(H5Sclose(mspace));
  SemgCallH5(H5Sclose(fspace));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldComputeAndStore(SemgConductor c, PetscInt ne, const PetscReal *exyz, const PetscReal *radius, PetscInt ref, const char path[], PetscInt *its_out)
{
  SemgLeadfieldStoreParams par;

  PetscFunctionBeginUser;
  PetscCall(SemgLeadfieldStoreParamsDefault(&par));
  par.radius = radius;
  PetscCall(SemgLeadfieldComputeAndStoreWithParams(c, ne, exyz, &par, ref, path, its_out));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldComputeAndStoreWithParams(SemgConductor c, PetscInt ne, const PetscReal *exyz, const SemgLeadfieldStoreParams *par, PetscInt ref, const char path[], PetscInt *its_out)
{
  MPI_Comm                 comm, gcomm;
  DM                       da;
  SemgH5File               f;
  hid_t                    g, space, dset;
  hsize_t                  dims[4], d2[2] = {(hsize_t)ne, 3}, d1 = (hsize_t)ne, ds[2] = {(hsize_t)ne, 2};
  PetscInt                 off[3], m[3], *its;
  PetscReal               *rad, *size, *ang;
  Vec                      b, l, tmp;
  PetscLogStage            stage = -1;
  SemgProgress             prog;
  SemgLeadfieldStoreParams fp      = *par;
  PetscInt                 ngroups = PetscMax(1, par->ngroups);

  PetscFunctionBeginUser;
  PetscCall(SemgConductorGetDM(c, &da));
  PetscCall(PetscObjectGetComm((PetscObject)da, &gcomm));
  comm = par->file_comm != MPI_COMM_NULL ? par->file_comm : gcomm;
  PetscCheck(ref < ne, comm, SEMG_ERR_USER, "reference electrode %d out of range (ne = %d)", (int)ref, (int)ne);
  PetscCall(StoredCells(c, par, off, m));
  PetscCall(PetscCalloc4(ne, &its, ne, &rad, 2 * (size_t)ne, &size, ne, &ang));
  for (PetscInt e = 0; e < ne; e++) {
    PetscBool rect  = (PetscBool)(par->size && par->size[2 * e] > 0 && par->size[2 * e + 1] > 0);
    rad[e]          = !rect && par->radius ? par->radius[e] : 0;
    ang[e]          = rect && par->angle ? par->angle[e] : 0;
    size[2 * e]     = rect ? par->size[2 * e] : 0;
    size[2 * e + 1] = rect ? par->size[2 * e + 1] : 0;
  }
  fp.radius = rad;
  fp.size   = size;
  fp.angle  = ang;
  PetscCall(SemgConductorCreateVec(c, &b));
  PetscCall(VecDuplicate(b, &l));
  PetscCall(VecDuplicate(b, &tmp));
  /* footprints are checked (e.g. a rectangle beyond the top face) before any file is created */
  for (PetscInt e = 0; e < ne; e++) PetscCall(AddFootprint(c, e, exyz, &fp, tmp));
  PetscCall(SemgH5CreateAtomic(comm, path, &f));
  SemgCallH5Id(g, H5Gcreate2(f.file, "leadfield", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  PetscCall(SemgH5WriteAttrString(f.file, "schema_name", "semg-leadfield"));
  PetscCall(SemgH5WriteAttrInt(f.file, "schema_version", SEMG_LEADFIELD_SCHEMA_VERSION));
  PetscCall(SemgH5WriteProvenance(comm, &f, f.file));
  PetscCall(WriteParams(&f, g, c, ref));
  PetscCall(WriteAxes(&f, g, c, off, m));
  PetscCall(SemgH5WriteSmall(&f, g, "electrodes", 2, d2, H5T_NATIVE_DOUBLE, exyz, "m"));
  if (par->nominal && memcmp(par->nominal, exyz, 3 * (size_t)ne * sizeof(PetscReal)))
    PetscCall(SemgH5WriteSmall(&f, g, "electrodes_nominal", 2, d2, H5T_NATIVE_DOUBLE, par->nominal, "m"));
  PetscCall(SemgH5WriteSmall(&f, g, "radius", 1, &d1, H5T_NATIVE_DOUBLE, rad, "m"));
  PetscCall(SemgH5WriteSmall(&f, g, "size", 2, ds, H5T_NATIVE_DOUBLE, size, "m"));
  PetscCall(SemgH5WriteSmall(&f, g, "rotation", 1, &d1, H5T_NATIVE_DOUBLE, ang, "rad"));
  dims[0] = (hsize_t)ne;
  dims[1] = (hsize_t)m[1]; /* the DMDA's (z, x, y) axes: z fastest */
  dims[2] = (hsize_t)m[0];
  dims[3] = (hsize_t)m[2];
  SemgCallH5Id(space, H5Screate_simple(4, dims, NULL));
  SemgCallH5Id(dset, H5Dcreate2(g, "values", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  PetscCall(SemgH5WriteAttrString(dset, "units", "V/A"));
  PetscCall(SemgH5WriteAttrString(dset, "axes", "electrode,y,x,z"));
  PetscCall(SemgVCStageGet(SEMG_VC_STAGE_LEADFIELD, &stage));
  PetscCall(PetscLogStagePush(stage));
  PetscCall(SemgProgressStart(comm, "lead fields", ne, &prog));
  if (ngroups == 1) {
    for (PetscInt e = 0; e < ne; e++) {
      PetscCall(SolveElectrode(c, e, exyz, &fp, ref, b, tmp, l, &its[e]));
      PetscCall(WriteSlice(c, f.dxpl, dset, e, l, off, m));
      PetscCall(SemgProgressUpdate(comm, &prog, e + 1));
    }
  } else {
    /* group k solves electrodes k, k + G, ... and writes them independently, so no group waits for another
       one between electrodes; a failure ends its group's loop (shared within the group first, since the
       solve is collective there) and is shared with every group once all loops are over */
    PetscErrorCode ierr = PETSC_SUCCESS;
    hid_t          dxpl;
    SemgCallH5Id(dxpl, H5Pcreate(H5P_DATASET_XFER));
    SemgCallH5(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_INDEPENDENT));
    for (PetscInt e = par->group; e < ne && !ierr; e += ngroups) {
      ierr = SolveElectrode(c, e, exyz, &fp, ref, b, tmp, l, &its[e]);
      if (!ierr) ierr = WriteSlice(c, dxpl, dset, e, l, off, m);
      ierr = SemgShareError(gcomm, ierr);
      if (!ierr) PetscCall(SemgProgressUpdate(comm, &prog, PetscMin(ne, e + ngroups - par->group)));
    }
    SemgCallH5(H5Pclose(dxpl));
    PetscCall(SemgShareError(comm, ierr));
  }
  PetscCall(SemgProgressEnd(comm, &prog));
  if (ngroups > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, its, (PetscMPIInt)ne, MPIU_INT, MPI_MAX, comm));
  PetscCall(PetscLogStagePop());
  PetscCall(SemgH5WriteSmall(&f, g, "iterations", 1, &d1, H5T_NATIVE_INT, its, NULL));
  if (its_out) PetscCall(PetscArraycpy(its_out, its, ne));
  SemgCallH5(H5Dclose(dset));
  SemgCallH5(H5Sclose(space));
  SemgCallH5(H5Gclose(g));
  PetscCall(SemgH5Close(comm, &f));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&l));
  PetscCall(VecDestroy(&tmp));
  PetscCall(PetscFree4(its, rad, size, ang));
  PetscFunctionReturn(PETSC_SUCCESS);
}
