static char help[] = "Result status (schema 3): written and read back (.h5 and .csv), derived for a schema-2 file, a bad code rejected, and semg "
                     "collect counting each kind of failure.\n";

#include <math.h>
#include <string.h>
#include <hdf5.h>
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "estimator/result.h"
#include "analysis/metrics.h"

#define N 8

static int failures = 0;

static void Expect(const char *what, double got, double want)
{
  if (!(fabs(got - want) <= 1e-12)) {
    printf("FAIL %s: got %.10g, want %.10g\n", what, got, want);
    failures++;
  } else printf("ok   %s = %.6g\n", what, got);
}

/* N samples, truth IZ (i - 4) mm and CV 4 m/s; estimates 0.1 mm and 0.1 m/s above; sample 0 without
   estimates (status left OK: the writer makes it "no estimate"), 1 at a bound, 2 and 3 not converged. */
static PetscErrorCode MakeResult(SemgResult **res)
{
  char        names[2][SEMG_NAME_LEN] = {"iz", "cv"};
  PetscReal   theta[2 * N];
  SemgDataset ds;
  SemgResult *r;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&ds, sizeof(ds)));
  for (int i = 0; i < N; i++) theta[2 * i] = (i - 4) * 1e-3, theta[2 * i + 1] = 4.0;
  ds.n_examples = ds.n_local = N, ds.n_theta = 2, ds.theta_names = names, ds.theta = theta;
  PetscCall(SemgResultCreate(&ds, "physfit", "none.h5", 0, NULL, NULL, &r));
  for (int i = 1; i < N; i++) r->theta_est[2 * i] = r->theta_true[2 * i] + 1e-4, r->theta_est[2 * i + 1] = r->theta_true[2 * i + 1] + 0.1;
  r->theta_est[2] = r->theta_true[2] + 8e-4; /* the one at a bound is 0.8 mm off: MAE (6 x 0.1 + 0.8) / 7 */
  r->status[1]    = SEMG_STATUS_BOUND;
  r->status[2] = r->status[3] = SEMG_STATUS_NONCONV;
  *res                        = r;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The file as schema 2 wrote it: no /estimates/status, schema_version 2. */
static PetscErrorCode MakeSchema2(const char path[])
{
  hid_t f, root;

  PetscFunctionBeginUser;
  SemgCallH5Id(f, H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT));
  SemgCallH5(H5Ldelete(f, "/estimates/status", H5P_DEFAULT));
  SemgCallH5Id(root, H5Gopen2(f, "/", H5P_DEFAULT));
  SemgCallH5(H5Adelete(root, "schema_version"));
  PetscCall(SemgH5WriteAttrInt(root, "schema_version", 2));
  SemgCallH5(H5Gclose(root));
  SemgCallH5(H5Fclose(f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode SetStatusCode(const char path[], int code)
{
  hid_t f, d;

  PetscFunctionBeginUser;
  SemgCallH5Id(f, H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT));
  SemgCallH5Id(d, H5Dopen2(f, "/estimates/status", H5P_DEFAULT));
  {
    int v[N];
    SemgCallH5(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    v[5] = code;
    SemgCallH5(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
  }
  SemgCallH5(H5Dclose(d));
  SemgCallH5(H5Fclose(f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckStatus(const char path[], const int want[N], const char what[])
{
  SemgResult *r;
  char        s[256];

  PetscFunctionBeginUser;
  PetscCall(SemgResultRead(PETSC_COMM_SELF, path, &r));
  for (int i = 0; i < N; i++) {
    PetscCall(PetscSNPrintf(s, sizeof(s), "%s: status of sample %d", what, i));
    Expect(s, r->status[i], want[i]);
  }
  PetscCall(SemgResultDestroy(&r));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void ExpectRow(const SemgMetricTable *t, const char est[], const char metric[], double want, long want_failed)
{
  const SemgMetricRow *r = SemgMetricFind(t, "a", 0, est, "-", metric);
  char                 s[128];

  snprintf(s, sizeof(s), "collect %s %s", est, metric);
  if (!r) {
    printf("FAIL %s: no row\n", s);
    failures++;
    return;
  }
  Expect(s, r->est, want);
  snprintf(s, sizeof(s), "collect %s %s n_failed", est, metric);
  Expect(s, (double)r->n_failed, (double)want_failed);
}

int main(int argc, char **argv)
{
  const int       want3[N] = {1, 2, 3, 3, 0, 0, 0, 0}, want2[N] = {1, 0, 0, 0, 0, 0, 0, 0};
  SemgResult     *r, *bad;
  SemgMetricTable t = {0, 0, NULL};
  FILE           *fp;
  char            line[256];
  PetscErrorCode  ierr;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(MakeResult(&r));
  PetscCall(SemgResultWrite(PETSC_COMM_SELF, "rs_st3.h5", r));
  PetscCall(SemgResultWrite(PETSC_COMM_SELF, "rs_st2.h5", r));
  PetscCall(SemgResultWrite(PETSC_COMM_SELF, "rs_bad.h5", r));
  PetscCall(SemgResultWrite(PETSC_COMM_SELF, "rs_st.csv", r));
  PetscCall(SemgResultDestroy(&r));
  PetscCall(CheckStatus("rs_st3.h5", want3, "schema 3"));
  PetscCall(MakeSchema2("rs_st2.h5"));
  PetscCall(CheckStatus("rs_st2.h5", want2, "schema 2 (derived)"));
  /* CSV: the status is the last column */
  fp = fopen("rs_st.csv", "r");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "st.csv not written");
  Expect("csv header ends in status", fgets(line, sizeof(line), fp) && !strcmp(line, "sample,iz_est_m,cv_est_mps,iz_true_m,cv_true_mps,status\n"), 1);
  for (int i = 0; i < N && fgets(line, sizeof(line), fp); i++) Expect("csv status column", atoi(strrchr(line, ',') + 1), want3[i]);
  fclose(fp);
  /* a code outside 0..3 is a bad file */
  PetscCall(SetStatusCode("rs_bad.h5", 7));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  bad  = NULL;
  ierr = SemgResultRead(PETSC_COMM_SELF, "rs_bad.h5", &bad);
  PetscCall(PetscPopErrorHandler());
  Expect("status code 7 rejected", ierr != 0, 1);

  /* semg collect over both files: every non-zero status fails, the estimates stay in the MAE */
  fp = fopen("rs_index.tsv", "w");
  fprintf(fp, "file\tkind\taxis\tlevel\tlabel\tvalue\tunit\testimator\tseed\nrs_st3.h5\tresult\ta\t0\tref\t0\t-\tphysfit\t-\nrs_st2."
              "h5\tresult\ta\t0\tref\t0\t-\thybrid\t-\n");
  fclose(fp);
  PetscCall(PetscOptionsSetValue(NULL, "-index", "rs_index.tsv"));
  PetscCall(PetscOptionsSetValue(NULL, "-output", "rs_metrics.csv"));
  PetscCall(PetscOptionsSetValue(NULL, "-bootstrap", "200"));
  PetscCall(SemgCmdCollect(PETSC_COMM_SELF));
  PetscCall(SemgMetricReadCSV("rs_metrics.csv", &t));
  ExpectRow(&t, "physfit", "iz_mae_mm", 0.2, 4);
  ExpectRow(&t, "physfit", "iz_failure_share", 4.0 / N, 4);
  ExpectRow(&t, "physfit", "iz_fail_nan", 1.0 / N, 4);
  ExpectRow(&t, "physfit", "iz_fail_bound", 1.0 / N, 4);
  ExpectRow(&t, "physfit", "iz_fail_nonconv", 2.0 / N, 4);
  ExpectRow(&t, "physfit", "cv_failure_share", 4.0 / N, 4);
  ExpectRow(&t, "hybrid", "iz_mae_mm", 0.2, 1);
  ExpectRow(&t, "hybrid", "iz_failure_share", 1.0 / N, 1);
  ExpectRow(&t, "hybrid", "iz_fail_nan", 1.0 / N, 1);
  ExpectRow(&t, "hybrid", "iz_fail_bound", 0, 1);
  ExpectRow(&t, "hybrid", "iz_fail_nonconv", 0, 1);
  PetscCall(SemgMetricTableFree(&t));
  printf("%s\n", failures ? "FAILED" : "all ok");
  PetscCall(PetscFinalize());
  return failures ? 1 : 0;
}
