/* The run-level settings of the mismatch generators as text for /provenance/model_config. */
#include "core/semg_error.h"
#include "sim/simulate.h"

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
  PetscFunctionReturn(PETSC_SUCCESS);
}
