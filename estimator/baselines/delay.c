/* Delay primitives shared by the IZ and CV estimators (delay.h). */
#include <math.h>
#include <fftw3.h>
#include "estimator/baselines/delay.h"

PetscReal SemgParabolaVertex(PetscReal a, PetscReal b, PetscReal c)
{
  PetscReal den = a - 2.0 * b + c;

  if (den == 0.0) return 0.0;
  return 0.5 * (a - c) / den;
}

PetscErrorCode SemgDelayLagRange(PetscReal ied, PetscReal fs, PetscReal v_min, PetscReal v_max, PetscInt *lag_lo, PetscInt *lag_hi)
{
  PetscFunctionBeginUser;
  PetscCheck(ied > 0 && fs > 0 && v_min > 0 && v_max > v_min, PETSC_COMM_SELF, SEMG_ERR_USER, "bad CV range [%g, %g] m/s or IED %g m or fs %g Hz", (double)v_min, (double)v_max, (double)ied, (double)fs);
  /* a huge fs (or a tiny CV bound) would overflow the integer lag: bound it before converting */
  PetscCheck(ied * fs / v_min < 1e8, PETSC_COMM_SELF, SEMG_ERR_USER, "the delay range (IED %g m x fs %g Hz / CV %g m/s = %g samples) is beyond any recording: check the dataset's sampling frequency and -cv_range", (double)ied, (double)fs, (double)v_min, (double)(ied * fs / v_min));
  *lag_lo = (PetscInt)PetscFloorReal(ied * fs / v_max);
  *lag_hi = (PetscInt)PetscCeilReal(ied * fs / v_min);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDelayXcorr(PetscInt nt, const PetscReal *a, const PetscReal *b, PetscInt lag_lo, PetscInt lag_hi, PetscReal *theta, PetscBool *at_bound)
{
  PetscInt   nl = lag_hi - lag_lo + 1, jb = 0;
  PetscReal *r;

  PetscFunctionBeginUser;
  PetscCheck(nl >= 1 && lag_lo > -nt && lag_hi < nt, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "lag range [%d, %d] for %d samples", (int)lag_lo, (int)lag_hi, (int)nt);
  PetscCall(PetscMalloc1(nl, &r));
  for (PetscInt j = 0; j < nl; j++) {
    PetscInt  L = lag_lo + j, n0 = PetscMax(0, -L), n1 = PetscMin(nt, nt - L);
    PetscReal s = 0.0;
    for (PetscInt n = n0; n < n1; n++) s += a[n] * b[n + L];
    r[j] = s;
    if (r[j] > r[jb]) jb = j;
  }
  *theta = lag_lo + jb;
  if (jb > 0 && jb < nl - 1) *theta += SemgParabolaVertex(r[jb - 1], r[jb], r[jb + 1]);
  if (at_bound) *at_bound = (PetscBool)(nl > 1 && (jb == 0 || jb == nl - 1));
  PetscCall(PetscFree(r));
  PetscFunctionReturn(PETSC_SUCCESS);
}

struct _p_SemgSpectra {
  PetscInt      nt;
  double       *in;
  fftw_complex *out;
  fftw_plan     plan;
};

PetscErrorCode SemgSpectraCreate(PetscInt nt, SemgSpectra *sp)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(sp));
  (*sp)->nt  = nt;
  (*sp)->in  = fftw_alloc_real((size_t)nt);
  (*sp)->out = fftw_alloc_complex((size_t)nt / 2 + 1);
  PetscCheck((*sp)->in && (*sp)->out, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW allocation failed");
  (*sp)->plan = fftw_plan_dft_r2c_1d((int)nt, (*sp)->in, (*sp)->out, FFTW_ESTIMATE);
  SemgCheckFFTWPlan((*sp)->plan);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSpectraDestroy(SemgSpectra *sp)
{
  PetscFunctionBeginUser;
  if (!*sp) PetscFunctionReturn(PETSC_SUCCESS);
  if ((*sp)->plan) fftw_destroy_plan((*sp)->plan);
  fftw_free((*sp)->in);
  fftw_free((*sp)->out);
  PetscCall(PetscFree(*sp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgSpectraCompute(SemgSpectra sp, PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal *X)
{
  const PetscInt nf  = nt / 2 + 1;
  SemgSpectra    tmp = NULL;

  PetscFunctionBeginUser;
  if (!sp || sp->nt != nt) {
    PetscCall(SemgSpectraCreate(nt, &tmp));
    sp = tmp;
  }
  for (PetscInt c = 0; c < nc; c++) {
    const double *o = (const double *)sp->out; /* fftw_complex is double _Complex under PETSc */
    for (PetscInt k = 0; k < nt; k++) sp->in[k] = x[(size_t)c * nt + k];
    fftw_execute(sp->plan);
    for (PetscInt i = 0; i < 2 * nf; i++) X[2 * (size_t)c * nf + i] = o[i];
  }
  PetscCall(SemgSpectraDestroy(&tmp));
  PetscFunctionReturn(PETSC_SUCCESS);
}
