/* The small layered conductor that several volume-conductor test programs solve on; their checks are
   those of tests/common/semg_test.h. */
#ifndef SEMG_TESTS_VC_EXPECT_H
#define SEMG_TESTS_VC_EXPECT_H

#include "tests/common/semg_test.h"
#include "sim/vc/conductor.h"

/* Default tissue on 33^3 cells: 1 mm core, 2 skin and 3 fat cells, +-60 mm x +-60 mm x 40 mm; set up. */
static inline PetscErrorCode CreateSmallLayeredConductor(SemgConductor *c)
{
  SemgTissue t;
  SemgVCGrid g;

  PetscFunctionBeginUser;
  PetscCall(SemgTissueDefault(&t));
  PetscCall(SemgVCGridDefault(&g));
  g.n[0] = g.n[1] = g.n[2] = 33;
  g.h[0] = g.h[1] = 1e-3;
  g.skin_cells    = 2;
  g.fat_cells     = 3;
  g.extent[0] = g.extent[1] = 0.06;
  g.extent[2]               = 0.04;
  PetscCall(SemgConductorCreate(PETSC_COMM_WORLD, &g, &t, NULL, c));
  PetscCall(SemgConductorSetUp(*c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

#endif
