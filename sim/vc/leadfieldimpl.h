/* Private to the lead-field files (sim/vc/leadfield.c, leadfield_load.c): the object and its allocation. */
#ifndef SEMG_VC_LEADFIELDIMPL_H
#define SEMG_VC_LEADFIELDIMPL_H

#include "sim/vc/leadfield.h"

struct _p_SemgLeadfield {
  SemgLeadfieldType    type;
  PetscInt             ne;
  PetscReal           *exyz;    /* ne x 3 */
  PetscReal           *nominal; /* ne x 3 believed positions of a misaligned grid file, or NULL */
  PetscReal            sl, st;  /* analytic types */
  PetscInt             n[3];    /* grid type: kept box */
  PetscReal           *cen[3];
  PetscReal           *face[3];                  /* n[d] + 1 faces of the kept cells */
  PetscReal            valid_lo[3], valid_hi[3]; /* read-outs allowed here (the kept box, open at grid edges) */
  char                 path[PETSC_MAX_PATH_LEN];
  double              *val; /* ne x n[1] x n[0] x n[2] (y, x, z), z fastest */
  SemgCCSParams        ccs;
  SemgLineSourceParams ls;
  SemgLayeredTable     tab; /* layered type */
};

/* A lead field of ne electrodes at exyz (copied; may be NULL), CCS and line-source parameters at their defaults. */
PETSC_INTERN PetscErrorCode SemgLeadfieldNew(PetscInt ne, const PetscReal *exyz, SemgLeadfield *lf);

#endif
