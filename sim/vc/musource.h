/* Homogenised motor-unit source (multidomain compartment of spec volume-conductor.md 2.3/2.4/5.2).
   One intracellular compartment per MU on the cells of a lead-field grid: f_r sigma_i ~= n_k G_f along x
   (n_k fibres per m^2 of the MU's cross-section), V_m(c, t) the travelling Rosenfalck pair of the MU's
   fibres sampled at the cell centres. Source b = -A_i V_m with A_i the 1-D finite-volume intracellular
   operator along x (sealed: no flux out of the territory or past the fibre ends, so sum_c b_c = 0), and
   read-out m_e(t) = w_e^T V_m(t), w_e = -A_i l_e, precomputed once per MU and electrode.
   Territory: the (y, z) columns of cells that the MU's circular cross-section (axis y = iz[1], z = iz[2],
   radius) overlaps, each standing for n_k times its covered area (area weights keep the MUAP continuous
   in the MU's position and radius), cells between the fibre ends; each end is one more node at its
   exact position between two cell centres (lead field and current shared linearly), so that the sealed
   end is placed to sub-cell accuracy. Each column behaves like one fibre of the MU generator (IP, ends,
   CV drawn by SemgMotorUnitGenerate with the same seed and sample), so a homogenised MU matches a fibre
   MU statistically. */
#ifndef SEMG_VC_MUSOURCE_H
#define SEMG_VC_MUSOURCE_H

#include <petscsys.h>
#include "sim/fibres.h"
#include "sim/vc/leadfield.h"

typedef struct _p_SemgMUSource *SemgMUSource;

/* Cells for lead fields without their own grid (analytic ones): n[d] cells per axis between the n[d] + 1
   increasing faces face[d]; the lead field is evaluated at the cell centres. */
typedef struct {
  PetscInt         n[3];
  const PetscReal *face[3];
} SemgMUGrid;

/* Build the source of MU mu (iz = IZ centre x and territory axis y, z; radius; n_fibres; IP and tendon
   spreads; CV) on the cells of lf (grid = NULL, grid lead fields) or of grid (any lead field). ls: G_f
   and the Rosenfalck shape (NULL = defaults). Column draws keyed by (seed, sample). Not collective. */
PETSC_EXTERN PetscErrorCode SemgMUSourceCreate(SemgLeadfield lf, const SemgMUGrid *grid, const SemgMotorUnitSpec *mu, const SemgLineSourceParams *ls, uint64_t seed, uint64_t sample, SemgMUSource *src);
PETSC_EXTERN PetscErrorCode SemgMUSourceDestroy(SemgMUSource *src);
/* Columns as fibres: col[c] has the column's IP, ends and CV and its (y, z) centre; fibres[c] = n_k A_c
   is the number of fibres it stands for (sum = mu->n_fibres). Not to be freed. */
PETSC_EXTERN PetscErrorCode SemgMUSourceGetColumns(SemgMUSource src, PetscInt *nc, const SemgFibre **col, const PetscReal **fibres);
/* Nodes of the compartment: the territory cells, plus each column's fibre ends where they fall between
   two cell centres (sub-cell sealed ends). Node q lies in cell ijk[3q..3q+2] (for an end: the cell below
   it in x) and shares its lead field and current with cell i+1 by the weight frac[q] (0 for cells). */
PETSC_EXTERN PetscErrorCode SemgMUSourceGetNodes(SemgMUSource src, PetscInt *nn, const PetscInt **ijk, const PetscReal **frac);
/* b[q] = -(A_i V_m)_q (A) at time t after the firing, per node (sum = 0 to rounding). */
PETSC_EXTERN PetscErrorCode SemgMUSourceCurrents(SemgMUSource src, PetscReal t, PetscReal *b);
/* Monopolar MUAP phi[e nt + k] = w_e^T V_m(t_k), t_k = k dt after the firing (overwritten). */
PETSC_EXTERN PetscErrorCode SemgMUSourceMUAP(SemgMUSource src, PetscInt nt, PetscReal dt, PetscReal *phi);

#endif
