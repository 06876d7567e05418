/* The output-safety layer: every file semg writes goes through here.
   - Output paths are checked before any work: the directory exists and is writable, the name is not
     a directory, FIFO or device, NAME.tmp fits in the file-name limit, and the output is not an input
     of the run or another output of it (device + inode, see semg_input.h).
   - Each file is written as NAME.tmp and renamed to NAME when complete. Every temporary file is
     registered while it exists; when a command fails for any reason, SemgOutputRemoveTemps (called
     from SemgExitCode on every rank) closes and deletes them: no leftovers, and a full disk is not
     kept full.
   - A failed write (full disk, file-size limit, I/O error) is a user error naming the output and the
     reason, raised on every rank together (no hang, no MPI abort banner). */
#ifndef SEMG_OUTPUT_H
#define SEMG_OUTPUT_H

#include <stdio.h>
#include <hdf5.h>
#include <petscsys.h>

PETSC_EXTERN PetscErrorCode SemgOutputCheckPath(MPI_Comm comm, const char option[], const char path[]);

/* Temporary files: register when created (h5 >= 0 for an HDF5 file, fp for a stdio stream, either
   may be absent), forget once renamed or removed. */
PETSC_EXTERN void SemgOutputTempAdd(const char tmp[], hid_t h5, FILE *fp);
PETSC_EXTERN void SemgOutputTempForget(const char tmp[]);
/* collective: close (HDF5 files only when close_h5, i.e. every rank is here) and delete every temp */
PETSC_EXTERN void SemgOutputRemoveTemps(PetscBool close_h5);

/* Collective: reserve disk space for bytes more of the temporary file tmp (rank 0 extends it with
   posix_fallocate to everything reserved so far plus 1 MiB for metadata). A full disk or file-size
   limit then fails here, on every rank together, instead of in the middle of a collective HDF5 write,
   where HDF5 lets the ranks diverge and hang. */
PETSC_EXTERN PetscErrorCode SemgOutputReserve(MPI_Comm comm, const char tmp[], const char path[], size_t bytes);

/* Why writing path failed: "no space left on device", "file size limit (ulimit -f) reached" ... */
PETSC_EXTERN void SemgOutputWriteFailure(const char path[], int err, char reason[], size_t len);
/* Collective: if failed on any rank, every rank raises "cannot write 'path': reason". */
PETSC_EXTERN PetscErrorCode SemgOutputShareWriteError(MPI_Comm comm, PetscBool failed, const char path[]);

/* Make a rename durable (fsync of the directory). */
PETSC_EXTERN void SemgOutputSyncDirectoryOf(const char path[]);

#endif
