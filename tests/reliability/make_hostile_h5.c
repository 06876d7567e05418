/* Writes the malformed HDF5 files of the hostile-input matrix (tests/reliability/hostile.sh) from a
   good dataset and a good model, as other tools or a damaged disk would leave them:
     strdata.h5   /emg/data stored as strings (right name, wrong type)
     shape.h5     /emg/data with two axes instead of three
     vlen.h5      the schema attributes as variable-length strings (h5py's default)
     nullpad.h5   the schema attributes as null-padded strings without a terminator (MATLAB, Fortran)
     nanmodel.h5  the model with a NaN parameter
   Usage: make_hostile_h5 DIR DATASET MODEL (the outputs go to DIR). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>

static int Copy(const char *from, const char *to)
{
  char cmd[4096];
  snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
  return system(cmd);
}

static hid_t OpenRW(const char *dir, const char *name, const char *from)
{
  char path[2048];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (Copy(from, path)) return -1;
  return H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
}

static int ReplaceData(hid_t f, hid_t type, int rank, const hsize_t *dims, const void *buf)
{
  hid_t space, dset;
  if (H5Ldelete(f, "/emg/data", H5P_DEFAULT) < 0) return 1;
  space = H5Screate_simple(rank, dims, NULL);
  dset  = H5Dcreate2(f, "/emg/data", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (dset < 0 || H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) return 1;
  { /* the attribute the reader checks first, so that the type itself is what it meets */
    hid_t s1 = H5Screate(H5S_SCALAR), t = H5Tcopy(H5T_C_S1), a;
    H5Tset_size(t, 5);
    a = H5Acreate2(dset, "units", t, s1, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, "a.u.");
    H5Aclose(a), H5Tclose(t), H5Sclose(s1);
  }
  H5Dclose(dset);
  H5Sclose(space);
  return 0;
}

/* Rewrite a string attribute with the given string type. */
static int RewriteString(hid_t loc, const char *name, int vlen, int nullpad)
{
  char   value[512] = "";
  hid_t  attr = H5Aopen(loc, name, H5P_DEFAULT), ftype = H5Aget_type(attr), mem = H5Tcopy(H5T_C_S1), type, space;
  size_t n;
  H5Tset_size(mem, H5Tget_size(ftype) + 1);
  if (H5Aread(attr, mem, value) < 0) return 1;
  H5Aclose(attr);
  H5Adelete(loc, name);
  n     = strlen(value);
  type  = H5Tcopy(H5T_C_S1);
  space = H5Screate(H5S_SCALAR);
  if (vlen) {
    const char *p = value;
    H5Tset_size(type, H5T_VARIABLE);
    attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (H5Awrite(attr, type, &p) < 0) return 1;
  } else {
    H5Tset_size(type, n); /* exactly the characters, no terminator */
    if (nullpad) H5Tset_strpad(type, H5T_STR_NULLPAD);
    attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (H5Awrite(attr, type, value) < 0) return 1;
  }
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  H5Tclose(mem);
  H5Tclose(ftype);
  return 0;
}

int main(int argc, char **argv)
{
  hid_t   f, d, space, str;
  hsize_t dims[3];
  int     err = 0;

  if (argc != 4) {
    fprintf(stderr, "usage: make_hostile_h5 DIR DATASET MODEL\n");
    return 2;
  }
  /* data dims from the good file */
  f     = H5Fopen(argv[2], H5F_ACC_RDONLY, H5P_DEFAULT);
  d     = H5Dopen2(f, "/emg/data", H5P_DEFAULT);
  space = H5Dget_space(d);
  if (f < 0 || H5Sget_simple_extent_ndims(space) != 3) return 1;
  H5Sget_simple_extent_dims(space, dims, NULL);
  H5Sclose(space), H5Dclose(d), H5Fclose(f);
  {
    size_t  n   = (size_t)(dims[0] * dims[1] * dims[2]);
    char   *txt = calloc(n, 8);
    double *x   = calloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++) memcpy(txt + 8 * i, "0.001", 6);
    str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 8);
    f = OpenRW(argv[1], "strdata.h5", argv[2]);
    err |= f < 0 || ReplaceData(f, str, 3, dims, txt);
    H5Fclose(f);
    f = OpenRW(argv[1], "shape.h5", argv[2]);
    err |= f < 0 || ReplaceData(f, H5T_NATIVE_DOUBLE, 2, dims, x);
    H5Fclose(f);
    free(txt), free(x);
  }
  f = OpenRW(argv[1], "vlen.h5", argv[2]);
  err |= f < 0 || RewriteString(f, "schema_name", 1, 0) || RewriteString(f, "software_name", 1, 0);
  H5Fclose(f);
  f = OpenRW(argv[1], "nullpad.h5", argv[2]);
  err |= f < 0 || RewriteString(f, "schema_name", 0, 1) || RewriteString(f, "software_name", 0, 1);
  H5Fclose(f);
  f = OpenRW(argv[1], "nanmodel.h5", argv[3]);
  if (f < 0) return 1;
  {
    hid_t   p = H5Dopen2(f, "/params", H5P_DEFAULT), fs = H5Dget_space(p), ms;
    hsize_t one = 1, at = 3;
    double  nan = NAN;
    ms          = H5Screate_simple(1, &one, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL);
    err |= H5Dwrite(p, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &nan) < 0;
    H5Sclose(ms), H5Sclose(fs), H5Dclose(p);
  }
  H5Fclose(f);
  if (err) fprintf(stderr, "make_hostile_h5: failed\n");
  return err;
}
