#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "core/semg_log.h"
#include "sim/vc/leadfield.h"
#include "sim/vc/layered.h"

struct _p_SemgLeadfield {
  SemgLeadfieldType    type;
  PetscInt             ne;
  PetscReal           *exyz;  /* ne x 3 */
  PetscReal            sl, st; /* analytic types */
  PetscInt             n[3];   /* grid type: kept box */
  PetscReal           *cen[3];
  PetscReal           *face[3]; /* n[d] + 1 faces of the kept cells */
  PetscReal            valid_lo[3], valid_hi[3]; /* read-outs allowed here (the kept box, open at grid edges) */
  char                 path[PETSC_MAX_PATH_LEN];
  double              *val;    /* ne x n[1] x n[0] x n[2] (y, x, z), z fastest */
  SemgCCSParams        ccs;
  SemgLineSourceParams ls;
  SemgLayeredTable     tab; /* layered type */
};

PetscErrorCode SemgLineSourceParamsDefault(SemgLineSourceParams *p)
{
  PetscFunctionBeginUser;
  p->gf     = 1.01 * PETSC_PI * 25e-6 * 25e-6; /* 1.983e-9 S m */
  p->amp    = 0.096;
  p->lambda = 1000.0;
  p->dxi    = 1e-4;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal SemgRosenfalck(const SemgLineSourceParams *p, PetscReal z)
{
  PetscReal u = p->lambda * z;

  if (u <= 0) return 0.0;
  if (u > 60) return 0.0; /* below 1e-20 of the peak */
  return p->amp * u * u * u * PetscExpReal(-u);
}

/* ---------------------------------------------------------------- solve and store */

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
  PetscCall(SemgH5WriteAttrString(g, "reference_meaning", ref >= 0 ? "electrode index" : gr.far_bc == SEMG_VC_FAR_NEUMANN ? "mean (constant null-space component removed)" : "none (no null space: potentials referenced to the far faces, or to infinity with robin)"));
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
  if (par->size && par->size[2 * e] > 0 && par->size[2 * e + 1] > 0) PetscCall(SemgConductorAddElectrodeRectRotated(c, exyz[3 * e], exyz[3 * e + 1], par->size[2 * e], par->size[2 * e + 1], par->angle ? par->angle[e] : 0, w));
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
  mdims[0] = 1;
  fstart[0] = empty ? 0 : (hsize_t)e;
  mstart[0] = 0;
  count[0]  = 1;
  for (PetscInt d = 0; d < 3; d++) {
    const PetscInt ax = d == 0 ? 2 : d == 1 ? 1 : 3; /* x, y, z -> dataset axis */
    mdims[ax]  = (hsize_t)w[d];
    fstart[ax] = empty ? 0 : (hsize_t)(lo[d] - off[d]);
    mstart[ax] = empty ? 0 : (hsize_t)(lo[d] - s[d]);
    count[ax]  = empty ? 0 : (hsize_t)(hi[d] - lo[d]);
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
  SemgLeadfieldStoreParams fp       = *par;
  PetscInt                 ngroups  = PetscMax(1, par->ngroups);

  PetscFunctionBeginUser;
  PetscCall(SemgConductorGetDM(c, &da));
  PetscCall(PetscObjectGetComm((PetscObject)da, &gcomm));
  comm = par->file_comm != MPI_COMM_NULL ? par->file_comm : gcomm;
  PetscCheck(ref < ne, comm, SEMG_ERR_USER, "reference electrode %d out of range (ne = %d)", (int)ref, (int)ne);
  PetscCall(StoredCells(c, par, off, m));
  PetscCall(PetscCalloc4(ne, &its, ne, &rad, 2 * (size_t)ne, &size, ne, &ang));
  for (PetscInt e = 0; e < ne; e++) {
    PetscBool rect = (PetscBool)(par->size && par->size[2 * e] > 0 && par->size[2 * e + 1] > 0);
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
  PetscCall(SemgH5WriteAttrInt(f.file, "schema_version", 1));
  PetscCall(SemgH5WriteProvenance(comm, &f, f.file));
  PetscCall(WriteParams(&f, g, c, ref));
  PetscCall(WriteAxes(&f, g, c, off, m));
  PetscCall(SemgH5WriteSmall(&f, g, "electrodes", 2, d2, H5T_NATIVE_DOUBLE, exyz, "m"));
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

/* ---------------------------------------------------------------- in-memory lead fields */

static PetscErrorCode LeadfieldNew(PetscInt ne, const PetscReal *exyz, SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(lf));
  (*lf)->ne = ne;
  PetscCall(PetscMalloc1(3 * (size_t)ne, &(*lf)->exyz));
  if (exyz) PetscCall(PetscArraycpy((*lf)->exyz, exyz, 3 * (size_t)ne));
  PetscCall(SemgCCSParamsDefault(&(*lf)->ccs));
  PetscCall(SemgLineSourceParamsDefault(&(*lf)->ls));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldCreateAnalytic(SemgLeadfieldType type, PetscInt ne, const PetscReal *exyz, PetscReal sl, PetscReal st, SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  PetscCheck(type != SEMG_LF_GRID, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "grid lead fields come from SemgLeadfieldLoad");
  PetscCheck(type != SEMG_LF_LAYERED, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "layered lead fields come from SemgLeadfieldCreateLayered");
  PetscCall(LeadfieldNew(ne, exyz, lf));
  (*lf)->type = type;
  (*lf)->sl   = sl;
  (*lf)->st   = st;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldCreateLayered(const SemgTissue *t, const SemgLayeredTableSpec *spec, PetscInt ne, const PetscReal *exyz, SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  PetscCall(LeadfieldNew(ne, exyz, lf));
  (*lf)->type = SEMG_LF_LAYERED;
  (*lf)->sl   = t->sigma_long;
  (*lf)->st   = t->sigma_trans;
  PetscCall(SemgLayeredTableCreate(t, spec, &(*lf)->tab));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldSetElectrodes(SemgLeadfield lf, PetscInt ne, const PetscReal *exyz)
{
  PetscFunctionBeginUser;
  PetscCheck(lf->type != SEMG_LF_GRID, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "a grid lead field's electrodes are those it was solved for");
  PetscCheck(ne == lf->ne, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "lead field has %d electrodes, got %d", (int)lf->ne, (int)ne);
  PetscCall(PetscArraycpy(lf->exyz, exyz, 3 * (size_t)ne));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGetLayeredTable(SemgLeadfield lf, SemgLayeredTable *tab)
{
  PetscFunctionBeginUser;
  PetscCheck(lf->type == SEMG_LF_LAYERED, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "not a layered lead field");
  *tab = lf->tab;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldDestroy(SemgLeadfield *lf)
{
  PetscFunctionBeginUser;
  if (!*lf) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(SemgLayeredTableDestroy(&(*lf)->tab));
  PetscCall(PetscFree((*lf)->exyz));
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree((*lf)->cen[d]));
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree((*lf)->face[d]));
  PetscCall(PetscFree((*lf)->val));
  PetscCall(PetscFree(*lf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGetElectrodes(SemgLeadfield lf, PetscInt *ne, const PetscReal **exyz)
{
  PetscFunctionBeginUser;
  if (ne) *ne = lf->ne;
  if (exyz) *exyz = lf->exyz;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldSetCCSParams(SemgLeadfield lf, const SemgCCSParams *par)
{
  PetscFunctionBeginUser;
  lf->ccs = *par;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldSetLineSourceParams(SemgLeadfield lf, const SemgLineSourceParams *par)
{
  PetscFunctionBeginUser;
  lf->ls = *par;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadVector(hid_t g, const char *name, hsize_t n, double *buf)
{
  hid_t   dset, space;
  hsize_t dims[4];
  int     nd;

  PetscFunctionBeginUser;
  SemgCallH5Id(dset, H5Dopen2(g, name, H5P_DEFAULT));
  SemgCallH5Id(space, H5Dget_space(dset));
  nd = H5Sget_simple_extent_dims(space, dims, NULL);
  PetscCheck(nd >= 1 && dims[0] * (nd > 1 ? dims[1] : 1) == n, PETSC_COMM_SELF, SEMG_ERR_USER, "lead-field file: dataset %s has an unexpected shape", name);
  SemgCallH5(H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
  SemgCallH5(H5Sclose(space));
  SemgCallH5(H5Dclose(dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Index offset of the stored cells and the grid size (box-stored files); full and older files store
   the whole grid (offset 0, grid = dataset shape, left unchanged). */
static PetscErrorCode ReadStoredCells(hid_t g, PetscInt off[3], PetscInt ngrid[3])
{
  int     nd;
  hsize_t dims[2];
  double  buf[3];

  PetscFunctionBeginUser;
  PetscCall(SemgH5DatasetShape(g, "stored_offset", &nd, dims, 2));
  if (nd < 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(ReadVector(g, "stored_offset", 3, buf));
  for (PetscInt d = 0; d < 3; d++) off[d] = (PetscInt)buf[d];
  PetscCall(ReadVector(g, "grid_cells", 3, buf));
  for (PetscInt d = 0; d < 3; d++) ngrid[d] = (PetscInt)buf[d];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldLoad(MPI_Comm comm, const char path[], const PetscReal lo[3], const PetscReal hi[3], SemgLeadfield *lf)
{
  SemgH5File  f;
  hid_t       g, dset, fspace, mspace;
  hsize_t     dims[4], start[4], count[4];
  int         nd;
  PetscReal  *cen[3];
  const char *cn[3] = {"x_centres", "y_centres", "z_centres"}, *fn[3] = {"x_faces", "y_faces", "z_faces"};
  const int   axis[3] = {2, 1, 3}; /* dataset axis of x, y, z in [ne, ny, nx, nz] */
  PetscInt    i0[3], i1[3], off[3] = {0, 0, 0}, ngrid[3];
  size_t      nval;

  PetscFunctionBeginUser;
  PetscCall(SemgH5Open(comm, "-leadfield", path, &f));
  g = H5Gopen2(f.file, "leadfield", H5P_DEFAULT);
  PetscCheck(g >= 0, comm, SEMG_ERR_USER, "-leadfield %s: not a semg lead-field file (no /leadfield group)", path);
  SemgCallH5Id(dset, H5Dopen2(g, "values", H5P_DEFAULT));
  SemgCallH5Id(fspace, H5Dget_space(dset));
  nd = H5Sget_simple_extent_dims(fspace, dims, NULL);
  PetscCheck(nd == 4, comm, SEMG_ERR_USER, "-leadfield %s: /leadfield/values must have 4 axes", path);
  PetscCall(LeadfieldNew((PetscInt)dims[0], NULL, lf));
  (*lf)->type = SEMG_LF_GRID;
  PetscCall(ReadVector(g, "electrodes", 3 * dims[0], (*lf)->exyz));
  PetscCall(PetscStrncpy((*lf)->path, path, sizeof((*lf)->path)));
  for (PetscInt d = 0; d < 3; d++) ngrid[d] = (PetscInt)dims[axis[d]];
  PetscCall(ReadStoredCells(g, off, ngrid));
  for (PetscInt d = 0; d < 3; d++) {
    hsize_t nd_ = dims[axis[d]];
    PetscCall(PetscMalloc1(nd_, &cen[d]));
    PetscCall(ReadVector(g, cn[d], nd_, cen[d]));
    /* kept range: centres inside the box plus one cell for interpolation */
    i0[d] = 0;
    i1[d] = (PetscInt)nd_ - 1;
    if (lo && hi) {
      while (i0[d] < i1[d] && cen[d][i0[d] + 1] < lo[d]) i0[d]++;
      while (i1[d] > i0[d] && cen[d][i1[d] - 1] > hi[d]) i1[d]--;
    }
    (*lf)->n[d] = i1[d] - i0[d] + 1;
    PetscCall(PetscMalloc1((*lf)->n[d], &(*lf)->cen[d]));
    PetscCall(PetscArraycpy((*lf)->cen[d], cen[d] + i0[d], (*lf)->n[d]));
    /* interpolation is exact between the outer kept centres; beyond them only at the grid's edges,
       where the full grid extrapolates constantly too */
    (*lf)->valid_lo[d] = off[d] + i0[d] > 0 ? (*lf)->cen[d][0] : PETSC_MIN_REAL;
    (*lf)->valid_hi[d] = off[d] + i1[d] < ngrid[d] - 1 ? (*lf)->cen[d][(*lf)->n[d] - 1] : PETSC_MAX_REAL;
    PetscCall(PetscFree(cen[d]));
    PetscCall(PetscMalloc1(nd_ + 1, &cen[d])); /* reused for the faces */
    PetscCall(ReadVector(g, fn[d], nd_ + 1, cen[d]));
    PetscCall(PetscMalloc1((*lf)->n[d] + 1, &(*lf)->face[d]));
    PetscCall(PetscArraycpy((*lf)->face[d], cen[d] + i0[d], (*lf)->n[d] + 1));
    PetscCall(PetscFree(cen[d]));
  }
  start[0] = 0;
  count[0] = dims[0];
  for (PetscInt d = 0; d < 3; d++) {
    start[axis[d]] = (hsize_t)i0[d];
    count[axis[d]] = (hsize_t)(*lf)->n[d];
  }
  nval = (size_t)count[0] * count[1] * count[2] * count[3];
  PetscCall(PetscMalloc1(nval, &(*lf)->val));
  SemgCallH5(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL));
  SemgCallH5Id(mspace, H5Screate_simple(4, count, NULL));
  SemgCallH5(H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, f.dxpl, (*lf)->val));
  SemgCallH5(H5Sclose(mspace));
  SemgCallH5(H5Sclose(fspace));
  SemgCallH5(H5Dclose(dset));
  SemgCallH5(H5Gclose(g));
  PetscCall(SemgH5Close(comm, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Trilinear stencil of point p in the kept box (constant beyond the outer centres). */
typedef struct {
  size_t    id[8];
  PetscReal w[8];
} Stencil;

static void StencilAt(SemgLeadfield lf, const PetscReal p[3], Stencil *s)
{
  PetscInt  i0[3];
  PetscReal f[3];

  for (PetscInt d = 0; d < 3; d++) SemgGridLocate(lf->cen[d], lf->n[d], p[d], &i0[d], &f[d]);
  for (PetscInt c = 0; c < 8; c++) {
    PetscInt b[3] = {c & 1, (c >> 1) & 1, (c >> 2) & 1}, idx[3];
    s->w[c]       = 1;
    for (PetscInt d = 0; d < 3; d++) {
      idx[d] = PetscMin(i0[d] + b[d], lf->n[d] - 1);
      s->w[c] *= b[d] ? f[d] : 1 - f[d];
    }
    s->id[c] = ((size_t)idx[1] * (size_t)lf->n[0] + (size_t)idx[0]) * (size_t)lf->n[2] + (size_t)idx[2];
  }
}

/* l_e(p) for every electrode. */
static void EvalAll(SemgLeadfield lf, const PetscReal p[3], PetscReal *out)
{
  if (lf->type == SEMG_LF_GRID) {
    Stencil s;
    size_t  ncell = (size_t)lf->n[0] * lf->n[1] * lf->n[2];
    StencilAt(lf, p, &s);
    for (PetscInt e = 0; e < lf->ne; e++) {
      const double *v   = lf->val + (size_t)e * ncell;
      PetscReal     sum = 0;
      for (PetscInt c = 0; c < 8; c++) sum += s.w[c] * v[s.id[c]];
      out[e] = sum;
    }
  } else if (lf->type == SEMG_LF_LAYERED) {
    SemgLayeredTableEvalAll(lf->tab, p, lf->ne, lf->exyz, out);
  } else {
    for (PetscInt e = 0; e < lf->ne; e++) {
      const PetscReal *q = &lf->exyz[3 * e];
      out[e] = lf->type == SEMG_LF_INFINITE ? SemgOracleInfinite(lf->sl, lf->st, lf->st, p[0] - q[0], p[1] - q[1], p[2] - q[2]) : SemgOracleHalfspace(lf->sl, lf->st, p, q);
    }
  }
}

PetscErrorCode SemgLeadfieldEvalAll(SemgLeadfield lf, const PetscReal p[3], PetscReal *val)
{
  PetscFunctionBeginUser;
  EvalAll(lf, p, val);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldGetGrid(SemgLeadfield lf, PetscInt n[3], const PetscReal *cen[3], const PetscReal *face[3], const double **val)
{
  PetscFunctionBeginUser;
  PetscCheck(lf->type == SEMG_LF_GRID, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "only grid lead fields have cells");
  for (PetscInt d = 0; d < 3; d++) {
    if (n) n[d] = lf->n[d];
    if (cen) cen[d] = lf->cen[d];
    if (face) face[d] = lf->face[d];
  }
  if (val) *val = lf->val;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A grid lead field answers only inside its kept cells (user error otherwise, not a clamped value). */
static PetscErrorCode CheckInside(SemgLeadfield lf, const PetscReal p[3], const char *what, PetscInt idx)
{
  PetscFunctionBeginUser;
  if (lf->type != SEMG_LF_GRID) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt d = 0; d < 3; d++) {
    PetscBool low = (PetscBool)(p[d] < lf->valid_lo[d]);
    PetscCheck(!low && p[d] <= lf->valid_hi[d], PETSC_COMM_SELF, SEMG_ERR_USER, "-leadfield %s: %s %d reaches (%g, %g, %g) mm, outside the stored cells (%c %s %g mm); recompute with a larger -store_box", lf->path, what, (int)idx, (double)(p[0] * 1e3), (double)(p[1] * 1e3), (double)(p[2] * 1e3), "xyz"[d], low ? ">=" : "<=",
               (double)((low ? lf->valid_lo[d] : lf->valid_hi[d]) * 1e3));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldEval(SemgLeadfield lf, PetscInt e, const PetscReal p[3], PetscReal *val)
{
  PetscReal *all;

  PetscFunctionBeginUser;
  PetscCall(CheckInside(lf, p, "read-out point of electrode", e));
  PetscCall(PetscMalloc1(lf->ne, &all));
  EvalAll(lf, p, all);
  *val = all[e];
  PetscCall(PetscFree(all));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void FibreDirection(const SemgFibre *f, PetscReal dir[3])
{
  dir[0] = PetscCosReal(f->rz) * PetscCosReal(f->ry);
  dir[1] = PetscSinReal(f->rz) * PetscCosReal(f->ry);
  dir[2] = -PetscSinReal(f->ry);
}

/* Spec 5.2: m_e(t) = -G_f sum_j [l(xi_{j+1}) - l(xi_j)] [V(xi_{j+1}) - V(xi_j)] / dxi_j, nodes including
   the IP; V_m from the two Rosenfalck APs leaving the IP (V_rest drops out of the differences). */
static PetscErrorCode MUAPLineSource(SemgLeadfield lf, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  const SemgLineSourceParams *ls = &lf->ls;
  PetscInt                    n1 = f->ip > 0 ? (PetscInt)PetscCeilReal(f->ip / ls->dxi) : 0, n2 = f->length - f->ip > 0 ? (PetscInt)PetscCeilReal((f->length - f->ip) / ls->dxi) : 0, nn = n1 + n2 + 1, ne = lf->ne;
  PetscReal                  *xi, *dl, *lv, *V, dir[3];

  PetscFunctionBeginUser;
  PetscCheck(f->ip >= 0 && f->ip <= f->length && f->length > 0 && f->cv > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "fibre needs 0 <= ip <= length, length > 0, cv > 0 (ip %g, length %g, cv %g)", (double)f->ip, (double)f->length, (double)f->cv);
  PetscCall(PetscMalloc4(nn, &xi, (size_t)ne * nn, &dl, ne, &lv, nn, &V));
  for (PetscInt j = 0; j <= n1; j++) xi[j] = n1 ? f->ip * j / n1 : 0;
  for (PetscInt j = 1; j <= n2; j++) xi[n1 + j] = f->ip + (f->length - f->ip) * j / n2;
  FibreDirection(f, dir);
  /* lead field at the nodes, then its differences along the fibre (stored segment-major) */
  for (PetscInt j = 0; j < nn; j++) {
    PetscReal p[3] = {f->ox + xi[j] * dir[0], f->oy + xi[j] * dir[1], f->oz + xi[j] * dir[2]};
    EvalAll(lf, p, lv);
    for (PetscInt e = 0; e < ne; e++) dl[(size_t)j * ne + e] = lv[e];
  }
  for (PetscInt j = 0; j < nn - 1; j++)
    for (PetscInt e = 0; e < ne; e++) dl[(size_t)j * ne + e] = dl[(size_t)(j + 1) * ne + e] - dl[(size_t)j * ne + e];
  for (PetscInt k = 0; k < nt; k++) {
    PetscReal s = f->cv * k * dt;
    for (PetscInt j = 0; j < nn; j++) V[j] = xi[j] <= f->ip ? SemgRosenfalck(ls, xi[j] - f->ip + s) : SemgRosenfalck(ls, f->ip + s - xi[j]);
    for (PetscInt j = 0; j < nn - 1; j++) {
      PetscReal D = V[j + 1] - V[j];
      if (D == 0) continue;
      D *= -ls->gf / (xi[j + 1] - xi[j]);
      for (PetscInt e = 0; e < ne; e++) phi[(size_t)e * nt + k] += D * dl[(size_t)j * ne + e];
    }
  }
  PetscCall(PetscFree4(xi, dl, lv, V));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* CCS point sources of sim/ccs.h at each time, weighted by the lead field at their positions. */
static PetscErrorCode MUAPCCS(SemgLeadfield lf, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscReal *phi)
{
  SemgCCSSources src;
  PetscReal     *lv;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(lf->ne, &lv));
  for (PetscInt k = 0; k < nt; k++) {
    SemgCCSFibreSources(&lf->ccs, f, f->cv * (k * dt), PETSC_FALSE, &src);
    for (PetscInt j = 0; j < src.n; j++) {
      EvalAll(lf, src.p[j], lv);
      for (PetscInt e = 0; e < lf->ne; e++) phi[(size_t)e * nt + k] += src.current[j] * lv[e];
    }
  }
  PetscCall(PetscFree(lv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A straight fibre is inside the layered table when both its ends are (offsets and depth are convex). */
static PetscErrorCode LayeredCheckFibre(SemgLeadfield lf, PetscInt i, const SemgFibre *f)
{
  PetscReal dir[3];

  PetscFunctionBeginUser;
  FibreDirection(f, dir);
  for (PetscInt end = 0; end < 2; end++) {
    const PetscReal s = end ? f->length : 0, p[3] = {f->ox + s * dir[0], f->oy + s * dir[1], f->oz + s * dir[2]};
    PetscReal       ax = 0, ay = 0;

    for (PetscInt e = 0; e < lf->ne; e++) {
      ax = PetscMax(ax, PetscAbsReal(lf->exyz[3 * e] - p[0]));
      ay = PetscMax(ay, PetscAbsReal(lf->exyz[3 * e + 1] - p[1]));
    }
    PetscCheck(SemgLayeredTableCovers(lf->tab, ax, ay, p[2]), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "fibre %d end (%g, %g, %g) m lies outside the layered lead-field table (above the muscle or beyond the tabulated offsets/depths)", (int)i, (double)p[0], (double)p[1],
               (double)p[2]);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgLeadfieldMUAP(SemgLeadfield lf, PetscInt nf, const SemgFibre *f, PetscInt nt, PetscReal dt, PetscBool ccs_sources, PetscReal *phi)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(phi, (size_t)lf->ne * nt));
  for (PetscInt i = 0; i < nf; i++) {
    PetscReal dir[3], o[3] = {f[i].ox, f[i].oy, f[i].oz}, q[3];
    FibreDirection(&f[i], dir);
    for (PetscInt d = 0; d < 3; d++) q[d] = o[d] + f[i].length * dir[d];
    PetscCall(CheckInside(lf, o, "fibre", i)); /* both ends inside: the straight fibre is */
    PetscCall(CheckInside(lf, q, "fibre", i));
    if (lf->type == SEMG_LF_LAYERED) PetscCall(LayeredCheckFibre(lf, i, &f[i]));
    if (ccs_sources) PetscCall(MUAPCCS(lf, &f[i], nt, dt, phi));
    else PetscCall(MUAPLineSource(lf, &f[i], nt, dt, phi));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
