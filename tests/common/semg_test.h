/* Checks of the C test programs: one line per check (what, values, ok or FAIL) printed on rank 0, and a
   failure count for main's exit code. Header-only: each test program is one translation unit with its own
   counter. Use it rather than a check function of the test's own. */
#ifndef SEMG_TESTS_COMMON_SEMG_TEST_H
#define SEMG_TESTS_COMMON_SEMG_TEST_H

#include <petscsys.h>
#include "core/semg_error.h"

static PetscInt semg_test_nfail = 0;

/* A condition. */
static inline PetscErrorCode Expect(const char *what, PetscBool ok)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-100s %s\n", what, ok ? "ok" : "FAIL"));
  if (!ok) semg_test_nfail++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* |got - want| <= tol (absolute). */
static inline PetscErrorCode ExpectNear(const char *what, PetscReal got, PetscReal want, PetscReal tol)
{
  PetscBool ok = (PetscBool)(PetscAbsReal(got - want) <= tol);

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-48s got % .12e want % .12e (tol %.1e) %s\n", what, (double)got, (double)want, (double)tol, ok ? "ok" : "FAIL"));
  if (!ok) semg_test_nfail++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* |got - want| <= tol * max(|want|, scale) (relative, with a floor for values near zero). */
static inline PetscErrorCode ExpectClose(const char *what, PetscReal got, PetscReal want, PetscReal tol, PetscReal scale)
{
  PetscFunctionBeginUser;
  PetscCall(ExpectNear(what, got, want, tol * PetscMax(PetscAbsReal(want), scale)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ierr is the user error SEMG_ERR_USER (bad input rejected, not a crash). */
static inline PetscErrorCode ExpectUserError(const char *what, PetscErrorCode ierr)
{
  char msg[200];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: user error (code %d)", what, (int)ierr));
  PetscCall(Expect(msg, (PetscBool)(ierr == SEMG_ERR_USER)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The closing line "PASS: 0 failures" or "FAIL: n failures". */
static inline PetscErrorCode SemgTestReport(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %d failures\n", semg_test_nfail ? "FAIL" : "PASS", (int)semg_test_nfail));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Failures so far (main: return SemgTestFailures() ? 1 : 0). */
static inline PetscInt SemgTestFailures(void)
{
  return semg_test_nfail;
}

#endif
