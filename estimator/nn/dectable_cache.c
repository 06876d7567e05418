/* HDF5 cache of decoder tables: DIR/dectable-KEY.h5 holds the B-spline coefficients, the layout, the
   key (hash of template, model, geometry and grid) and the accuracy measured when it was built. A file
   is used only when its key, version and shape equal the wanted table's; anything else is rebuilt. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "estimator/nn/dectable_build.h"

static PetscErrorCode CachePath(SemgDecTable tab, char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "%s/dectable-%016llx.h5", tab->opt.cache, (unsigned long long)tab->key));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Whether the open file describes exactly this table (key and shape). */
static PetscErrorCode CacheMatches(hid_t file, SemgDecTable tab, PetscBool *ok)
{
  char      key[32], want[32];
  long long v[6];
  PetscBool f[7];
  int       nd;
  hsize_t   dims[2];
  double    err, sec;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(want, sizeof(want), "%016llx", (unsigned long long)tab->key));
  PetscCall(SemgH5ReadAttrString(file, "key", key, sizeof(key), &f[0]));
  PetscCall(SemgH5ReadAttrInt(file, "nrow", &v[0], &f[1]));
  PetscCall(SemgH5ReadAttrInt(file, "n_a", &v[1], &f[2]));
  PetscCall(SemgH5ReadAttrInt(file, "n_v", &v[2], &f[3]));
  PetscCall(SemgH5ReadAttrInt(file, "n_depth", &v[3], &f[4]));
  PetscCall(SemgH5ReadAttrDouble(file, "max_rel_error", &err, &f[5]));
  PetscCall(SemgH5ReadAttrDouble(file, "build_seconds", &sec, &f[6]));
  PetscCall(SemgH5DatasetShape(file, "coef", &nd, dims, 2));
  *ok = (PetscBool)(f[0] && f[1] && f[2] && f[3] && f[4] && f[5] && f[6] && !strcmp(key, want) && v[0] == tab->nrow && v[1] == tab->n[0] &&
                    v[2] == tab->n[1] && v[3] == tab->n[2] && nd == 1 && dims[0] == (hsize_t)(tab->row_size * tab->nrow));
  if (*ok) tab->err_max = err, tab->build_seconds = sec;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableCacheLoad(MPI_Comm comm, SemgDecTable tab, PetscBool *found)
{
  char        path[PETSC_MAX_PATH_LEN];
  SemgH5File  f;
  PetscBool   ok = PETSC_FALSE;
  PetscMPIInt all;
  hid_t       dset;

  PetscFunctionBeginUser;
  *found = PETSC_FALSE;
  PetscCall(CachePath(tab, path, sizeof(path)));
  if (access(path, R_OK)) PetscFunctionReturn(PETSC_SUCCESS);
  if (H5Fis_hdf5(path) <= 0) {
    PetscCall(PetscPrintf(comm, "decoder table cache '%s' is not an HDF5 file: rebuilding it\n", path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(SemgH5Open(PETSC_COMM_SELF, "-dec_table_cache", path, &f));
  PetscCall(CacheMatches(f.file, tab, &ok));
  if (ok) {
    PetscCall(PetscMalloc1(tab->row_size * tab->nrow, &tab->c));
    SemgCallH5Id(dset, H5Dopen2(f.file, "coef", H5P_DEFAULT));
    SemgCallH5(H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tab->c));
    SemgCallH5(H5Dclose(dset));
  }
  PetscCall(SemgH5Close(PETSC_COMM_SELF, &f));
  all = (PetscMPIInt)ok;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &all, 1, MPI_INT, MPI_LAND, comm));
  if (!all) {
    PetscCall(PetscFree(tab->c));
    PetscCall(PetscPrintf(comm, "decoder table cache '%s' was built for another template, model, geometry or grid: not used, rebuilding it\n", path));
  }
  *found = (PetscBool)all;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableCacheSave(MPI_Comm comm, SemgDecTable tab)
{
  char        path[PETSC_MAX_PATH_LEN], final[PETSC_MAX_PATH_LEN], key[32];
  PetscMPIInt rank;
  SemgH5File  f;
  hsize_t     n = tab->row_size * tab->nrow, nr = tab->nrow;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && mkdir(tab->opt.cache, 0777) && errno != EEXIST) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, SEMG_ERR_USER, "-dec_table_cache '%s': cannot create the directory (%s)", tab->opt.cache, strerror(err));
  PetscCall(CachePath(tab, final, sizeof(final)));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s.%d", final, (int)getpid()));
  if (!rank) {
    /* Written under a name of this process (NAME.PID.tmp, then NAME.PID) and renamed onto NAME: steps of a
       study that build the same table at the same time never share a temporary (HDF5 refuses to create a
       file another process holds, and a truncated shared one would be corrupt); the last rename wins
       and every version of NAME a reader can open is complete. */
    PetscCall(PetscSNPrintf(key, sizeof(key), "%016llx", (unsigned long long)tab->key));
    PetscCall(SemgH5CreateAtomic(PETSC_COMM_SELF, path, &f));
    PetscCall(SemgH5WriteAttrString(f.file, "key", key));
    PetscCall(SemgH5WriteAttrString(f.file, "model", SemgDecModels[tab->opt.model]));
    PetscCall(SemgH5WriteAttrInt(f.file, "nrow", tab->nrow));
    PetscCall(SemgH5WriteAttrInt(f.file, "n_a", tab->n[0]));
    PetscCall(SemgH5WriteAttrInt(f.file, "n_v", tab->n[1]));
    PetscCall(SemgH5WriteAttrInt(f.file, "n_depth", tab->n[2]));
    PetscCall(SemgH5WriteAttrInt(f.file, "n_times", tab->nt));
    PetscCall(SemgH5WriteAttrDouble(f.file, "max_rel_error", tab->err_max));
    PetscCall(SemgH5WriteAttrInt(f.file, "checks", tab->opt.checks));
    PetscCall(SemgH5WriteAttrDouble(f.file, "build_seconds", tab->build_seconds));
    PetscCall(SemgH5WriteSmall(&f, f.file, "coef", 1, &n, H5T_NATIVE_DOUBLE, tab->c, NULL));
    PetscCall(SemgH5WriteSmall(&f, f.file, "row_a0", 1, &nr, H5T_NATIVE_DOUBLE, tab->row_alo, "m"));
    PetscCall(SemgH5Close(PETSC_COMM_SELF, &f));
    if (rename(path, final)) err = errno;
    if (err) (void)unlink(path);
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, SEMG_ERR_USER, "-dec_table_cache: cannot rename '%s' onto '%s' (%s)", path, final, strerror(err));
  PetscFunctionReturn(PETSC_SUCCESS);
}
