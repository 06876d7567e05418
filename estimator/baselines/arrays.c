/* Channel derivations for the classical estimators (see arrays.h). */
#include "core/semg_error.h"
#include "estimator/baselines/arrays.h"

/* Column of a dataset channel: that of its first electrode (0 when the table has no columns). */
static PetscInt ChannelColumn(const SemgDataset *ds, PetscInt c)
{
  PetscInt e = ds->channel_electrode[3 * c];
  return (ds->electrode_column && e >= 0) ? ds->electrode_column[e] : 0;
}

PetscErrorCode SemgArraysCreate(MPI_Comm comm, const SemgDataset *ds, const char path[], SemgMontage want, SemgArrays **arrp)
{
  SemgArrays *arr;
  PetscInt    ncol = 0, expect = 0, *order, nd = 0, steps;

  PetscFunctionBeginUser;
  /* the channel table must be the stated montage of the electrode table */
  for (PetscInt e = 0; e < ds->n_electrodes; e++) ncol = PetscMax(ncol, (ds->electrode_column ? ds->electrode_column[e] : 0) + 1);
  {
    PetscInt span = (PetscInt)ds->montage + 1;
    for (PetscInt e = 0; e + span - 1 < ds->n_electrodes; e++) {
      PetscInt c0 = ds->electrode_column ? ds->electrode_column[e] : 0, c1 = ds->electrode_column ? ds->electrode_column[e + span - 1] : 0;
      if (c0 == c1) expect++;
    }
  }
  PetscCheck(expect == ds->n_channels, comm, SEMG_ERR_USER, "'%s': %" PetscInt_FMT " channels, but the %s montage of its %" PetscInt_FMT " electrodes gives %" PetscInt_FMT, path, ds->n_channels, SemgMontages[ds->montage], ds->n_electrodes, expect);
  PetscCall(PetscNew(&arr));
  arr->nt        = ds->n_times;
  arr->n_columns = ncol;
  steps = (ds->montage == SEMG_MONTAGE_MONO || want == SEMG_MONTAGE_MONO || want <= ds->montage) ? 0 : (PetscInt)want - (PetscInt)ds->montage;
  if (ds->montage == SEMG_MONTAGE_MONO) steps = (PetscInt)want;
  arr->montage = (SemgMontage)(ds->montage + steps);
  PetscCall(PetscMalloc1(ds->n_channels, &order));
  PetscCall(PetscMalloc1(ncol + 1, &arr->col_start));
  PetscCall(PetscMalloc3(3 * ds->n_channels, &arr->src, 3 * ds->n_channels, &arr->w, ds->n_channels, &arr->centre));
  for (PetscInt col = 0; col < ncol; col++) {
    PetscInt n          = 0;
    arr->col_start[col] = nd;
    /* the column's channels ordered by x (insertion sort; columns are short) */
    for (PetscInt c = 0; c < ds->n_channels; c++) {
      if (ChannelColumn(ds, c) != col) continue;
      PetscInt j = n++;
      while (j > 0 && ds->channel_centre[3 * order[j - 1]] > ds->channel_centre[3 * c]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = c;
    }
    for (PetscInt i = 0; i + steps < n; i++) {
      static const PetscReal wt[3][3] = {
        {1, 0,  0},
        {1, -1, 0},
        {1, -2, 1}
      };
      for (PetscInt j = 0; j < 3; j++) {
        arr->src[3 * nd + j] = j <= steps ? order[i + j] : -1;
        arr->w[3 * nd + j]   = wt[steps][j];
      }
      arr->centre[nd] = 0;
      for (PetscInt j = 0; j <= steps; j++) arr->centre[nd] += ds->channel_centre[3 * order[i + j]] / (steps + 1);
      nd++;
    }
  }
  arr->col_start[ncol] = nd;
  arr->n_derived       = nd;
  PetscCall(PetscFree(order));
  *arrp = arr;
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SemgArraysApply(const SemgArrays *arr, const PetscReal *x, PetscReal *out)
{
  const PetscInt nt = arr->nt;

  for (PetscInt d = 0; d < arr->n_derived; d++) {
    PetscReal *o = out + (size_t)d * nt;
    for (PetscInt k = 0; k < nt; k++) o[k] = 0;
    for (int j = 0; j < 3; j++) {
      PetscInt  c = arr->src[3 * d + j];
      PetscReal w = arr->w[3 * d + j];
      if (c < 0) continue;
      for (PetscInt k = 0; k < nt; k++) o[k] += w * x[(size_t)c * nt + k];
    }
  }
}

PetscInt SemgArraysMinColumn(const SemgArrays *arr)
{
  PetscInt m = PETSC_MAX_INT;
  for (PetscInt c = 0; c < arr->n_columns; c++) m = PetscMin(m, arr->col_start[c + 1] - arr->col_start[c]);
  return arr->n_columns ? m : 0;
}

PetscErrorCode SemgArraysDestroy(SemgArrays **arr)
{
  PetscFunctionBeginUser;
  if (!*arr) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree((*arr)->col_start));
  PetscCall(PetscFree3((*arr)->src, (*arr)->w, (*arr)->centre));
  PetscCall(PetscFree(*arr));
  PetscFunctionReturn(PETSC_SUCCESS);
}
