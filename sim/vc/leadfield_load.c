/* Reading a stored lead field (semg leadfield output) into memory, only the cells a run needs. */
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "sim/vc/leadfieldimpl.h"

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
  PetscCall(SemgLeadfieldNew((PetscInt)dims[0], NULL, lf));
  (*lf)->type = SEMG_LF_GRID;
  PetscCall(ReadVector(g, "electrodes", 3 * dims[0], (*lf)->exyz));
  if (H5Lexists(g, "electrodes_nominal", H5P_DEFAULT) > 0) {
    PetscCall(PetscMalloc1(3 * dims[0], &(*lf)->nominal));
    PetscCall(ReadVector(g, "electrodes_nominal", 3 * dims[0], (*lf)->nominal));
  }
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
