#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/model.h"

PetscErrorCode SemgModelCreate(SemgEncoder *enc, SemgDecoder *dec, SemgModel **modelp)
{
  SemgModel *m;

  PetscFunctionBeginUser;
  PetscCheck(enc->n_out == dec->K, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "encoder outputs %" PetscInt_FMT " != decoder latents %" PetscInt_FMT, enc->n_out,
             dec->K);
  PetscCheck(enc->in_channels == dec->nc && enc->in_times == dec->nt, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "encoder input shape differs from the decoder's channels x times");
  PetscCall(PetscNew(&m));
  m->enc  = enc;
  m->dec  = dec;
  m->K    = dec->K;
  m->bmax = enc->bmax;
  m->nx   = dec->nc * dec->nt;
  for (PetscInt j = 0; j < m->K; j++) m->w_sup[j] = j < 2 ? 1.0 : 0.0; /* supervise IZ and CV only */
  m->stage_encoder = m->stage_decoder = m->stage_backward = -1;
  PetscCall(PetscMalloc4(m->bmax * m->K, &m->h, m->bmax * m->K, &m->theta, m->bmax * m->K, &m->dtheta, m->bmax * m->K, &m->dh));
  *modelp = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgModelDestroy(SemgModel **modelp)
{
  PetscFunctionBeginUser;
  if (!*modelp) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree4((*modelp)->h, (*modelp)->theta, (*modelp)->dtheta, (*modelp)->dh));
  PetscCall(PetscFree(*modelp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgModelLossGrad(SemgModel *m, const PetscReal *P, PetscInt B, const PetscReal *x, const PetscReal *truth, PetscReal *loss_sum, PetscReal *G)
{
  const PetscInt    K     = m->K;
  const SemgScaler *sc    = &m->dec->scaler;
  PetscReal         total = 0.0;

  PetscFunctionBeginUser;
  if (m->stage_encoder >= 0) PetscCall(PetscLogStagePush(m->stage_encoder));
  PetscCall(SemgEncoderForward(m->enc, P, B, x, m->h));
  PetscCall(SemgScalerForward(sc, B, m->h, m->theta));
  if (m->stage_encoder >= 0) PetscCall(PetscLogStagePop());
  if (m->stage_decoder >= 0) PetscCall(PetscLogStagePush(m->stage_decoder));
  for (PetscInt b = 0; b < B; b++) {
    PetscReal l, *dth = m->dtheta + b * K;
    PetscCall(SemgDecoderLoss(m->dec, m->theta + b * K, x + (size_t)b * m->nx, &l, G ? dth : NULL, NULL));
    for (PetscInt j = 0; j < K; j++) {
      const PetscReal hj = m->h[b * K + j], range = sc->hi[j] - sc->lo[j];
      if (m->lambda_h > 0) l += m->lambda_h * hj * hj;
      if (m->lambda_sup > 0 && truth && m->w_sup[j] > 0 && !PetscIsNanReal(truth[b * K + j])) {
        const PetscReal d = (m->theta[b * K + j] - truth[b * K + j]) / range;
        l += m->lambda_sup * m->w_sup[j] * d * d;
        if (G) dth[j] += 2.0 * m->lambda_sup * m->w_sup[j] * d / range;
      }
    }
    total += l;
  }
  *loss_sum = total;
  if (m->stage_decoder >= 0) PetscCall(PetscLogStagePop());
  if (!G) PetscFunctionReturn(PETSC_SUCCESS);
  if (m->stage_backward >= 0) PetscCall(PetscLogStagePush(m->stage_backward));
  for (PetscInt i = 0; i < B * K; i++) m->dh[i] = 2.0 * m->lambda_h * m->h[i];
  PetscCall(SemgScalerBackward(sc, B, m->h, m->dtheta, m->dh));
  PetscCall(SemgEncoderBackward(m->enc, P, m->dh, G));
  if (m->stage_backward >= 0) PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgModelPredict(SemgModel *m, const PetscReal *P, PetscInt B, const PetscReal *x, PetscReal *theta, PetscReal *nrmse)
{
  PetscFunctionBeginUser;
  PetscCall(SemgEncoderForward(m->enc, P, B, x, m->h));
  PetscCall(SemgScalerForward(&m->dec->scaler, B, m->h, theta));
  if (nrmse) {
    for (PetscInt b = 0; b < B; b++) {
      const PetscReal *xb = x + (size_t)b * m->nx;
      PetscReal        l, xx = 0.0;
      PetscCall(SemgDecoderLoss(m->dec, theta + b * m->K, xb, &l, NULL, NULL));
      for (PetscInt i = 0; i < m->nx; i++) xx += xb[i] * xb[i];
      nrmse[b] = xx > 0 ? PetscSqrtReal(l * m->nx / xx) : 0.0;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgNormaliseSamples(PetscCount B, PetscInt n, PetscReal *x, PetscReal *scale)
{
  PetscFunctionBeginUser;
  for (PetscCount b = 0; b < B; b++) {
    PetscReal *xb = x + (size_t)b * n, mx = 0.0;
    for (PetscInt i = 0; i < n; i++) mx = PetscMax(mx, PetscAbsReal(xb[i]));
    if (mx > 0)
      for (PetscInt i = 0; i < n; i++) xb[i] /= mx;
    if (scale) scale[b] = mx;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
