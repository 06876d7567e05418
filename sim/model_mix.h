/* Domain randomisation of semg simulate (issue 20 part 3): the forward model, the tissue and the
   generator settings of the mismatch axes (experiments.md 3) drawn per sample, so that a training set
   spans the conditions an estimator will meet. Every draw comes from SemgRng (seed, sample, DOMAIN):
   a dataset is the same on any rank count, and without the options nothing is drawn (datasets are
   bitwise those of the fixed-setting generator). Each drawn value is a ground-truth column. */
#ifndef SEMG_MODEL_MIX_H
#define SEMG_MODEL_MIX_H

#include "sim/simulate.h"
#include "sim/vc/layeredtable.h"

/* -model_mix: the named options, then the NULL-terminated list of names (PETSc enum style). */
PETSC_EXTERN PetscErrorCode SemgModelMixOptions(PetscOptionItems *PetscOptionsObject, SemgSimulateOptions *o);
/* One-line user errors for inconsistent settings (after every option of semg simulate is read). */
PETSC_EXTERN PetscErrorCode SemgModelMixCheck(MPI_Comm comm, const SemgSimulateOptions *o);
/* The per-sample columns (forward model, fat thickness, anisotropy, contact-gain SD, MU CV SD, noise
   colour, interference on/off) into p, after SemgSimulateDrawParams' own draws. */
PETSC_EXTERN PetscErrorCode SemgModelMixDraw(const SemgSimulateOptions *o, PetscInt sample, SemgSampleParams *p);
/* The sample's kind of forward model, and the CCS parameters it uses (ccs, ccs_cc, anisotropic). */
PETSC_EXTERN SemgForwardKind SemgSampleForwardKind(const SemgSimulateOptions *o, const SemgSampleParams *p);
PETSC_EXTERN void            SemgSampleCCSParams(const SemgSimulateOptions *o, const SemgSampleParams *p, SemgCCSParams *ccs);
/* Depth added to the depth draws of a sample (its fat thickness for a layered sample of -model_mix:
   the MU keeps its depth below the muscle surface), 0 otherwise. */
PETSC_EXTERN PetscReal SemgSampleDepthShift(const SemgSimulateOptions *o, const SemgSampleParams *p);

/* Layered lead-field tables of -model_mix layered, one per fat-thickness node, built when a sample
   first needs it (a pure function of the node: identical on every rank). */
typedef struct _p_SemgLayeredCache *SemgLayeredCache;
PETSC_EXTERN PetscErrorCode         SemgLayeredCacheCreate(const SemgSimulateOptions *o, PetscInt ne, const PetscReal *nominal, SemgLayeredCache *c);
/* The table of the sample's fat thickness (built on first use); NULL when the sample is not layered. */
PETSC_EXTERN PetscErrorCode SemgLayeredCacheGet(SemgLayeredCache c, const SemgSimulateOptions *o, const SemgSampleParams *p, SemgLeadfield *lf);
/* Tables built and seconds spent building them (this rank). */
PETSC_EXTERN PetscErrorCode SemgLayeredCacheGetStats(SemgLayeredCache c, PetscInt *built, PetscReal *seconds);
PETSC_EXTERN PetscErrorCode SemgLayeredCacheDestroy(SemgLayeredCache *c);
/* The layered table for tissue t with every MU depth shifted by depth_shift (shared with -model layered);
   seconds and spec_out (the table's coverage) may be NULL. */
PETSC_EXTERN PetscErrorCode SemgSimulateLayeredLeadfield(const SemgSimulateOptions *o, const SemgTissue *t, PetscReal depth_shift, PetscInt ne, const PetscReal *nominal, SemgLeadfield *lf, PetscReal *seconds, SemgLayeredTableSpec *spec_out);

#endif
