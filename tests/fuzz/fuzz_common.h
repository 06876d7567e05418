/* Shared by the libFuzzer targets (docs/reliability.md, "Fuzzing"): PETSc/MPI started once, errors
   returned silently (a rejected input is the expected outcome; a crash, hang, sanitizer report or
   abort is a finding), and the input bytes written to a scratch file that the readers open by name. */
#ifndef SEMG_FUZZ_COMMON_H
#define SEMG_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <petscsys.h>
#include <hdf5.h>

static char fuzz_path[128];

static void FuzzSetUp(const char *ext)
{
  static int done = 0;
  if (done) return;
  done = 1;
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if (PetscInitializeNoArguments()) abort();
  PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
  snprintf(fuzz_path, sizeof(fuzz_path), "/tmp/semg-fuzz-%d%s", (int)getpid(), ext);
}

static void FuzzWriteFile(const uint8_t *data, size_t size)
{
  FILE *fp = fopen(fuzz_path, "wb");
  if (!fp) abort();
  if (size && fwrite(data, 1, size, fp) != size) abort();
  fclose(fp);
}

#endif
