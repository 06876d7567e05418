#include <string.h>
#include "core/semg_error.h"
#include "core/semg_options.h"
#include "sim/realisations.h"

/* Electrode tables equal to 1 nm: realisations differ in tissue only. */
static PetscErrorCode CheckSameElectrodes(MPI_Comm comm, const char option[], SemgLeadfield a, const char *pa, SemgLeadfield b, const char *pb)
{
  PetscInt         na, nb;
  const PetscReal *ea, *eb;

  PetscFunctionBeginUser;
  PetscCall(SemgLeadfieldGetElectrodes(a, &na, &ea));
  PetscCall(SemgLeadfieldGetElectrodes(b, &nb, &eb));
  PetscCheck(na == nb, comm, SEMG_ERR_USER, "%s: '%s' has %" PetscInt_FMT " electrodes, '%s' %" PetscInt_FMT " (realisations must share their electrodes)", option, pb, nb, pa, na);
  for (PetscInt i = 0; i < 3 * na; i++)
    PetscCheck(PetscAbsReal(ea[i] - eb[i]) <= 1e-9, comm, SEMG_ERR_USER, "%s: electrode %" PetscInt_FMT " of '%s' is not where it is in '%s' (realisations must share their electrodes)", option, i / 3 + 1, pb, pa);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgRealisationsLoad(MPI_Comm comm, const char option[], const char list[], PetscInt *R, SemgLeadfield **lfs)
{
  char    *copy, *path, *save = NULL;
  char   **names;
  PetscInt n = 1;

  PetscFunctionBeginUser;
  for (const char *c = list; *c; c++) n += *c == ',';
  PetscCall(PetscStrallocpy(list, &copy));
  PetscCall(PetscCalloc1(n, lfs));
  PetscCall(PetscMalloc1(n, &names));
  *R = 0;
  for (path = strtok_r(copy, ",", &save); path; path = strtok_r(NULL, ",", &save)) names[(*R)++] = path;
  PetscCheck(*R == n, comm, SEMG_ERR_USER, "%s '%s': empty file name in the list", option, list);
  for (PetscInt r = 0; r < n; r++) {
    PetscCall(SemgCheckInputPath(comm, option, names[r]));
    PetscCall(SemgLeadfieldLoad(comm, names[r], NULL, NULL, &(*lfs)[r]));
    if (r) PetscCall(CheckSameElectrodes(comm, option, (*lfs)[0], names[0], (*lfs)[r], names[r]));
  }
  PetscCall(PetscFree(names));
  PetscCall(PetscFree(copy));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgRealisationsDestroy(PetscInt R, SemgLeadfield **lfs)
{
  PetscFunctionBeginUser;
  for (PetscInt r = 0; r < R; r++)
    if ((*lfs)[r]) PetscCall(SemgLeadfieldDestroy(&(*lfs)[r]));
  PetscCall(PetscFree(*lfs));
  PetscFunctionReturn(PETSC_SUCCESS);
}
