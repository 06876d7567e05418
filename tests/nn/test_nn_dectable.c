static char help[] = "Tabulated decoder (issue 19): at table nodes the table equals the exact CCS decoder (interpolation is\n"
                     "exact there, so this checks fill, layout, B-spline and lookup); between a-nodes it stays close;\n"
                     "gradient checks of its analytic tangents by central differences (estimator rules); rows across\n"
                     "the fibres; a latent outside the table is an error; a cached table is reused bit for bit and a\n"
                     "cache file of another template is never used.\n";

#include <stdlib.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "estimator/nn/dectable_build.h"
#include "tests/nn/gradcheck.h"

#define NE 6
#define NT 40

typedef struct {
  SemgDecoder *dec;
  PetscReal    theta[3], r[2 * (NE - 1) * NT];
} Ctx;

/* L = sum r * y: its gradient is J^T r */
static PetscErrorCode CtxLoss(void *ctx, PetscReal *L)
{
  Ctx *c = (Ctx *)ctx;

  PetscFunctionBeginUser;
  PetscCall(SemgDecoderApply(c->dec, c->theta, c->dec->y, NULL));
  *L = 0.0;
  for (PetscInt i = 0; i < c->dec->nc * c->dec->nt; i++) *L += c->r[i] * c->dec->y[i];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* rows linear arrays of NE electrodes at 5 mm IED (rows 4 mm apart), SD montage per row; 8 fibres. */
static PetscErrorCode MakeDecoder(PetscInt rows, PetscBool latent_depth, PetscInt seed, SemgDecoder **dec)
{
  SemgDecoderSpec     spec;
  SemgDecoderGeometry geo;
  PetscReal           exyz[2 * 3 * NE], w[2 * 3 * NE];
  PetscInt            che[2 * 3 * NE], nc = 0;

  PetscFunctionBeginUser;
  for (PetscInt r = 0; r < rows; r++) {
    for (PetscInt e = 0; e < NE; e++)
      exyz[3 * (r * NE + e)] = -0.0125 + 0.005 * e, exyz[3 * (r * NE + e) + 1] = 0.004 * r, exyz[3 * (r * NE + e) + 2] = 0.0;
    for (PetscInt c = 0; c < NE - 1; c++, nc++)
      che[3 * nc] = r * NE + c, che[3 * nc + 1] = r * NE + c + 1, che[3 * nc + 2] = -1, w[3 * nc] = 1, w[3 * nc + 1] = -1, w[3 * nc + 2] = 0;
  }
  PetscCall(SemgDecoderSpecDefault(&spec));
  spec.mu.n_fibres   = 8;
  spec.template_seed = (uint64_t)seed;
  spec.latent_depth  = latent_depth;
  spec.iz_range[0] = -0.005, spec.iz_range[1] = 0.005;
  spec.cv_range[0] = 3.0, spec.cv_range[1] = 5.0;
  spec.depth_range[0] = 0.015, spec.depth_range[1] = 0.025;
  spec.table.use  = PETSC_TRUE;
  spec.table.h[0] = 1e-3, spec.table.h[1] = 0.1, spec.table.h[2] = 2.5e-3;
  spec.table.checks = 0;
  geo.ne = rows * NE, geo.nc = nc, geo.nt = NT, geo.fs = 4000.0, geo.exyz = exyz, geo.ch_e = che, geo.ch_w = w;
  PetscCall(SemgDecoderCreate(&spec, &geo, dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* max |y_table - y_exact| / max |y_exact| at theta */
static PetscErrorCode TableError(SemgDecoder *dec, const PetscReal *theta, PetscReal *err)
{
  const size_t nct = (size_t)dec->nc * dec->nt;
  SemgDecTable tab = dec->table;
  PetscReal    ye[2 * (NE - 1) * NT], num = 0, den = 0;

  PetscFunctionBeginUser;
  dec->table = NULL;
  PetscCall(SemgDecoderApply(dec, theta, ye, NULL));
  dec->table = tab;
  PetscCall(SemgDecoderApply(dec, theta, dec->y, NULL));
  for (size_t i = 0; i < nct; i++) num = PetscMax(num, PetscAbsReal(dec->y[i] - ye[i])), den = PetscMax(den, PetscAbsReal(ye[i]));
  *err = num / den;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Nodes: IZ = hi - m h_a puts every electrode on an a-node (h_a divides the IED), CV and depth on nodes. */
static PetscErrorCode TestNodes(PetscInt rows, PetscBool latent_depth, PetscInt *nbad)
{
  SemgDecoder *dec;
  PetscReal    err, worst = 0, off = 0;

  PetscFunctionBeginUser;
  PetscCall(MakeDecoder(rows, latent_depth, 11, &dec));
  PetscCall(SemgDecoderUseTable(PETSC_COMM_WORLD, dec));
  for (PetscInt m = 0; m <= 8; m += 4)
    for (PetscInt j = 0; j < dec->table->n[1]; j += 7) {
      PetscReal theta[3] = {dec->table->box_hi[0] - m * dec->table->h[0], dec->table->lo[1] + j * dec->table->h[1],
                            dec->table->lo[2] + (latent_depth ? 2 : 0) * dec->table->h[2]};
      PetscCall(TableError(dec, theta, &err));
      worst = PetscMax(worst, err);
      theta[0] -= 0.37 * dec->table->h[0]; /* between a-nodes: the potential is smooth in a */
      PetscCall(TableError(dec, theta, &err));
      off = PetscMax(off, err);
    }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "table at nodes (%d row(s), K %d): max rel. error %.2e (limit 1e-10); between a-nodes %.2e (limit 1e-4)\n", (int)rows,
                        (int)dec->K, (double)worst, (double)off));
  if (!(worst < 1e-10 && off < 1e-4)) (*nbad)++;
  PetscCall(SemgDecoderDestroy(&dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Analytic tangents of the table against central differences of the table itself. */
static PetscErrorCode TestGradient(PetscBool latent_depth, PetscInt *nbad)
{
  Ctx             c;
  PetscReal       J[3 * 2 * (NE - 1) * NT], g[3];
  GradCheckResult res;
  const size_t    nct = (NE - 1) * NT;

  PetscFunctionBeginUser;
  PetscCall(MakeDecoder(1, latent_depth, 11, &c.dec));
  PetscCall(SemgDecoderUseTable(PETSC_COMM_WORLD, c.dec));
  for (size_t i = 0; i < nct; i++) c.r[i] = sin(0.37 * i) * 1e3;
  for (PetscInt s = 0; s < 3; s++) {
    c.theta[0] = -0.0041 + 0.0037 * s, c.theta[1] = 3.13 + 0.61 * s, c.theta[2] = 0.0163 + 0.0031 * s;
    PetscCall(SemgDecoderApply(c.dec, c.theta, c.dec->y, J));
    for (PetscInt j = 0; j < c.dec->K; j++) {
      char what[64];
      g[j] = 0;
      for (size_t i = 0; i < nct; i++) g[j] += c.r[i] * J[j * nct + i];
      PetscCall(GradCheck(CtxLoss, &c, 1, &c.theta[j], &g[j], 1e-5 * (c.dec->scaler.hi[j] - c.dec->scaler.lo[j]), &res));
      PetscCall(PetscSNPrintf(what, sizeof(what), "table K%d latent %d point %d", (int)c.dec->K, (int)j, (int)s));
      PetscCall(GradCheckReport(what, &res, 1e-6, nbad));
    }
  }
  PetscCall(SemgDecoderDestroy(&c.dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A latent beyond the box: PETSC_ERR_ARG_OUTOFRANGE, not a clamp. */
static PetscErrorCode TestOutside(PetscInt *nbad)
{
  SemgDecoder   *dec;
  PetscErrorCode ierr;
  PetscReal      theta[2];

  PetscFunctionBeginUser;
  PetscCall(MakeDecoder(1, PETSC_FALSE, 11, &dec));
  PetscCall(SemgDecoderUseTable(PETSC_COMM_WORLD, dec));
  theta[0] = dec->scaler.hi[0] + 1e-4, theta[1] = 4.0;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = SemgDecoderApply(dec, theta, dec->y, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "latent outside the table: error %d (expected %d)\n", (int)ierr, (int)PETSC_ERR_ARG_OUTOFRANGE));
  if (ierr != PETSC_ERR_ARG_OUTOFRANGE) (*nbad)++;
  PetscCall(SemgDecoderDestroy(&dec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Second build reads the cache bit for bit; a file of another template under this key is rebuilt over. */
static PetscErrorCode TestCache(const char *dir, PetscInt *nbad)
{
  SemgDecoder *a, *a2, *b;
  char         pa[PETSC_MAX_PATH_LEN], pb[PETSC_MAX_PATH_LEN];
  size_t       bytes;
  PetscBool    same;

  PetscFunctionBeginUser;
  PetscCall(MakeDecoder(1, PETSC_FALSE, 11, &a));
  PetscCall(PetscStrncpy(a->spec.table.cache, dir, sizeof(a->spec.table.cache)));
  PetscCall(SemgDecoderUseTable(PETSC_COMM_WORLD, a));
  PetscCall(MakeDecoder(1, PETSC_FALSE, 11, &a2));
  PetscCall(PetscStrncpy(a2->spec.table.cache, dir, sizeof(a2->spec.table.cache)));
  PetscCall(SemgDecoderUseTable(PETSC_COMM_WORLD, a2));
  PetscCall(SemgDecTableBytes(a->table, &bytes));
  PetscCall(PetscMemcmp(a->table->c, a2->table->c, bytes, &same));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "cache: second build %s, coefficients %s\n", a2->table->from_cache ? "read from the cache" : "NOT from the cache", same ? "identical" : "DIFFER"));
  if (!a2->table->from_cache || !same) (*nbad)++;
  /* another template (seed 12), its file renamed to template 11's key */
  PetscCall(MakeDecoder(1, PETSC_FALSE, 12, &b));
  PetscCall(PetscStrncpy(b->spec.table.cache, dir, sizeof(b->spec.table.cache)));
  PetscCall(SemgDecoderUseTable(PETSC_COMM_WORLD, b));
  PetscCall(PetscSNPrintf(pa, sizeof(pa), "%s/dectable-%016llx.h5", dir, (unsigned long long)a->table->key));
  PetscCall(PetscSNPrintf(pb, sizeof(pb), "%s/dectable-%016llx.h5", dir, (unsigned long long)b->table->key));
  PetscCall(SemgDecoderDestroy(&a2));
  if (!access(pb, R_OK) && !rename(pb, pa)) {
    PetscCall(MakeDecoder(1, PETSC_FALSE, 11, &a2));
    PetscCall(PetscStrncpy(a2->spec.table.cache, dir, sizeof(a2->spec.table.cache)));
    PetscCall(SemgDecoderUseTable(PETSC_COMM_WORLD, a2));
    PetscCall(PetscMemcmp(a->table->c, a2->table->c, bytes, &same));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "cache of another template: %s, coefficients %s\n", a2->table->from_cache ? "USED" : "not used", same ? "those of this template" : "WRONG"));
    if (a2->table->from_cache || !same) (*nbad)++;
    PetscCall(SemgDecoderDestroy(&a2));
  } else (*nbad)++;
  PetscCall(SemgDecoderDestroy(&a));
  PetscCall(SemgDecoderDestroy(&b));
  (void)unlink(pa), (void)unlink(pb), (void)rmdir(dir); /* no leftovers */
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt nbad  = 0;
  char     dir[] = "/tmp/semg_dectable_XXXXXX";

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCheck(mkdtemp(dir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create a temporary directory");
  PetscCall(TestNodes(1, PETSC_FALSE, &nbad));
  PetscCall(TestNodes(2, PETSC_FALSE, &nbad));
  PetscCall(TestNodes(1, PETSC_TRUE, &nbad));
  PetscCall(TestGradient(PETSC_FALSE, &nbad));
  PetscCall(TestGradient(PETSC_TRUE, &nbad));
  PetscCall(TestOutside(&nbad));
  PetscCall(TestCache(dir, &nbad));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "test_nn_dectable: %s\n", nbad ? "FAILED" : "passed"));
  PetscCall(PetscFinalize());
  return nbad ? 1 : 0;
}
