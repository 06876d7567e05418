/* Reliability plots of a study report: for each estimator whose result files carry a covariance, the
   empirical coverage of its nominal 50/80/90/95/99 % intervals (metrics <q>_coverNN_pct of semg collect)
   at the matched reference and at the largest level of every axis, IZ and CV side by side. A calibrated
   estimator lies on the diagonal; below it the intervals are too narrow. */
#include <math.h>
#include <string.h>
#include "core/semg_error.h"
#include "analysis/coverage.h"
#include "analysis/report.h"

static const char *const rel_colours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
                                          "#e6ab02", "#a6761d", "#666666", "#1f78b4", "#b2df8a"};

/* One data block per (quantity, line): nominal, empirical, Wilson lo, hi; PETSC_FALSE when empty. */
static PetscBool WriteBlock(FILE *dat, const SemgReport *R, const char axis[], PetscInt level, const char est[], const char q[])
{
  char      metric[40];
  PetscBool any = PETSC_FALSE;

  for (int k = 0; k < SEMG_COVERAGE_N; k++) {
    double v, lo, hi;
    PetscSNPrintf(metric, sizeof(metric), "%s_cover%02d_pct", q, (int)SemgCoverageNominal[k]);
    SemgReportValue(R, axis, level, est, metric, &v, &lo, &hi);
    if (!isfinite(v)) continue;
    fprintf(dat, "%g %.6g %.6g %.6g\n", SemgCoverageNominal[k], v, isfinite(lo) ? lo : v, isfinite(hi) ? hi : v);
    any = PETSC_TRUE;
  }
  if (any) fprintf(dat, "\n\n");
  return any;
}

PetscErrorCode SemgReportPlotReliability(const SemgReport *R, PetscInt e, PetscBool *made)
{
  static const char *const qs[2] = {"iz", "cv"}, *const qtitle[2] = {"IZ", "CV"};
  char  name[96], path[PETSC_MAX_PATH_LEN];
  FILE *dat, *gp;
  int   block[2][SEMG_REPORT_MAX_AXES + 1], nblock = 0, nlines = 0;

  PetscFunctionBeginUser;
  *made = PETSC_FALSE;
  if (!R->n_axes) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscSNPrintf(name, sizeof(name), "reliability_%s", R->est[e]));
  PetscCall(PetscSNPrintf(path, sizeof(path), "plots/%s.dat", name));
  dat = fopen(path, "w");
  PetscCheck(dat, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write %s", path);
  /* line 0: the reference (level 0 of the first axis); line 1 + a: axis a at its largest level */
  for (int q = 0; q < 2; q++)
    for (PetscInt l = 0; l <= R->n_axes; l++) {
      const char *axis  = l ? R->axis[l - 1].name : R->axis[0].name;
      PetscInt    level = l ? R->axis[l - 1].n_levels - 1 : 0;
      block[q][l]       = -1;
      if (l && level < 1) continue;
      fprintf(dat, "# %s %s level %d\n", qs[q], axis, (int)level);
      if (WriteBlock(dat, R, axis, level, R->est[e], qs[q])) block[q][l] = nblock++, nlines++;
    }
  fclose(dat);
  if (!nlines) {
    remove(path);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "plots/%s.gp", name));
  gp = fopen(path, "w");
  PetscCheck(gp, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write %s", path);
  SemgReportGnuplotHeader(gp, name, 1200, 1150);
  fprintf(gp, "set multiplot layout 2,1 title \"%s: coverage of the stated intervals (reference and the largest level of each axis; bars: 95%% Wilson interval)\"\n", R->est[e]);
  fprintf(gp, "set xrange [45:100]\nset yrange [0:100]\nset xtics (50, 80, 90, 95, 99)\nset xlabel \"nominal coverage (%%)\"\nset key outside right "
              "top vertical font \",8\"\n");
  for (int q = 0; q < 2; q++) {
    int first = 1;
    fprintf(gp, "set ylabel \"empirical %s coverage (%%)\"\nplot x with lines lc rgb \"#888888\" dt 2 title \"calibrated\"", qtitle[q]);
    for (PetscInt l = 0; l <= R->n_axes; l++) {
      const char *col = l ? rel_colours[(l - 1) % 10] : "#000000";
      char        title[128];
      if (block[q][l] < 0) continue;
      if (l) PetscCall(PetscSNPrintf(title, sizeof(title), "%s = %s", R->axis[l - 1].name, R->axis[l - 1].label[R->axis[l - 1].n_levels - 1]));
      else PetscCall(PetscStrncpy(title, "reference (matched)", sizeof(title)));
      fprintf(gp, ", \"plots/%s.dat\" index %d using 1:2:3:4 with yerrorlines lw %d pt 7 ps 0.6 dt %d lc rgb \"%s\" title \"%s\"", name, block[q][l], l ? 1 : 3, l ? 1 + (int)((l - 1) / 10) : 1, col, title);
      first = 0;
    }
    if (first) fprintf(gp, ", NaN title \"no intervals\"");
    fprintf(gp, "\n");
  }
  fprintf(gp, "unset multiplot\n");
  fclose(gp);
  PetscCall(SemgReportGnuplot(name));
  *made = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}
