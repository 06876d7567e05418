/* One pass/fail line per check for the volume-conductor test programs; main returns nfail != 0.
   Header-only: each test is a single translation unit with its own counter. */
#ifndef SEMG_TESTS_VC_EXPECT_H
#define SEMG_TESTS_VC_EXPECT_H

#include <petscsys.h>
#include "core/semg_error.h"

static PetscInt nfail = 0;

static PetscErrorCode Expect(const char *what, PetscBool ok)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-100s %s\n", what, ok ? "ok" : "FAIL"));
  if (!ok) nfail++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

#endif
