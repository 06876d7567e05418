/* Epochs and peak-triggered propagation templates of interference recordings (see epoch.h). */
#include "core/semg_error.h"
#include "estimator/recordings/epoch.h"

PetscErrorCode SemgEpochCount(PetscCount n_samples, PetscReal fs, PetscReal seconds, PetscCount *n_epochs, PetscInt *len)
{
  PetscFunctionBeginUser;
  PetscCheck(fs > 0 && seconds > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-epoch %g s at fs %g Hz: both must be > 0", (double)seconds, (double)fs);
  *len = (PetscInt)PetscFloorReal(seconds * fs + 0.5);
  PetscCheck(*len >= 2, PETSC_COMM_SELF, SEMG_ERR_USER, "-epoch %g s is shorter than 2 samples at fs %g Hz", (double)seconds, (double)fs);
  *n_epochs = n_samples / *len;
  PetscCheck(*n_epochs >= 1, PETSC_COMM_SELF, SEMG_ERR_USER, "-epoch %g s (%d samples) is longer than the recording (%lld samples)", (double)seconds, (int)*len, (long long)n_samples);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgEpochExtract(PetscInt nc, PetscCount n_samples, const PetscReal *x, PetscInt len, PetscCount k, PetscReal *out)
{
  PetscFunctionBeginUser;
  PetscCheck((k + 1) * len <= n_samples, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "epoch %lld of length %d beyond %lld samples", (long long)k, (int)len, (long long)n_samples);
  for (PetscInt j = 0; j < len; j++) {
    const PetscReal *row = x + ((size_t)k * len + j) * nc;
    for (PetscInt c = 0; c < nc; c++) out[(size_t)c * len + j] = row[c];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPeakTemplateOptionsDefault(SemgPeakTemplateOptions *o)
{
  PetscFunctionBeginUser;
  o->pre       = 0.005;
  o->post      = 0.035;
  o->threshold = 4.0;
  o->rel       = 0.5;
  o->dead      = 0.01; /* below the shortest inter-spike interval of one MU (~20 ms at 50 Hz) */
  o->ref       = -1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgPeakTemplateOptionsSetFromOptions(MPI_Comm comm, SemgPeakTemplateOptions *o)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Peak-triggered propagation templates of epochs", "semg");
  PetscCall(PetscOptionsReal("-template_pre", "template window before each trigger (s)", "SemgPeakTemplate", o->pre, &o->pre, NULL));
  PetscCall(PetscOptionsReal("-template_post", "template window after each trigger (s)", "SemgPeakTemplate", o->post, &o->post, NULL));
  PetscCall(PetscOptionsReal("-template_threshold", "triggers above this many robust sigmas (median|x|/0.6745) of the trigger channel", "SemgPeakTemplate", o->threshold, &o->threshold, NULL));
  PetscCall(PetscOptionsReal("-template_rel", "triggers above this fraction of the largest peak (dominant motor unit)", "SemgPeakTemplate", o->rel, &o->rel, NULL));
  PetscCall(PetscOptionsReal("-template_dead", "minimum time between triggers (s)", "SemgPeakTemplate", o->dead, &o->dead, NULL));
  PetscCall(PetscOptionsInt("-template_ref", "trigger channel; -1 = largest RMS", "SemgPeakTemplate", o->ref, &o->ref, NULL));
  PetscOptionsEnd();
  PetscCheck(o->pre >= 0 && o->post > 0 && o->threshold >= 0 && o->rel >= 0 && o->rel <= 1 && o->dead >= 0, comm, SEMG_ERR_USER, "-template_pre >= 0, -template_post > 0, -template_threshold >= 0, 0 <= -template_rel <= 1, -template_dead >= 0 required");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt SemgPeakTemplateLength(const SemgPeakTemplateOptions *o, PetscReal fs)
{
  return (PetscInt)PetscFloorReal(o->pre * fs + 0.5) + (PetscInt)PetscFloorReal(o->post * fs + 0.5);
}

typedef struct {
  PetscReal a;
  PetscInt  k;
} Peak;

static int ComparePeakDesc(const void *p, const void *q)
{
  PetscReal a = ((const Peak *)p)->a, b = ((const Peak *)q)->a;
  return a > b ? -1 : (a < b ? 1 : 0);
}

PetscErrorCode SemgPeakTemplate(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, const SemgPeakTemplateOptions *o, PetscReal *tmpl, PetscInt *ntrig, PetscInt *trig)
{
  const PetscInt   npre = (PetscInt)PetscFloorReal(o->pre * fs + 0.5), len = SemgPeakTemplateLength(o, fs);
  const PetscInt   dead = (PetscInt)PetscFloorReal(o->dead * fs + 0.5);
  PetscInt         ref = o->ref, np = 0, nacc = 0, kmax = 0, *acc;
  PetscReal       *absr, sigma, sign, thr, best = -1;
  Peak            *pk;
  const PetscReal *xr;

  PetscFunctionBeginUser;
  PetscCheck(nc >= 1 && len >= 1, PETSC_COMM_SELF, SEMG_ERR_USER, "peak template: %d channels, window of %d samples", (int)nc, (int)len);
  PetscCheck(ref < nc, PETSC_COMM_SELF, SEMG_ERR_USER, "-template_ref %d: the recording has %d channels", (int)ref, (int)nc);
  if (ref < 0) /* trigger on the channel of largest RMS: the dominant MU is largest there */
    for (PetscInt c = 0; c < nc; c++) {
      PetscReal s = 0;
      for (PetscInt k = 0; k < nt; k++) s += x[(size_t)c * nt + k] * x[(size_t)c * nt + k];
      if (s > best) best = s, ref = c;
    }
  xr = x + (size_t)ref * nt;
  PetscCall(PetscMalloc3(nt, &absr, nt, &pk, nt, &acc));
  for (PetscInt k = 0; k < nt; k++) {
    absr[k] = PetscAbsReal(xr[k]);
    if (absr[k] > absr[kmax]) kmax = k;
  }
  sign = xr[kmax] >= 0 ? 1.0 : -1.0;
  PetscCall(PetscSortReal(nt, absr));
  sigma = absr[nt / 2] / 0.6745;
  thr   = PetscMax(o->threshold * sigma, o->rel * PetscAbsReal(xr[kmax]));
  /* local extrema of the chosen polarity above the thresholds, whole window inside the epoch */
  for (PetscInt k = PetscMax(1, npre); k + (len - npre) <= nt && k < nt - 1; k++) {
    PetscReal v = sign * xr[k];
    if (v >= thr && v >= sign * xr[k - 1] && v > sign * xr[k + 1]) pk[np].a = v, pk[np++].k = k;
  }
  qsort(pk, (size_t)np, sizeof(Peak), ComparePeakDesc);
  for (PetscInt i = 0; i < np; i++) {
    PetscBool ok = PETSC_TRUE;
    for (PetscInt j = 0; j < nacc && ok; j++) ok = (PetscBool)(PetscAbs(acc[j] - pk[i].k) >= dead);
    if (ok) acc[nacc++] = pk[i].k;
  }
  PetscCall(PetscSortInt(nacc, acc));
  PetscCall(PetscArrayzero(tmpl, (size_t)nc * len));
  for (PetscInt j = 0; j < nacc; j++)
    for (PetscInt c = 0; c < nc; c++)
      for (PetscInt k = 0; k < len; k++) tmpl[(size_t)c * len + k] += x[(size_t)c * nt + acc[j] - npre + k] / nacc;
  *ntrig = nacc;
  if (trig)
    for (PetscInt j = 0; j < nacc; j++) trig[j] = acc[j];
  PetscCall(PetscFree3(absr, pk, acc));
  PetscFunctionReturn(PETSC_SUCCESS);
}
