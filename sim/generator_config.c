/* The run-level settings of the mismatch generators as text for /provenance/model_config. */
#include <stdio.h>
#include "core/semg_error.h"
#include "sim/simulate.h"

/* A list of names as "[a, b]". */
static void ListText(PetscInt n, const PetscInt *codes, const char *const names[], char *out, size_t size)
{
  size_t len = 0;

  out[0] = 0;
  len += (size_t)snprintf(out + len, size - len, "[");
  for (PetscInt j = 0; j < n && len < size; j++) len += (size_t)snprintf(out + len, size - len, "%s%s", j ? ", " : "", names[codes[j]]);
  if (len < size) snprintf(out + len, size - len, "]");
}

/* Domain randomisation (sim/model_mix.c): only the options given, so a run without them is unchanged. */
static PetscErrorCode DomainText(const SemgSimulateOptions *o, char *buf, size_t size)
{
  char     models[128], colours[96];
  PetscInt codes[SEMG_FWD_MIXABLE];
  size_t   len;

  PetscFunctionBeginUser;
  if (!o->n_model_mix && !o->n_noise_mix && !o->contact_gain_sd_set && !o->mu_cv_sd_set && !o->interference_fraction_set)
    PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt j = 0; j < o->n_model_mix; j++) codes[j] = (PetscInt)o->model_mix[j];
  ListText(o->n_model_mix, codes, SemgForwardKinds, models, sizeof(models));
  for (PetscInt j = 0; j < o->n_noise_mix; j++) codes[j] = (PetscInt)o->noise_mix[j];
  ListText(o->n_noise_mix, codes, SemgNoiseColours, colours, sizeof(colours));
  PetscCall(PetscStrlen(buf, &len));
  /* snprintf, not PetscSNPrintf: PETSc writes integral %g values as "1." */
  (void)snprintf(buf + len, size - len,
                 "domain_randomisation: {model_mix: %s, fat_thickness_range: [%g, %g], fat_thickness_step: %g, anisotropy_range: [%g, %g], "
                 "contact_gain_sd_range: [%g, %g], noise_colour_mix: %s, mu_cv_sd_range: [%g, %g], interference_fraction: %g}\n",
                 models, (double)o->fat_thickness.lo, (double)o->fat_thickness.hi, (double)o->fat_thickness_step, (double)o->anisotropy.lo,
                 (double)o->anisotropy.hi, (double)(o->contact_gain_sd_set ? o->contact_gain_sd_range.lo : o->contact_gain_sd),
                 (double)(o->contact_gain_sd_set ? o->contact_gain_sd_range.hi : o->contact_gain_sd), colours,
                 (double)(o->mu_cv_sd_set ? o->mu_cv_sd.lo : o->mu.cv_sd), (double)(o->mu_cv_sd_set ? o->mu_cv_sd.hi : o->mu.cv_sd), (double)o->interference_fraction);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgGeneratorConfigText(const SemgSimulateOptions *o, char *buf, size_t size)
{
  size_t len;

  PetscFunctionBeginUser;
  PetscCall(PetscStrlen(buf, &len));
  PetscCall(PetscSNPrintf(buf + len, size - len,
                          "ied_scale_range: [%g, %g]\nnoise: {colour: %s, line_freq: %g, line_harmonics: %d, wander_freq: %g}\n"
                          "interference: {on: %s, sir_range: [%g, %g], units: %d, y_range: [%g, %g], drive: plateau}\nleadfield_realisations: %d\n",
                          (double)o->ied_scale.lo, (double)o->ied_scale.hi, SemgNoiseColours[o->noise.colour], (double)o->noise.line_freq,
                          (int)o->noise.line_harmonics, (double)o->noise.wander_freq, o->interference ? "true" : "false", (double)o->sir.lo,
                          (double)o->sir.hi, (int)o->interference_units, (double)o->interference_y.lo, (double)o->interference_y.hi, (int)o->n_leadfields));
  PetscCall(DomainText(o, buf, size));
  PetscFunctionReturn(PETSC_SUCCESS);
}
