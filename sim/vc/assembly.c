/* Conductivities per cell and the finite-volume operator of the volume conductor (spec volume-conductor.md 2, 3). */
#include <math.h>
#include "core/semg_error.h"
#include "sim/vc/conductorimpl.h"
#include "sim/vc/layered.h"

/* Per-cell principal conductivities: layered cut-cell tensor, then inhomogeneity (spec 3.3). */
PetscErrorCode SemgConductorFillSigma(SemgConductor c)
{
  PetscReal ****s;
  PetscInt      xs, ys, zs, xm, ym, zm;

  PetscFunctionBeginUser;
  PetscCall(DMCreateGlobalVector(c->sda, &c->sigma));
  PetscCall(SemgConductorGetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArrayDOF(c->sda, c->sigma, &s));
  for (PetscInt j = ys; j < ys + ym; j++)
    for (PetscInt i = xs; i < xs + xm; i++)
      for (PetscInt k = zs; k < zs + zm; k++) {
        PetscReal  x = c->cen[0][i], y = c->cen[1][j], z = c->cen[2][k], sig[3], fac, frac, sinc;
        PetscReal  lo[3] = {c->face[0][i], c->face[1][j], c->face[2][k]}, hi[3] = {c->face[0][i + 1], c->face[1][j + 1], c->face[2][k + 1]};
        SemgTissue loc;

        SemgInhomogeneityLocalTissue(c->inh, &c->tissue, x, &loc);
        SemgTissueCellSigma(&loc, SemgInhomogeneityFatThickness(c->inh, &c->tissue, x, y), loc.skin_thickness, lo[2], hi[2], sig);
        fac  = SemgInhomogeneityFactor(c->inh, x, y, z);
        frac = SemgInhomogeneityInclusionFraction(c->inh, lo, hi, &sinc);
        for (PetscInt d = 0; d < 3; d++) {
          /* a floor keeps insulating bone from decoupling cells (which would break the null space) */
          s[j][i][k][d] = PetscMax((1.0 - frac) * fac * sig[d] + frac * sinc, 1e-9);
        }
      }
  PetscCall(DMDAVecRestoreArrayDOF(c->sda, c->sigma, &s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Conductance between cell centres P and Q across their shared face (series resistances). */
static inline PetscReal FaceConductance(PetscReal area, PetscReal hP, PetscReal sP, PetscReal hQ, PetscReal sQ)
{
  return area / (0.5 * hP / sP + 0.5 * hQ / sQ);
}

/* Decay rate alpha of the Robin condition sigma dphi/dn + sigma alpha phi = 0 at far-face centre q with
   outward normal +-e_d (spec 2.5): alpha = (r.n)/R for isotropic tissue, r = q - centre. The far field
   of every layer is the muscle half-space monopole phi ~ 1/rho, rho^2 = sum r_i^2/sigma_i (muscle
   tensor; also in the thin fat and skin cells, whose lateral derivative is the muscle's), whose exact
   rate is alpha = (r_d n_d / sigma_d)/rho^2; it reduces to (r.n)/R when sigma_L = sigma_T. */
static PetscReal RobinAlpha(SemgConductor c, PetscInt d, PetscInt side, const PetscReal q[3])
{
  const PetscReal *o = c->grid.robin_centre, sm[3] = {c->tissue.sigma_long, c->tissue.sigma_trans, c->tissue.sigma_trans};
  PetscReal        r[3], rho2 = 0, o0[3] = {c->grid.centre[0], c->grid.centre[1], 0};

  if (!c->grid.robin_centre_set) o = o0;
  for (PetscInt i = 0; i < 3; i++) {
    r[i] = q[i] - o[i];
    rho2 += r[i] * r[i] / sm[i];
  }
  return rho2 > 0 ? PetscMax(side * r[d] / sm[d] / rho2, 0.0) : 0.0;
}

/* Conductance from cell centre P to far face (d, side = +-1) of cell id: zero on insulated faces and on
   the skin; potential given on the face (dirichlet, monopole); Robin: the face value eliminated, which
   puts the half-cell resistance h/(2 sigma) in series with the Robin resistance 1/(sigma alpha A). */
static PetscReal FarFaceConductance(SemgConductor c, PetscInt d, PetscInt side, const PetscInt id[3], PetscReal area, PetscReal hP, PetscReal sP)
{
  PetscReal q[3], alpha;

  if (c->grid.far_bc == SEMG_VC_FAR_NEUMANN || (d == 2 && side == 1 && !c->grid.open_top)) return 0;
  if (c->grid.far_bc != SEMG_VC_FAR_ROBIN) return WallConductance(area, hP, sP);
  for (PetscInt i = 0; i < 3; i++) q[i] = c->cen[i][id[i]];
  q[d]  = c->face[d][side > 0 ? c->grid.n[d] : 0];
  alpha = RobinAlpha(c, d, side, q);
  return alpha > 0 ? area / (0.5 * hP / sP + 1.0 / (sP * alpha)) : 0;
}

PetscErrorCode SemgConductorAssemble(SemgConductor c)
{
  Vec           sloc;
  PetscReal ****s;
  PetscInt      xs, ys, zs, xm, ym, zm, *n = c->grid.n;
  char          ptype[64] = "";
  PetscBool     pset;

  PetscFunctionBeginUser;
  /* Every star-stencil entry is inserted below, so DMDA's zero fill of the pattern (a noticeable part of
     the set-up on large grids) is skipped for hypre, the default; geometric MG keeps it: its ICC/ILU
     smoothers stall on the unfilled matrix. */
  PetscCall(PetscOptionsGetString(NULL, "vc_", "-pc_type", ptype, sizeof(ptype), &pset));
  PetscCall(DMSetMatrixPreallocateOnly(c->da, (PetscBool)(!pset || !strcmp(ptype, PCHYPRE))));
  PetscCall(DMCreateMatrix(c->da, &c->A));
  PetscCall(DMGetLocalVector(c->sda, &sloc));
  PetscCall(DMGlobalToLocal(c->sda, c->sigma, INSERT_VALUES, sloc));
  PetscCall(DMDAVecGetArrayDOFRead(c->sda, sloc, &s));
  PetscCall(SemgConductorGetCorners(c, &xs, &ys, &zs, &xm, &ym, &zm));
  for (PetscInt j = ys; j < ys + ym; j++)
    for (PetscInt i = xs; i < xs + xm; i++)
      for (PetscInt k = zs; k < zs + zm; k++) {
        MatStencil  row = {.k = j, .j = i, .i = k}, col[7];
        PetscScalar v[7], diag = 0;
        PetscInt    nc = 1, id[3] = {i, j, k};
        PetscReal   h[3] = {c->face[0][i + 1] - c->face[0][i], c->face[1][j + 1] - c->face[1][j], c->face[2][k + 1] - c->face[2][k]};

        for (PetscInt d = 0; d < 3; d++) {
          PetscReal area = h[(d + 1) % 3] * h[(d + 2) % 3];
          for (PetscInt side = -1; side <= 1; side += 2) {
            PetscInt q[3] = {i, j, k};
            q[d] += side;
            if (q[d] >= 0 && q[d] < n[d]) {
              PetscReal hq = c->face[d][q[d] + 1] - c->face[d][q[d]];
              PetscReal g  = FaceConductance(area, h[d], s[j][i][k][d], hq, s[q[1]][q[0]][q[2]][d]);
              col[nc].i    = q[2];
              col[nc].j    = q[0];
              col[nc].k    = q[1];
              v[nc++]      = -g;
              diag += g;
            } else {
              diag += FarFaceConductance(c, d, side, id, area, h[d], s[j][i][k][d]);
            }
          }
        }
        col[0] = row;
        v[0]   = diag;
        PetscCall(MatSetValuesStencil(c->A, 1, &row, nc, col, v, INSERT_VALUES));
      }
  PetscCall(DMDAVecRestoreArrayDOFRead(c->sda, sloc, &s));
  PetscCall(DMRestoreLocalVector(c->sda, &sloc));
  PetscCall(MatAssemblyBegin(c->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(c->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(c->A, MAT_SPD, PETSC_TRUE));
  if (c->grid.far_bc == SEMG_VC_FAR_NEUMANN) {
    PetscCall(MatNullSpaceCreate(c->comm, PETSC_TRUE, 0, NULL, &c->ns));
    PetscCall(MatSetNullSpace(c->A, c->ns));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
