/* Central-difference gradient check shared by the nn tests (spec estimator.md 3.5):
   h_i = rel_h * max(1, |w_i|); every component must pass |g_fd - g_an| <= 1e-6 + 1e-5 max(|g_fd|, |g_an|),
   and the relative error ||g_fd - g_an||_2 / ||g_an||_2 must be below the caller's limit (1e-6). */
#ifndef SEMG_TEST_GRADCHECK_H
#define SEMG_TEST_GRADCHECK_H

#include <math.h>
#include <petscsys.h>

typedef PetscErrorCode (*GradCheckLossFn)(void *ctx, PetscReal *L);

typedef struct {
  PetscReal max_rel, max_abs, err2, norm2;
  PetscInt  n_fail, n_checked;
} GradCheckResult;

/* w[0..n) is perturbed in place (restored afterwards); g holds the analytic gradient. */
static PetscErrorCode GradCheck(GradCheckLossFn loss, void *ctx, PetscCount n, PetscReal *w, const PetscReal *g, PetscReal rel_h, GradCheckResult *res)
{
  PetscFunctionBeginUser;
  res->max_rel = res->max_abs = res->err2 = res->norm2 = 0.0;
  res->n_fail = res->n_checked = 0;
  for (PetscCount i = 0; i < n; i++) {
    PetscReal w0 = w[i], h = rel_h * PetscMax(1.0, PetscAbsReal(w0)), Lp = 0, Lm = 0, fd, err, mag;

    w[i] = w0 + h;
    PetscCall(loss(ctx, &Lp));
    w[i] = w0 - h;
    PetscCall(loss(ctx, &Lm));
    w[i]         = w0;
    fd           = (Lp - Lm) / (2.0 * h);
    err          = PetscAbsReal(fd - g[i]);
    mag          = PetscMax(PetscAbsReal(fd), PetscAbsReal(g[i]));
    res->max_abs = PetscMax(res->max_abs, err);
    res->err2 += err * err;
    res->norm2 += g[i] * g[i];
    if (mag > 1e-7) res->max_rel = PetscMax(res->max_rel, err / mag);
    if (err > 1e-6 + 1e-5 * mag) res->n_fail++;
    res->n_checked++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscBool gradcheck_verbose = PETSC_FALSE; /* -verbose: print the measured errors too */

static PetscErrorCode GradCheckReport(const char *what, const GradCheckResult *r, PetscReal rel_limit, PetscInt *nbad)
{
  PetscReal rel = r->norm2 > 0 ? PetscSqrtReal(r->err2 / r->norm2) : PetscSqrtReal(r->err2);
  PetscBool ok  = (PetscBool)(r->n_fail == 0 && rel < rel_limit);

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "gradcheck %-28s n=%5" PetscInt_FMT " rel<%.0e: %s\n", what, r->n_checked, (double)rel_limit, ok ? "ok" : "FAIL"));
  if (!ok || gradcheck_verbose)
    PetscCall(
      PetscPrintf(PETSC_COMM_SELF, "   rel %.3e max_rel %.3e max_abs %.3e n_fail %" PetscInt_FMT "\n", (double)rel, (double)r->max_rel, (double)r->max_abs, r->n_fail));
  if (!ok) (*nbad)++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

#endif
