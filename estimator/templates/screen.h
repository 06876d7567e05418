/* Channel screening of a continuous recording before templates are built: flat channels (no
   variation), saturated channels (a share of samples stuck at the channel's extreme value) and
   disconnected electrodes (noise only: no correlation with the neighbouring channels of the column,
   which share the motor units' activity) are reported and replaced by the mean of their usable
   neighbours in the column, never silently kept or zeroed. x is channel-major x[c*nt + k]. */
#ifndef SEMG_TEMPLATES_SCREEN_H
#define SEMG_TEMPLATES_SCREEN_H

#include <petscsys.h>

typedef enum { SEMG_CHANNEL_OK = 0, SEMG_CHANNEL_FLAT, SEMG_CHANNEL_SATURATED, SEMG_CHANNEL_NOISE } SemgChannelStatus;
PETSC_EXTERN const char *const SemgChannelStatusNames[];

typedef struct {
  PetscReal saturated_share; /* >= this share of samples at the max or min value: saturated (0.01) */
  PetscReal noise_corr;      /* best |correlation| with a column neighbour below this: noise only (0.2) */
} SemgScreenOptions;

PETSC_EXTERN PetscErrorCode SemgScreenOptionsDefault(SemgScreenOptions *o);
/* column[c]: column of channel c (channels of a column are adjacent and in order). status: nc values. */
PETSC_EXTERN PetscErrorCode SemgScreenChannels(const SemgScreenOptions *o, PetscInt nc, PetscCount nt, const PetscReal *x, const PetscInt *column, SemgChannelStatus *status);
/* Replace every channel whose status is not OK by the mean of its nearest OK neighbours in its column
   (one on each side when there are). SEMG_ERR_USER when a column has no OK channel. */
PETSC_EXTERN PetscErrorCode SemgScreenRepair(PetscInt nc, PetscCount nt, PetscReal *x, const PetscInt *column, const SemgChannelStatus *status);

#endif
