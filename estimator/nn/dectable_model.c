/* Forward models that fill a decoder table, and their exact evaluation at the dataset's electrodes.
   Invariant tissue (CCS, half-space, layered): the template at IZ = 0 seen by virtual electrodes at
   (a_i, y_r, z_r), one call per (v, depth) node gives every row and every a node. Grid lead field (vc):
   the electrodes are the file's, so the MU is moved instead, one call per (a, v, depth) node (IZ =
   box_hi - i h_a for every electrode at once: all rows share one a-grid offset by their x). */
#include <math.h>
#include "core/semg_error.h"
#include "estimator/nn/dectable_model.h"
#include "sim/vc/leadfield.h"

struct _p_SemgDecTableModel {
  SemgDecTable  tab;
  SemgDecoder  *dec;      /* the exact decoder (template, CCS parameters, geometry) */
  SemgDecoder  *ccs;      /* CCS at the virtual electrodes */
  SemgLeadfield lf;       /* lead field at the virtual electrodes (vc: the file's) */
  SemgLeadfield lf_exact; /* lead field at the dataset's electrodes (built on first use) */
  PetscInt      nv;       /* virtual electrodes */
  PetscReal    *vxyz;
  SemgFibre    *fib;
  uint64_t      lf_hash; /* vc: hash of the file's values */
};

static uint64_t Fnv(uint64_t h, const void *p, size_t n)
{
  const unsigned char *c = (const unsigned char *)p;
  for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ULL;
  return h;
}

/* Template fibres at latents (iz, v, depth). */
static PetscErrorCode ModelFibres(SemgDecTableModel m, PetscReal iz, PetscReal v, PetscReal d)
{
  const SemgDecoder *dec = m->dec;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dec->nf; i++) {
    m->fib[i] = dec->tmpl[i];
    m->fib[i].ox += iz;
    m->fib[i].oz += dec->spec.depth - d;
    m->fib[i].cv = v + dec->dcv[i];
    PetscCheck(m->fib[i].cv > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "decoder table: fibre %" PetscInt_FMT " CV %g <= 0 (raise -dec_cv_range lo)", i,
               (double)m->fib[i].cv);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The layered table must cover offsets from every virtual electrode to every fibre point. */
static PetscErrorCode LayeredSpec(SemgDecTableModel m, SemgLayeredTableSpec *spec)
{
  const SemgDecTable tab = m->tab;
  const SemgDecoder *dec = m->dec;
  const PetscReal    top = tab->opt.tissue.fat_thickness + tab->opt.tissue.skin_thickness;
  PetscReal fxlo = PETSC_MAX_REAL, fxhi = -PETSC_MAX_REAL, fylo = PETSC_MAX_REAL, fyhi = -PETSC_MAX_REAL, fzlo = PETSC_MAX_REAL, fzhi = -PETSC_MAX_REAL;
  PetscReal exlo = PETSC_MAX_REAL, exhi = -PETSC_MAX_REAL, eylo = PETSC_MAX_REAL, eyhi = -PETSC_MAX_REAL, dlo, dhi;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dec->nf; i++) {
    const SemgFibre *f      = &dec->tmpl[i];
    const PetscReal  dir[3] = {cos(f->rz) * cos(f->ry), sin(f->rz) * cos(f->ry), -sin(f->ry)};
    for (int end = 0; end < 2; end++) {
      const PetscReal s = end ? f->length : 0.0;
      fxlo = PetscMin(fxlo, f->ox + s * dir[0]), fxhi = PetscMax(fxhi, f->ox + s * dir[0]);
      fylo = PetscMin(fylo, f->oy + s * dir[1]), fyhi = PetscMax(fyhi, f->oy + s * dir[1]);
      fzlo = PetscMin(fzlo, f->oz + s * dir[2]), fzhi = PetscMax(fzhi, f->oz + s * dir[2]);
    }
  }
  for (PetscInt e = 0; e < m->nv; e++) {
    exlo = PetscMin(exlo, m->vxyz[3 * e]), exhi = PetscMax(exhi, m->vxyz[3 * e]);
    eylo = PetscMin(eylo, m->vxyz[3 * e + 1]), eyhi = PetscMax(eyhi, m->vxyz[3 * e + 1]);
  }
  for (PetscInt e = 0; e < dec->ne; e++) { /* the exact model at the dataset's electrodes, IZ anywhere in the box */
    exlo = PetscMin(exlo, dec->ex[e] - tab->box_hi[0]), exhi = PetscMax(exhi, dec->ex[e] - tab->box_lo[0]);
    eylo = PetscMin(eylo, dec->ey[e]), eyhi = PetscMax(eyhi, dec->ey[e]);
  }
  /* fibre depths below the fat for template depth and any latent depth in the box */
  dlo = tab->D > 2 ? tab->box_lo[2] : dec->spec.depth;
  dhi = tab->D > 2 ? tab->box_hi[2] : dec->spec.depth;
  PetscCall(SemgLayeredTableSpecDefault(spec));
  spec->xmax = PetscMax(exhi - fxlo, fxhi - exlo) + tab->h[0];
  spec->ymax = PetscMax(eyhi - fylo, fyhi - eylo);
  spec->dmin = -(fzhi + (dec->spec.depth - dlo)) - top;
  spec->dmax = -(fzlo + (dec->spec.depth - dhi)) - top;
  PetscCheck(spec->dmin > 0, PETSC_COMM_SELF, SEMG_ERR_USER, "-dec_model layered: template fibres reach %g m above the muscle (raise -dec_depth / -dec_depth_range lo or thin -dec_fat_thickness, -dec_skin_thickness)",
             (double)-spec->dmin);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* vc: the file's electrodes must be the dataset's (same count, same positions within 1 um). */
static PetscErrorCode CheckFileElectrodes(SemgDecTableModel m)
{
  PetscInt           ne;
  const PetscReal   *exyz;
  const SemgDecoder *dec = m->dec;

  PetscFunctionBeginUser;
  PetscCall(SemgLeadfieldGetElectrodes(m->lf, &ne, &exyz));
  PetscCheck(ne == dec->ne, PETSC_COMM_SELF, SEMG_ERR_USER, "-dec_leadfield '%s' has %" PetscInt_FMT " electrodes, the dataset %" PetscInt_FMT,
             m->tab->opt.leadfield, ne, dec->ne);
  for (PetscInt e = 0; e < ne; e++)
    PetscCheck(PetscAbsReal(exyz[3 * e] - dec->ex[e]) < 1e-6 && PetscAbsReal(exyz[3 * e + 1] - dec->ey[e]) < 1e-6, PETSC_COMM_SELF, SEMG_ERR_USER, "-dec_leadfield '%s': electrode %" PetscInt_FMT " at (%g, %g) m, the dataset's at (%g, %g) m",
               m->tab->opt.leadfield, e, (double)exyz[3 * e], (double)exyz[3 * e + 1], (double)dec->ex[e], (double)dec->ey[e]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode HashLeadfieldFile(SemgDecTableModel m)
{
  PetscInt         n[3], ne;
  const PetscReal *cen[3], *exyz;
  const double    *val;

  PetscFunctionBeginUser;
  PetscCall(SemgLeadfieldGetGrid(m->lf, n, cen, NULL, &val));
  PetscCall(SemgLeadfieldGetElectrodes(m->lf, &ne, &exyz));
  m->lf_hash = Fnv(1469598103934665603ULL, n, sizeof(n));
  for (int d = 0; d < 3; d++) m->lf_hash = Fnv(m->lf_hash, cen[d], sizeof(PetscReal) * n[d]);
  m->lf_hash = Fnv(m->lf_hash, val, sizeof(double) * (size_t)ne * n[0] * n[1] * n[2]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableModelCreate(MPI_Comm comm, SemgDecTable tab, SemgDecoder *dec, SemgDecTableModel *mp)
{
  SemgDecTableModel m;
  const PetscInt    n0 = tab->n[0];

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&m));
  m->tab = tab;
  m->dec = dec;
  PetscCall(PetscMalloc1(dec->nf, &m->fib));
  if (tab->opt.model == SEMG_DECMODEL_VC) {
    PetscCall(SemgLeadfieldLoad(comm, tab->opt.leadfield, NULL, NULL, &m->lf));
    PetscCall(CheckFileElectrodes(m));
    PetscCall(HashLeadfieldFile(m));
    m->lf_exact = m->lf;
  } else {
    m->nv = tab->nrow * n0;
    PetscCall(PetscMalloc1(3 * (size_t)m->nv, &m->vxyz));
    for (PetscInt r = 0; r < tab->nrow; r++)
      for (PetscInt i = 0; i < n0; i++) {
        PetscReal *p = m->vxyz + 3 * ((size_t)r * n0 + i);
        p[0] = tab->row_alo[r] + i * tab->h[0], p[1] = tab->row_y[r], p[2] = tab->row_z[r];
      }
  }
  if (tab->opt.model == SEMG_DECMODEL_CCS) {
    SemgDecoderSpec     spec = dec->spec;
    SemgDecoderGeometry geo;
    PetscInt            che[3] = {0, -1, -1};
    PetscReal           chw[3] = {1, 0, 0};

    spec.iz_range[0] = -1.0, spec.iz_range[1] = 1.0; /* unused: the virtual line is not an array */
    geo.ne = m->nv, geo.nc = 1, geo.nt = dec->nt, geo.fs = 1.0 / dec->dt, geo.exyz = m->vxyz, geo.ch_e = che, geo.ch_w = chw;
    PetscCall(SemgDecoderCreate(&spec, &geo, &m->ccs));
    /* the template exactly as the dataset's decoder placed it (its depth is relative to that array's plane) */
    PetscCall(PetscArraycpy(m->ccs->tmpl, dec->tmpl, dec->nf));
    PetscCall(PetscArraycpy(m->ccs->dcv, dec->dcv, dec->nf));
    PetscCall(PetscArraycpy(m->ccs->fdir, dec->fdir, 3 * dec->nf));
    PetscCall(SemgDecoderSetCCSParams(m->ccs, &dec->par));
  } else if (tab->opt.model == SEMG_DECMODEL_HALFSPACE) {
    PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_HALFSPACE, m->nv, m->vxyz, tab->opt.tissue.sigma_long, tab->opt.tissue.sigma_trans, &m->lf));
  } else if (tab->opt.model == SEMG_DECMODEL_LAYERED) {
    SemgLayeredTableSpec spec;
    PetscCall(LayeredSpec(m, &spec));
    PetscCall(SemgLeadfieldCreateLayered(&tab->opt.tissue, &spec, m->nv, m->vxyz, &m->lf));
  }
  if (m->lf) PetscCall(SemgLeadfieldSetCCSParams(m->lf, &dec->par));
  *mp = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableModelDestroy(SemgDecTableModel *mp)
{
  SemgDecTableModel m = *mp;

  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(PETSC_SUCCESS);
  if (m->lf_exact && m->lf_exact != m->lf) PetscCall(SemgLeadfieldDestroy(&m->lf_exact));
  if (m->lf) PetscCall(SemgLeadfieldDestroy(&m->lf));
  PetscCall(SemgDecoderDestroy(&m->ccs));
  PetscCall(PetscFree(m->vxyz));
  PetscCall(PetscFree(m->fib));
  PetscCall(PetscFree(*mp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableModelHash(SemgDecTableModel m, uint64_t *h)
{
  const SemgDecTable   tab    = m->tab;
  const SemgCCSParams *p      = &m->dec->par;
  const PetscReal      ccs[6] = {p->a, p->lambda, p->zmax, p->resistance_sum, p->sigma_long, p->sigma_trans};
  const PetscInt flags[4]     = {(PetscInt)p->charge_conserving, (PetscInt)p->anisotropic, (PetscInt)tab->opt.model, (PetscInt)tab->opt.line_source};

  PetscFunctionBeginUser;
  *h = Fnv(*h, ccs, sizeof(ccs));
  *h = Fnv(*h, flags, sizeof(flags));
  if (tab->opt.model == SEMG_DECMODEL_LAYERED || tab->opt.model == SEMG_DECMODEL_HALFSPACE)
    *h = Fnv(*h, &tab->opt.tissue, sizeof(tab->opt.tissue)); /* all doubles */
  if (tab->opt.model == SEMG_DECMODEL_VC) *h = Fnv(*h, &m->lf_hash, sizeof(m->lf_hash));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscBool SemgDecTableModelPerNode(SemgDecTableModel m)
{
  return (PetscBool)(m->tab->opt.model == SEMG_DECMODEL_VC);
}

PetscErrorCode SemgDecTableModelFill(SemgDecTableModel m, PetscInt i, PetscReal v, PetscReal d, PetscReal *out)
{
  const SemgDecTable tab = m->tab;
  const PetscInt     nt  = tab->nt;

  PetscFunctionBeginUser;
  if (m->ccs) {
    const PetscReal theta[3] = {0.0, v, d};
    PetscCall(SemgDecoderApply(m->ccs, theta, m->ccs->y, NULL));
    PetscCall(PetscArraycpy(out, m->ccs->phi, (size_t)m->nv * nt));
  } else if (tab->opt.model == SEMG_DECMODEL_VC) {
    PetscCall(ModelFibres(m, tab->box_hi[0] - i * tab->h[0], v, d));
    PetscCall(SemgLeadfieldMUAP(m->lf, m->dec->nf, m->fib, nt, m->dec->dt, (PetscBool)!tab->opt.line_source, out));
  } else {
    PetscCall(ModelFibres(m, 0.0, v, d));
    PetscCall(SemgLeadfieldMUAP(m->lf, m->dec->nf, m->fib, nt, m->dec->dt, (PetscBool)!tab->opt.line_source, out));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgDecTableModelExact(SemgDecTableModel m, const PetscReal *theta, PetscReal *phi)
{
  const SemgDecTable tab = m->tab;
  SemgDecoder       *dec = m->dec;
  const PetscReal    d   = tab->D > 2 ? theta[2] : dec->spec.depth;

  PetscFunctionBeginUser;
  if (m->ccs) {
    SemgDecTable keep = dec->table;
    dec->table        = NULL;
    PetscCall(SemgDecoderApply(dec, theta, dec->y, NULL));
    dec->table = keep;
    PetscCall(PetscArraycpy(phi, dec->phi, (size_t)dec->ne * dec->nt));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!m->lf_exact) {
    PetscReal *exyz;
    PetscCall(PetscMalloc1(3 * (size_t)dec->ne, &exyz));
    for (PetscInt e = 0; e < dec->ne; e++) exyz[3 * e] = dec->ex[e], exyz[3 * e + 1] = dec->ey[e], exyz[3 * e + 2] = dec->ez[e];
    if (tab->opt.model == SEMG_DECMODEL_HALFSPACE)
      PetscCall(SemgLeadfieldCreateAnalytic(SEMG_LF_HALFSPACE, dec->ne, exyz, tab->opt.tissue.sigma_long, tab->opt.tissue.sigma_trans, &m->lf_exact));
    else {
      SemgLayeredTableSpec spec;
      PetscCall(LayeredSpec(m, &spec));
      PetscCall(SemgLeadfieldCreateLayered(&tab->opt.tissue, &spec, dec->ne, exyz, &m->lf_exact));
    }
    PetscCall(SemgLeadfieldSetCCSParams(m->lf_exact, &dec->par));
    PetscCall(PetscFree(exyz));
  }
  PetscCall(ModelFibres(m, theta[0], theta[1], d));
  PetscCall(SemgLeadfieldMUAP(m->lf_exact, dec->nf, m->fib, dec->nt, dec->dt, (PetscBool)!tab->opt.line_source, phi));
  PetscFunctionReturn(PETSC_SUCCESS);
}
