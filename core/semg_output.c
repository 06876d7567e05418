#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include "core/semg_error.h"
#include "core/semg_input.h"
#include "core/semg_output.h"

static void DirectoryOf(const char path[], char dir[], size_t len)
{
  const char *slash = strrchr(path, '/');

  if (!slash) snprintf(dir, len, ".");
  else if (slash == path) snprintf(dir, len, "/");
  else snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Rank 0 looks at the file system, every rank gets the same verdict. */
PetscErrorCode SemgOutputCheckPath(MPI_Comm comm, const char option[], const char path[])
{
  PetscMPIInt rank;
  char        dir[PETSC_MAX_PATH_LEN], msg[700] = "";
  struct stat st;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(path && path[0], comm, SEMG_ERR_USER, "option %s: empty output path", option);
  if (!rank) {
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    DirectoryOf(path, dir, sizeof(dir));
    if (strlen(path) + 5 >= PETSC_MAX_PATH_LEN)
      snprintf(msg, sizeof(msg), "option %s: the path '%.60s...' is longer than %d characters", option, path, PETSC_MAX_PATH_LEN - 5);
    else if (strlen(base) + 4 > NAME_MAX)
      snprintf(msg, sizeof(msg), "option %s: cannot write '%.300s': file name longer than %d characters (with .tmp)", option, path, NAME_MAX);
    else if (stat(dir, &st) || !S_ISDIR(st.st_mode))
      snprintf(msg, sizeof(msg), "option %s: cannot write '%s': directory does not exist", option, path);
    else if (access(dir, W_OK)) snprintf(msg, sizeof(msg), "option %s: cannot write '%s': directory is not writable", option, path);
    else if (!stat(path, &st) && S_ISDIR(st.st_mode)) snprintf(msg, sizeof(msg), "option %s: cannot write '%s': it is a directory", option, path);
    else if (!lstat(path, &st) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
      snprintf(msg, sizeof(msg), "option %s: cannot write '%s': it exists and is not a regular file", option, path);
    else (void)SemgFileIdentityAdd('o', option, path, msg, sizeof(msg));
  }
  PetscCallMPI(MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, 0, comm));
  PetscCheck(!msg[0], comm, SEMG_ERR_USER, "%s", msg);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- temporary files ---------------------------------------------------------------------------- */

typedef struct {
  char   tmp[PETSC_MAX_PATH_LEN];
  hid_t  h5;
  FILE  *fp;
  size_t reserved; /* bytes reserved by SemgOutputReserve */
} SemgTemp;

#define SEMG_MAX_TEMPS 32
static SemgTemp semg_temps[SEMG_MAX_TEMPS];
static int      semg_ntemps = 0;

static SemgTemp *FindTemp(const char tmp[])
{
  for (int i = 0; i < semg_ntemps; i++)
    if (!strcmp(semg_temps[i].tmp, tmp)) return &semg_temps[i];
  return NULL;
}

void SemgOutputTempAdd(const char tmp[], hid_t h5, FILE *fp)
{
  SemgTemp *t = FindTemp(tmp);

  if (t) { /* re-registered (closed, still to be renamed): keep what was reserved */
    t->h5 = h5;
    t->fp = fp;
    return;
  }
  if (semg_ntemps == SEMG_MAX_TEMPS) return;
  snprintf(semg_temps[semg_ntemps].tmp, sizeof(semg_temps[semg_ntemps].tmp), "%s", tmp);
  semg_temps[semg_ntemps].h5       = h5;
  semg_temps[semg_ntemps].fp       = fp;
  semg_temps[semg_ntemps].reserved = 0;
  semg_ntemps++;
}

void SemgOutputTempForget(const char tmp[])
{
  for (int i = 0; i < semg_ntemps; i++)
    if (!strcmp(semg_temps[i].tmp, tmp)) {
      semg_temps[i] = semg_temps[--semg_ntemps];
      return;
    }
}

void SemgOutputRemoveTemps(PetscBool close_h5)
{
  /* HDF5 files still open after a failure are left open on purpose: closing a file whose write
     failed crashes HDF5 1.10 (H5F__close_cb), and HDF5's exit handler, which would close them after
     MPI_Finalize and abort, is switched off (H5dont_atexit in SemgPreInitialize). */
  (void)close_h5;
  for (int i = 0; i < semg_ntemps; i++) {
    if (semg_temps[i].fp) fclose(semg_temps[i].fp);
    (void)unlink(semg_temps[i].tmp); /* every rank: ENOENT on all but the first is harmless */
  }
  semg_ntemps = 0;
}

PetscErrorCode SemgOutputReserve(MPI_Comm comm, const char tmp[], const char path[], size_t bytes)
{
  PetscMPIInt rank;
  SemgTemp   *t   = FindTemp(tmp);
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (t) t->reserved += bytes;
  if (!rank && t) {
    int fd = open(tmp, O_WRONLY);
    err    = fd < 0 ? errno : posix_fallocate(fd, 0, (off_t)(t->reserved + (1u << 20)));
    if (err == EOPNOTSUPP || err == EINVAL) err = 0; /* a file system without fallocate: no reservation */
    if (fd >= 0) close(fd);
  }
  errno = err;
  PetscCall(SemgOutputShareWriteError(comm, (PetscBool)(err != 0), path));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- write failures ----------------------------------------------------------------------------- */

void SemgOutputWriteFailure(const char path[], int err, char reason[], size_t len)
{
  char           dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  struct statvfs vfs;
  struct rlimit  rl;
  struct stat    st;

  DirectoryOf(path, dir, sizeof(dir));
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  if (err == ENOSPC || (!statvfs(dir, &vfs) && vfs.f_bavail * (unsigned long long)vfs.f_bsize < (1ull << 20)))
    snprintf(reason, len, "no space left on device");
  else if (err == EFBIG || (!getrlimit(RLIMIT_FSIZE, &rl) && rl.rlim_cur != RLIM_INFINITY && !stat(tmp, &st) &&
                            (unsigned long long)st.st_size + (1ull << 20) > (unsigned long long)rl.rlim_cur))
    snprintf(reason, len, "file size limit reached (ulimit -f)");
  else if (err == EDQUOT) snprintf(reason, len, "disk quota exceeded");
  else if (err) snprintf(reason, len, "%s", strerror(err));
  else snprintf(reason, len, "write error (disk full or I/O error)");
}

PetscErrorCode SemgOutputShareWriteError(MPI_Comm comm, PetscBool failed, const char path[])
{
  char reason[128] = "";

  PetscFunctionBeginUser;
  if (failed) SemgOutputWriteFailure(path, errno, reason, sizeof(reason));
  PetscCall(SemgCheckAllRanks(comm, (PetscBool)!failed, "cannot write '%s': %s", path, reason));
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SemgOutputSyncDirectoryOf(const char path[])
{
  char dir[PETSC_MAX_PATH_LEN];
  int  fd;

  DirectoryOf(path, dir, sizeof(dir));
  fd = open(dir, O_RDONLY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
}
