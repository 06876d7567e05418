/* Interference from other active motor units (spec experiments.md 3, axis "interference"): K motor
   units from the same MU generator and ranges as the sample's own, at transverse positions of
   -interference_y_range, each firing in a window of the plateau of the pool's common drive
   (sim/firing), summed into the recording and scaled so that the ratio of the sample MU's power to
   the interference's, over every channel and time sample after gains and montage, is the sample's
   SIR. Draws from SemgRng (seed, sample, INTERFERENCE); fibres and firing trains keyed per unit:
   identical on any rank count. */
#ifndef SEMG_INTERFERENCE_H
#define SEMG_INTERFERENCE_H

#include "core/semg_dataset.h"
#include "sim/simulate.h"

/* -interference_sir_range, -interference_units, -interference_y_range. Between PetscOptionsBegin/End. */
PETSC_EXTERN PetscErrorCode SemgInterferenceOptions(PetscOptionItems *PetscOptionsObject, SemgSimulateOptions *o);
PETSC_EXTERN PetscErrorCode SemgInterferenceCheck(MPI_Comm comm, const SemgSimulateOptions *o);
/* out (the sample MU's channels, nc x nt) += the interference scaled to the sample's sir_db column (p,
   whose forward model, depth shift and fibre CV SD the units share). xyz: the sample's electrodes. When
   the units contribute nothing in the window, sir_db becomes NaN and nothing is added. */
PETSC_EXTERN PetscErrorCode SemgInterferenceAdd(const SemgSimulateOptions *o, SemgLeadfield lf, const SemgDataset *ds, PetscInt sample, const PetscReal *xyz, PetscReal *out, SemgSampleParams *p);
/* The power ratio in dB of s to i over n values (inf when i is zero). */
PETSC_EXTERN PetscReal SemgPowerRatioDB(size_t n, const PetscReal *s, const PetscReal *i);

#endif
