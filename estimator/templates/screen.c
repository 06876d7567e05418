/* Channel screening (see screen.h). */
#include "core/semg_error.h"
#include "estimator/templates/screen.h"

const char *const SemgChannelStatusNames[] = {"ok", "flat", "saturated", "noise only"};

PetscErrorCode SemgScreenOptionsDefault(SemgScreenOptions *o)
{
  PetscFunctionBeginUser;
  o->saturated_share = 0.01;
  o->noise_corr      = 0.2;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscReal Corr(PetscCount nt, const PetscReal *a, const PetscReal *b)
{
  PetscReal ma = 0, mb = 0, ab = 0, aa = 0, bb = 0;
  for (PetscCount k = 0; k < nt; k++) ma += a[k], mb += b[k];
  ma /= nt, mb /= nt;
  for (PetscCount k = 0; k < nt; k++) ab += (a[k] - ma) * (b[k] - mb), aa += (a[k] - ma) * (a[k] - ma), bb += (b[k] - mb) * (b[k] - mb);
  return aa > 0 && bb > 0 ? ab / PetscSqrtReal(aa * bb) : 0.0;
}

PetscErrorCode SemgScreenChannels(const SemgScreenOptions *o, PetscInt nc, PetscCount nt, const PetscReal *x, const PetscInt *column, SemgChannelStatus *status)
{
  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < nc; c++) {
    const PetscReal *xc = x + (size_t)c * nt;
    PetscReal        lo = xc[0], hi = xc[0];
    PetscCount       nlo = 0, nhi = 0;
    for (PetscCount k = 0; k < nt; k++) lo = PetscMin(lo, xc[k]), hi = PetscMax(hi, xc[k]);
    for (PetscCount k = 0; k < nt; k++) nlo += (xc[k] == lo), nhi += (xc[k] == hi);
    status[c] = SEMG_CHANNEL_OK;
    if (hi == lo) status[c] = SEMG_CHANNEL_FLAT;
    else if ((PetscReal)PetscMax(nlo, nhi) >= o->saturated_share * nt && PetscMax(nlo, nhi) > 2) status[c] = SEMG_CHANNEL_SATURATED;
  }
  /* noise only: the worst channel whose best correlation with a usable channel within two places of
     its column stays below noise_corr is flagged, then the others are judged again without it (a
     channel next to a disconnected one still has a usable neighbour two places away) */
  for (;;) {
    PetscReal worst = PETSC_MAX_REAL;
    PetscInt  cw    = -1;
    for (PetscInt c = 0; c < nc; c++) {
      PetscReal best = -1;
      if (status[c] != SEMG_CHANNEL_OK) continue;
      for (PetscInt n = c - 2; n <= c + 2; n++)
        if (n != c && n >= 0 && n < nc && column[n] == column[c] && status[n] == SEMG_CHANNEL_OK)
          best = PetscMax(best, PetscAbsReal(Corr(nt, x + (size_t)c * nt, x + (size_t)n * nt)));
      if (best >= 0 && best < worst) worst = best, cw = c;
    }
    if (cw < 0 || worst >= o->noise_corr) break;
    status[cw] = SEMG_CHANNEL_NOISE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgScreenRepair(PetscInt nc, PetscCount nt, PetscReal *x, const PetscInt *column, const SemgChannelStatus *status)
{
  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < nc; c++) {
    PetscInt l = -1, r = -1;
    if (status[c] == SEMG_CHANNEL_OK) continue;
    for (PetscInt n = c - 1; n >= 0 && column[n] == column[c] && l < 0; n--)
      if (status[n] == SEMG_CHANNEL_OK) l = n;
    for (PetscInt n = c + 1; n < nc && column[n] == column[c] && r < 0; n++)
      if (status[n] == SEMG_CHANNEL_OK) r = n;
    PetscCheck(l >= 0 || r >= 0, PETSC_COMM_SELF, SEMG_ERR_USER, "channel %" PetscInt_FMT " (%s) has no usable channel in its electrode column to replace it", c + 1, SemgChannelStatusNames[status[c]]);
    for (PetscCount k = 0; k < nt; k++) {
      const PetscReal a = l >= 0 ? x[(size_t)l * nt + k] : x[(size_t)r * nt + k], b = r >= 0 ? x[(size_t)r * nt + k] : a;
      x[(size_t)c * nt + k] = 0.5 * (a + b);
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
