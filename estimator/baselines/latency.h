/* Channel latencies from the delays between neighbouring channels (issue 18): the default latency of
   the V-fit. The peak of |DD| is unreliable on channels where the potential is weak (far from the
   motor unit, at the noise level) and near the IZ; the delay between two neighbouring channels is the
   quantity the delay estimators measure well. tau_0 = 0, tau_{c+1} = tau_c + delay(c, c+1), each delay the
   cross-correlation peak over -max_lag..max_lag with parabolic refinement (SemgDelayXcorr); every
   channel has weight 1 (the delays, not the amplitudes, carry the information). */
#ifndef SEMG_BASELINES_LATENCY_H
#define SEMG_BASELINES_LATENCY_H

#include <petscsys.h>

PETSC_EXTERN PetscErrorCode SemgLatencyChain(PetscInt nc, PetscInt nt, const PetscReal *x, PetscReal fs, PetscInt max_lag, PetscReal *tau, PetscReal *weight);

#endif
