#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_input.h"
#include "core/semg_h5.h"
#include "core/semg_options.h"
#include "core/semg_output.h"
#include "semg_version.h"

/* HDF5 would print its own error stack for every expected failure (missing attribute, bad file);
   semg reports errors itself, once. */
static void SilenceHDF5(void)
{
  if (!getenv("SEMG_HDF5_DEBUG")) H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static PetscErrorCode FileAccessList(MPI_Comm comm, hid_t *fapl)
{
  PetscFunctionBeginUser;
  SemgCallH5Id(*fapl, H5Pcreate(H5P_FILE_ACCESS));
  SemgCallH5(H5Pset_fapl_mpio(*fapl, comm, MPI_INFO_NULL));
  SemgCallH5(H5Pset_all_coll_metadata_ops(*fapl, 1));
  SemgCallH5(H5Pset_coll_metadata_write(*fapl, 1));
  SemgCallH5(H5Pset_libver_bounds(*fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode TransferList(hid_t *dxpl)
{
  PetscFunctionBeginUser;
  SemgCallH5Id(*dxpl, H5Pcreate(H5P_DATASET_XFER));
  SemgCallH5(H5Pset_dxpl_mpio(*dxpl, H5FD_MPIO_COLLECTIVE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5CreateAtomic(MPI_Comm comm, const char path[], SemgH5File *f)
{
  hid_t fapl;

  PetscFunctionBeginUser;
  SilenceHDF5();
  PetscCall(PetscMemzero(f, sizeof(*f)));
  PetscCall(PetscStrncpy(f->path, path, sizeof(f->path)));
  PetscCall(PetscSNPrintf(f->tmp, sizeof(f->tmp), "%s.tmp", path));
  PetscCall(FileAccessList(comm, &fapl));
  f->file = H5Fcreate(f->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  SemgCallH5(H5Pclose(fapl));
  PetscCheck(f->file >= 0, comm, SEMG_ERR_USER, "cannot create '%s' (directory missing or not writable?)", f->tmp);
  SemgOutputTempAdd(f->tmp, f->file, NULL); /* removed by SemgOutputRemoveTemps if the command fails */
  PetscCall(TransferList(&f->dxpl));
  PetscCallMPI(MPI_Comm_rank(comm, &f->rank));
  f->comm    = comm;
  f->writing = 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5Open(MPI_Comm comm, const char option[], const char path[], SemgH5File *f)
{
  hid_t       fapl;
  PetscMPIInt rank;
  int         state = 0;

  PetscFunctionBeginUser;
  SilenceHDF5();
  PetscCall(PetscMemzero(f, sizeof(*f)));
  PetscCall(PetscStrncpy(f->path, path, sizeof(f->path)));
  PetscCall(SemgCheckInputPath(comm, option, path));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) state = H5Fis_hdf5(path) > 0 ? 1 : 0;
  PetscCallMPI(MPI_Bcast(&state, 1, MPI_INT, 0, comm));
  PetscCheck(state, comm, SEMG_ERR_USER, "%s '%s': not an HDF5 file (corrupt or wrong format)", option, path);
  PetscCall(FileAccessList(comm, &fapl));
  f->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  SemgCallH5(H5Pclose(fapl));
  PetscCheck(f->file >= 0, comm, SEMG_ERR_USER, "%s '%s': HDF5 cannot open it (corrupt, truncated, or still open for writing: h5clear -s)", option, path);
  PetscCall(TransferList(&f->dxpl));
  f->rank = rank;
  f->comm = comm;
  SemgInputReadingSet(option, path);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5Close(MPI_Comm comm, SemgH5File *f)
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  if (f->dxpl > 0) SemgCallH5(H5Pclose(f->dxpl));
  if (f->file > 0) {
    herr_t herr = H5Fclose(f->file);                     /* flushes: where a full disk shows */
    if (f->writing) SemgOutputTempAdd(f->tmp, -1, NULL); /* closed, but still to be removed on failure */
    if (f->writing) PetscCall(SemgOutputShareWriteError(comm, (PetscBool)(herr < 0), f->path));
    else SemgCallH5(herr);
  }
  f->file = f->dxpl = 0;
  if (!f->writing) SemgInputReadingClear(f->path);
  if (f->writing) {
    PetscCallMPI(MPI_Barrier(comm));
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    if (!rank) {
      err = rename(f->tmp, f->path) ? errno : 0;
      if (!err) SemgOutputSyncDirectoryOf(f->path);
    }
    PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
    PetscCheck(!err, comm, SEMG_ERR_USER, "cannot rename '%s' to '%s': %s", f->tmp, f->path, strerror(err));
    SemgOutputTempForget(f->tmp);
    f->writing = 0;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5Abandon(MPI_Comm comm, SemgH5File *f)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (f->dxpl > 0) H5Pclose(f->dxpl);
  if (f->file > 0) H5Fclose(f->file);
  f->file = f->dxpl = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (f->writing && !rank) (void)unlink(f->tmp);
  if (f->writing) SemgOutputTempForget(f->tmp);
  f->writing = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteAttr(hid_t loc, const char name[], hid_t type, const void *value)
{
  hid_t space, attr;

  PetscFunctionBeginUser;
  SemgCallH5Id(space, H5Screate(H5S_SCALAR));
  if (H5Aexists(loc, name) > 0) SemgCallH5(H5Adelete(loc, name));
  SemgCallH5Id(attr, H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
  SemgCallH5(H5Awrite(attr, type, value));
  SemgCallH5(H5Aclose(attr));
  SemgCallH5(H5Sclose(space));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5WriteAttrString(hid_t loc, const char name[], const char value[])
{
  hid_t type;

  PetscFunctionBeginUser;
  SemgCallH5Id(type, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(type, strlen(value) + 1));
  PetscCall(WriteAttr(loc, name, type, value));
  SemgCallH5(H5Tclose(type));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5WriteAttrDouble(hid_t loc, const char name[], double value)
{
  PetscFunctionBeginUser;
  PetscCall(WriteAttr(loc, name, H5T_NATIVE_DOUBLE, &value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5WriteAttrInt(hid_t loc, const char name[], long long value)
{
  PetscFunctionBeginUser;
  PetscCall(WriteAttr(loc, name, H5T_NATIVE_LLONG, &value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Memory type for a fixed-length string of size bytes: one byte more than the file's, so that a
   null-padded or space-padded string of exactly size characters keeps its last character. */
static PetscErrorCode StringMemType(size_t size, hid_t *mem)
{
  PetscFunctionBeginUser;
  SemgCallH5Id(*mem, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(*mem, size + 1));
  SemgCallH5(H5Tset_strpad(*mem, H5T_STR_NULLTERM));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5ReadAttrString(hid_t loc, const char name[], char value[], size_t len, PetscBool *found)
{
  hid_t  attr, type, mem;
  size_t size;
  char  *buf;

  PetscFunctionBeginUser;
  *found   = PETSC_FALSE;
  value[0] = 0;
  if (H5Aexists(loc, name) <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  SemgCallH5Id(attr, H5Aopen(loc, name, H5P_DEFAULT));
  SemgCallH5Id(type, H5Aget_type(attr));
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) { /* h5py and others write these */
    char *vs = NULL;
    SemgCallH5Id(mem, H5Tcopy(H5T_C_S1));
    SemgCallH5(H5Tset_size(mem, H5T_VARIABLE));
    SemgCallH5(H5Aread(attr, mem, &vs));
    PetscCall(PetscStrncpy(value, vs ? vs : "", len));
    if (vs) H5free_memory(vs);
    SemgCallH5(H5Tclose(mem));
    *found = PETSC_TRUE;
  } else if (H5Tget_class(type) == H5T_STRING) {
    size = H5Tget_size(type);
    PetscCall(PetscCalloc1(size + 1, &buf));
    PetscCall(StringMemType(size, &mem));
    SemgCallH5(H5Aread(attr, mem, buf));
    SemgCallH5(H5Tclose(mem));
    PetscCall(PetscStrncpy(value, buf, len));
    PetscCall(PetscFree(buf));
    *found = PETSC_TRUE;
  }
  SemgCallH5(H5Tclose(type));
  SemgCallH5(H5Aclose(attr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadAttrNumber(hid_t loc, const char name[], hid_t memtype, void *value, PetscBool *found)
{
  hid_t attr, type;

  PetscFunctionBeginUser;
  *found = PETSC_FALSE;
  if (H5Aexists(loc, name) <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  SemgCallH5Id(attr, H5Aopen(loc, name, H5P_DEFAULT));
  SemgCallH5Id(type, H5Aget_type(attr));
  if (H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT) {
    SemgCallH5(H5Aread(attr, memtype, value));
    *found = PETSC_TRUE;
  }
  SemgCallH5(H5Tclose(type));
  SemgCallH5(H5Aclose(attr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5ReadAttrDouble(hid_t loc, const char name[], double *value, PetscBool *found)
{
  PetscFunctionBeginUser;
  PetscCall(ReadAttrNumber(loc, name, H5T_NATIVE_DOUBLE, value, found));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5ReadAttrInt(hid_t loc, const char name[], long long *value, PetscBool *found)
{
  PetscFunctionBeginUser;
  PetscCall(ReadAttrNumber(loc, name, H5T_NATIVE_LLONG, value, found));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Small tables: created collectively, written by rank 0 alone with an independent transfer
   (collective transfers reject the type conversions of compound and string types). The dataset has
   contiguous, early-allocated storage, so an independent write needs no other rank. */
PetscErrorCode SemgH5WriteSmall(SemgH5File *f, hid_t loc, const char name[], int rank, const hsize_t dims[], hid_t memtype, const void *buf, const char units[])
{
  hid_t  space, dset;
  herr_t herr = 0;

  PetscFunctionBeginUser;
  SemgCallH5Id(space, H5Screate_simple(rank, dims, NULL));
  SemgCallH5Id(dset, H5Dcreate2(loc, name, memtype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!f->rank) herr = H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  PetscCall(SemgOutputShareWriteError(f->comm, (PetscBool)(herr < 0), f->path));
  if (units) PetscCall(SemgH5WriteAttrString(dset, "units", units));
  SemgCallH5(H5Dclose(dset));
  SemgCallH5(H5Sclose(space));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5WriteText(SemgH5File *f, hid_t loc, const char name[], const char text[])
{
  hid_t   type;
  hsize_t one = 1;

  PetscFunctionBeginUser;
  SemgCallH5Id(type, H5Tcopy(H5T_C_S1));
  SemgCallH5(H5Tset_size(type, strlen(text) + 1));
  PetscCall(SemgH5WriteSmall(f, loc, name, 1, &one, type, text, NULL));
  SemgCallH5(H5Tclose(type));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5ReadText(hid_t loc, const char name[], char **text)
{
  hid_t  dset, type, mem;
  size_t size;

  PetscFunctionBeginUser;
  *text = NULL;
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  SemgCallH5Id(dset, H5Dopen2(loc, name, H5P_DEFAULT));
  SemgCallH5Id(type, H5Dget_type(dset));
  PetscCheck(H5Tget_class(type) == H5T_STRING && H5Sget_simple_extent_npoints(H5Dget_space(dset)) == 1, PETSC_COMM_SELF, SEMG_ERR_USER, "dataset %s is not a single string", name);
  if (H5Tis_variable_str(type) > 0) {
    char *vs = NULL;
    SemgCallH5Id(mem, H5Tcopy(H5T_C_S1));
    SemgCallH5(H5Tset_size(mem, H5T_VARIABLE));
    SemgCallH5(H5Dread(dset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, &vs));
    PetscCall(PetscStrallocpy(vs ? vs : "", text));
    if (vs) H5free_memory(vs);
  } else {
    size = H5Tget_size(type);
    PetscCall(PetscCalloc1(size + 2, text));
    PetscCall(StringMemType(size, &mem));
    SemgCallH5(H5Dread(dset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, *text));
  }
  SemgCallH5(H5Tclose(mem));
  SemgCallH5(H5Tclose(type));
  SemgCallH5(H5Dclose(dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5DatasetShape(hid_t loc, const char name[], int *ndims, hsize_t dims[], int maxdims)
{
  hid_t dset, space;

  PetscFunctionBeginUser;
  *ndims = -1;
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  SemgCallH5Id(dset, H5Dopen2(loc, name, H5P_DEFAULT));
  SemgCallH5Id(space, H5Dget_space(dset));
  *ndims = H5Sget_simple_extent_ndims(space);
  if (*ndims > maxdims) *ndims = maxdims + 1; /* caller rejects: more axes than expected */
  else SemgCallH5(H5Sget_simple_extent_dims(space, dims, NULL));
  SemgCallH5(H5Sclose(space));
  SemgCallH5(H5Dclose(dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Disk space for a rows dataset of a file being written, reserved before any rank writes to it (see
   SemgOutputReserve): the file's name and communicator come from its HDF5 handle. */
static PetscErrorCode ReserveRows(hid_t loc, int rank, const hsize_t dims[])
{
  char     tmp[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  hid_t    fapl, file;
  MPI_Comm comm  = MPI_COMM_NULL;
  MPI_Info info  = MPI_INFO_NULL;
  size_t   bytes = sizeof(double);

  PetscFunctionBeginUser;
  if (H5Fget_name(loc, tmp, sizeof(tmp)) <= 0 || !SemgStringEndsWith(tmp, ".tmp")) PetscFunctionReturn(PETSC_SUCCESS);
  for (int i = 0; i < rank; i++) bytes *= (size_t)dims[i];
  PetscCall(PetscStrncpy(path, tmp, sizeof(path)));
  path[strlen(path) - 4] = 0;
  SemgCallH5Id(file, H5Iget_file_id(loc));
  SemgCallH5Id(fapl, H5Fget_access_plist(file));
  if (H5Pget_driver(fapl) == H5FD_MPIO) SemgCallH5(H5Pget_fapl_mpio(fapl, &comm, &info));
  SemgCallH5(H5Pclose(fapl));
  SemgCallH5(H5Fclose(file)); /* the reference H5Iget_file_id took */
  PetscCall(SemgOutputReserve(comm == MPI_COMM_NULL ? PETSC_COMM_SELF : comm, tmp, path, bytes));
  if (comm != MPI_COMM_NULL) PetscCallMPI(MPI_Comm_free(&comm));
  if (info != MPI_INFO_NULL) PetscCallMPI(MPI_Info_free(&info));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Chunks along the example axis of about 1 MiB: whole rows, read and written whole. */
PetscErrorCode SemgH5CreateRows(hid_t loc, const char name[], int rank, const hsize_t dims[], const char units[], hid_t *dset)
{
  PetscFunctionBeginUser;
  PetscCall(SemgH5CreateRowsOfType(loc, name, rank, dims, H5T_NATIVE_DOUBLE, units, dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5CreateRowsOfType(hid_t loc, const char name[], int rank, const hsize_t dims[], hid_t type, const char units[], hid_t *dset)
{
  hid_t   space, dcpl;
  hsize_t chunk[4], row = 1;

  PetscFunctionBeginUser;
  PetscCheck(rank >= 1 && rank <= 4, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "rank %d", rank);
  for (int i = 1; i < rank; i++) row *= dims[i], chunk[i] = dims[i];
  chunk[0] = PetscMax(1, PetscMin(dims[0], (hsize_t)(1 << 17) / PetscMax(row, 1)));
  SemgCallH5Id(space, H5Screate_simple(rank, dims, NULL));
  SemgCallH5Id(dcpl, H5Pcreate(H5P_DATASET_CREATE));
  if (dims[0] > 0 && row > 0) SemgCallH5(H5Pset_chunk(dcpl, rank, chunk));
  /* every rank writes (or selects nothing) collectively: storage must exist before the first write */
  SemgCallH5(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY));
  SemgCallH5(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER));
  SemgCallH5Id(*dset, H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  PetscCall(ReserveRows(loc, rank, dims));
  if (units) PetscCall(SemgH5WriteAttrString(*dset, "units", units));
  SemgCallH5(H5Pclose(dcpl));
  SemgCallH5(H5Sclose(space));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode RowSelection(hid_t dset, hsize_t start, hsize_t n, hid_t *fspace, hid_t *mspace)
{
  hsize_t dims[4], off[4] = {0, 0, 0, 0}, cnt[4], total = 1;
  int     rank;

  PetscFunctionBeginUser;
  SemgCallH5Id(*fspace, H5Dget_space(dset));
  rank = H5Sget_simple_extent_ndims(*fspace);
  PetscCheck(rank >= 1 && rank <= 4, PETSC_COMM_SELF, SEMG_ERR_USER, "dataset has %d axes, expected 1 to 4", rank);
  SemgCallH5(H5Sget_simple_extent_dims(*fspace, dims, NULL));
  PetscCheck(start + n <= dims[0], PETSC_COMM_SELF, SEMG_ERR_USER, "rows [%llu, %llu) beyond dataset length %llu", (unsigned long long)start, (unsigned long long)(start + n), (unsigned long long)dims[0]);
  off[0] = start;
  cnt[0] = n;
  for (int i = 1; i < rank; i++) cnt[i] = dims[i], total *= dims[i];
  total *= n;
  if (n) {
    SemgCallH5(H5Sselect_hyperslab(*fspace, H5S_SELECT_SET, off, NULL, cnt, NULL));
    SemgCallH5Id(*mspace, H5Screate_simple(1, &total, NULL));
  } else {
    hsize_t one = 1;
    SemgCallH5(H5Sselect_none(*fspace));
    SemgCallH5Id(*mspace, H5Screate_simple(1, &one, NULL));
    SemgCallH5(H5Sselect_none(*mspace));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5WriteRows(SemgH5File *f, hid_t dset, hsize_t start, hsize_t n, const double *buf)
{
  hid_t  fspace = -1, mspace;
  double dummy  = 0;

  PetscFunctionBeginUser;
  if (H5Dget_storage_size(dset) == 0 && H5Sget_simple_extent_npoints(fspace = H5Dget_space(dset)) == 0) {
    SemgCallH5(H5Sclose(fspace)); /* an empty dataset (e.g. no ground-truth columns) has no storage to write */
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (fspace > 0) SemgCallH5(H5Sclose(fspace));
  PetscCall(RowSelection(dset, start, n, &fspace, &mspace));
  PetscCall(SemgOutputShareWriteError(f->comm, (PetscBool)(H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, fspace, f->dxpl, n ? buf : &dummy) < 0), f->path));
  SemgCallH5(H5Sclose(mspace));
  SemgCallH5(H5Sclose(fspace));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* An unfiltered dataset must store every element it declares: a corrupt header (found by fuzz_dataset:
   chunked, early allocation, storage 0) otherwise makes libhdf5 read past its own buffers. Filtered
   (compressed) datasets may legitimately store less and are left to HDF5. */
static PetscErrorCode CheckStored(hid_t dset, hid_t fspace, const char name[])
{
  hid_t    dcpl, type;
  hssize_t npoints = H5Sget_simple_extent_npoints(fspace);
  int      nfilters;
  size_t   esize;
  hsize_t  stored;

  PetscFunctionBeginUser;
  SemgCallH5Id(dcpl, H5Dget_create_plist(dset));
  nfilters = H5Pget_nfilters(dcpl);
  SemgCallH5(H5Pclose(dcpl));
  if (nfilters != 0) PetscFunctionReturn(PETSC_SUCCESS);
  SemgCallH5Id(type, H5Dget_type(dset));
  esize = H5Tget_size(type);
  SemgCallH5(H5Tclose(type));
  stored = H5Dget_storage_size(dset);
  PetscCheck(npoints >= 0 && stored >= (hsize_t)npoints * esize, PETSC_COMM_SELF, SEMG_ERR_USER, "dataset %s is truncated or corrupt: it stores %llu of its %llu bytes", name, (unsigned long long)stored, (unsigned long long)((hsize_t)npoints * esize));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgH5ReadRows(SemgH5File *f, hid_t loc, const char name[], hsize_t start, hsize_t n, double *buf)
{
  hid_t  dset, fspace, mspace;
  double dummy;

  PetscFunctionBeginUser;
  SemgCallH5Id(dset, H5Dopen2(loc, name, H5P_DEFAULT));
  SemgCallH5Id(fspace, H5Dget_space(dset));
  if (H5Sget_simple_extent_npoints(fspace) == 0) {
    SemgCallH5(H5Sclose(fspace));
    SemgCallH5(H5Dclose(dset));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(CheckStored(dset, fspace, name));
  SemgCallH5(H5Sclose(fspace));
  PetscCall(RowSelection(dset, start, n, &fspace, &mspace));
  SemgCallH5(H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, f->dxpl, n ? buf : &dummy));
  SemgCallH5(H5Sclose(mspace));
  SemgCallH5(H5Sclose(fspace));
  SemgCallH5(H5Dclose(dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Values that differ between ranks (time, host) are taken from rank 0. */
PetscErrorCode SemgH5WriteProvenance(MPI_Comm comm, SemgH5File *f, hid_t loc)
{
  char        created[64] = "", host[256] = "", build[512];
  char       *opts;
  PetscMPIInt size, rank;
  const char *job = getenv("SLURM_JOB_ID"), *task = getenv("SLURM_ARRAY_TASK_ID");
  int         major, minor, sub;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    time_t    now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    gethostname(host, sizeof(host) - 1);
  }
  PetscCallMPI(MPI_Bcast(created, sizeof(created), MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(host, sizeof(host), MPI_CHAR, 0, comm));
  H5get_libversion((unsigned *)&major, (unsigned *)&minor, (unsigned *)&sub);
  PetscCall(PetscSNPrintf(build, sizeof(build), "%s %s; PETSc %d.%d.%d; HDF5 %d.%d.%d; MPI %d.%d", SEMG_C_COMPILER, SEMG_BUILD_TYPE, PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR, major, minor, sub, MPI_VERSION, MPI_SUBVERSION));
  PetscCall(SemgH5WriteAttrString(loc, "software_name", "semg"));
  PetscCall(SemgH5WriteAttrString(loc, "software_version", SEMG_VERSION_STRING));
  PetscCall(SemgH5WriteAttrString(loc, "git_sha", SEMG_GIT_SHA));
  PetscCall(SemgH5WriteAttrString(loc, "build_config", build));
  PetscCall(SemgH5WriteAttrString(loc, "command", SemgCommandName()));
  PetscCall(SemgH5WriteAttrInt(loc, "n_ranks", size));
  PetscCall(SemgH5WriteAttrString(loc, "created_utc", created));
  PetscCall(SemgH5WriteAttrString(loc, "host", host));
  PetscCall(SemgH5WriteAttrString(loc, "slurm_job_id", job ? job : ""));
  PetscCall(SemgH5WriteAttrString(loc, "slurm_array_task_id", task ? task : ""));
  PetscCall(SemgOptionsString(&opts));
  PetscCall(SemgH5WriteAttrString(loc, "petsc_options", strlen(opts) < 60000 ? opts : "(see /provenance/options)"));
  {
    hid_t grp;
    if (H5Lexists(f->file, "/provenance", H5P_DEFAULT) <= 0) {
      SemgCallH5Id(grp, H5Gcreate2(f->file, "/provenance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    } else SemgCallH5Id(grp, H5Gopen2(f->file, "/provenance", H5P_DEFAULT));
    if (H5Lexists(grp, "options", H5P_DEFAULT) <= 0) PetscCall(SemgH5WriteText(f, grp, "options", opts));
    SemgCallH5(H5Gclose(grp));
  }
  PetscCall(PetscFree(opts));
  PetscFunctionReturn(PETSC_SUCCESS);
}
