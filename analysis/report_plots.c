/* Plots of a study report with gnuplot (PNG): error and bias against level per axis with CI bands,
   the sensitivity heat map, estimate-vs-truth scatter at the reference and the worst level, training
   curves. Each plot writes its data (plots/NAME.dat) and script (plots/NAME.gp) beside the PNG, so a
   reader can restyle a figure without rerunning anything. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/semg_error.h"
#include "core/semg_h5.h"
#include "estimator/result.h"
#include "analysis/report.h"

static const char *const colours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                                      "#666666", "#1f78b4", "#b2df8a", "#e31a1c", "#000000", "#6a3d9a", "#b15928"};
#define N_COLOURS ((int)(sizeof(colours) / sizeof(colours[0]))) /* 14: every estimator of a study with all extras has its own */

PetscErrorCode SemgReportGnuplot(const char name[])
{
  char cmd[PETSC_MAX_PATH_LEN + 64];
  int  rc;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "gnuplot plots/%s.gp > plots/%s.gnuplot.log 2>&1", name, name));
  rc = system(cmd);
  PetscCheck(rc == 0, PETSC_COMM_SELF, SEMG_ERR_USER, "gnuplot failed on plots/%s.gp (see plots/%s.gnuplot.log; apt-get install gnuplot-nox)", name, name);
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SemgReportGnuplotHeader(FILE *gp, const char name[], int w, int h)
{
  fprintf(gp, "set terminal pngcairo size %d,%d font \",11\"\nset output \"plots/%s.png\"\nset termoption noenhanced\nset grid lc rgb \"#dddddd\"\n", w, h, name);
}

/* MAE and bias of both quantities against level, one line + CI band per estimator. */
PetscErrorCode SemgReportPlotAxis(const SemgReport *R, PetscInt a)
{
  const SemgReportAxis *ax           = &R->axis[a];
  static const char    *panels[4][3] = {
       {"iz_mae_mm",   "IZ MAE (mm)",   "IZ"},
       {"cv_mae_mps",  "CV MAE (m/s)",  "CV"},
       {"iz_bias_mm",  "IZ bias (mm)",  "IZ"},
       {"cv_bias_mps", "CV bias (m/s)", "CV"}
  };
  char  name[128], path[PETSC_MAX_PATH_LEN];
  FILE *dat, *gp;
  int   points[4][SEMG_REPORT_MAX_EST], block[4][SEMG_REPORT_MAX_EST], nblock = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(name, sizeof(name), "axis_%s", ax->name));
  PetscCall(PetscSNPrintf(path, sizeof(path), "plots/%s.dat", name));
  dat = fopen(path, "w");
  PetscCheck(dat, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write %s", path);
  /* block (p, e): level, estimate, lo, hi */
  for (int p = 0; p < 4; p++)
    for (PetscInt e = 0; e < R->n_est; e++) {
      fprintf(dat, "# %s %s\n", panels[p][0], R->est[e]);
      points[p][e] = 0;
      for (PetscInt l = 0; l < ax->n_levels; l++) {
        double v, lo, hi;
        SemgReportValue(R, ax->name, l, R->est[e], panels[p][0], &v, &lo, &hi);
        if (isfinite(v)) fprintf(dat, "%d %.6g %.6g %.6g\n", (int)l, v, isfinite(lo) ? lo : v, isfinite(hi) ? hi : v), points[p][e]++;
      }
      /* gnuplot does not count empty blocks: number only those with points */
      block[p][e] = points[p][e] ? nblock++ : -1;
      if (points[p][e]) fprintf(dat, "\n\n");
    }
  fclose(dat);
  PetscCall(PetscSNPrintf(path, sizeof(path), "plots/%s.gp", name));
  gp = fopen(path, "w");
  PetscCheck(gp, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write %s", path);
  SemgReportGnuplotHeader(gp, name, 1300, 900);
  fprintf(gp, "set multiplot layout 2,2 title \"%s: error (log scale) and bias against level (lines: estimate, bands: 95%% CI)\"\n", ax->name);
  fprintf(gp, "set xtics (");
  for (PetscInt l = 0; l < ax->n_levels; l++) fprintf(gp, "%s\"%s%s\" %d", l ? ", " : "", ax->label[l], l ? "" : " (ref)", (int)l);
  fprintf(gp, ") rotate by -30\nset xrange [-0.3:%g]\nset key outside right top vertical font \",9\"\nset style fill transparent solid 0.15 noborder\n", ax->n_levels - 0.7);
  for (int p = 0; p < 4; p++) {
    int first = 1;
    fprintf(gp, "set xlabel \"%s (%s)\"\nset ylabel \"%s\"\n", ax->name, ax->unit, panels[p][1]);
    /* MAE on a log scale: estimators a hundred times apart stay readable in one panel */
    if (p >= 2) fprintf(gp, "unset logscale y\nset arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb \"#888888\" dt 2\n");
    else fprintf(gp, "set logscale y\nunset arrow 1\n");
    fprintf(gp, "plot ");
    for (PetscInt e = 0; e < R->n_est; e++) {
      int blk = block[p][e];
      if (!SemgReportEstimates(R->est[e], panels[p][2]) || !points[p][e]) continue;
      fprintf(gp, "%s\"plots/%s.dat\" index %d using 1:3:4 with filledcurves lc rgb \"%s\" notitle, \"\" index %d using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb \"%s\" title \"%s\"", first ? "" : ", ", name, blk, colours[e % N_COLOURS], blk, colours[e % N_COLOURS], R->est[e]);
      first = 0;
    }
    /* a panel no estimator has numbers for (every sample failed) still shows its axes */
    if (first) fprintf(gp, "NaN title \"no estimates\"");
    fprintf(gp, "\n");
  }
  fprintf(gp, "unset multiplot\n");
  fclose(gp);
  PetscCall(SemgReportGnuplot(name));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Heat map axis x (estimator, quantity): log2 of the worst MAE over the reference MAE. */
PetscErrorCode SemgReportPlotHeatmap(const SemgReport *R)
{
  FILE *dat, *gp;
  int   col = 0;
  char  cols[SEMG_REPORT_MAX_EST * 2][48];

  PetscFunctionBeginUser;
  dat = fopen("plots/sensitivity.dat", "w");
  PetscCheck(dat, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write plots/sensitivity.dat");
  for (int q = 0; q < 2; q++)
    for (PetscInt e = 0; e < R->n_est; e++) {
      if (!SemgReportEstimates(R->est[e], q ? "CV" : "IZ")) continue;
      PetscCall(PetscSNPrintf(cols[col], sizeof(cols[col]), "%s %s", q ? "CV" : "IZ", R->est[e]));
      for (PetscInt a = 0; a < R->n_axes; a++) {
        const SemgSensitivity *s = &R->sens[a][e][q];
        double                 z = (s->mae0 > 0 && s->mae_worst > 0) ? log2(s->mae_worst / s->mae0) : NAN;
        fprintf(dat, "%d %d %.4g\n", col, (int)a, isfinite(z) ? z : 0.0);
      }
      fprintf(dat, "\n");
      col++;
    }
  fclose(dat);
  gp = fopen("plots/sensitivity.gp", "w");
  PetscCheck(gp, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write plots/sensitivity.gp");
  SemgReportGnuplotHeader(gp, "sensitivity", 200 + 70 * col, 250 + 40 * (int)R->n_axes);
  fprintf(gp, "set title \"sensitivity: log2(worst-level MAE / reference MAE); 1 = doubled\"\nunset grid\n");
  fprintf(gp, "set xtics (");
  for (int c = 0; c < col; c++) fprintf(gp, "%s\"%s\" %d", c ? ", " : "", cols[c], c);
  fprintf(gp, ") rotate by -45 font \",9\"\nset ytics (");
  for (PetscInt a = 0; a < R->n_axes; a++) fprintf(gp, "%s\"%s\" %d", a ? ", " : "", R->axis[a].name, (int)a);
  fprintf(gp, ")\nset xrange [-0.5:%g]\nset yrange [-0.5:%g]\nset xlabel \"estimator (quantity)\"\nset ylabel \"mismatch axis\"\n", col - 0.5, R->n_axes - 0.5);
  fprintf(gp, "set cblabel \"log2(MAE ratio)\"\nset palette defined (-1 \"#2166ac\", 0 \"#f7f7f7\", 1 \"#fddbc7\", 3 \"#b2182b\", 6 "
              "\"#67001f\")\nset cbrange [-1:6]\n");
  fprintf(gp,
          "plot \"plots/sensitivity.dat\" using 1:2:3 with image notitle, \"\" using 1:2:(sprintf(\"%%.1f\",$3)) with labels font \",8\" notitle\n");
  fclose(gp);
  PetscCall(SemgReportGnuplot("sensitivity"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Appends "truth estimate" pairs (IZ in mm, CV in m/s) of one result file to dat; returns the count. */
static PetscErrorCode ScatterBlock(FILE *dat, const char file[], int q, int *count)
{
  SemgResult *r;

  PetscFunctionBeginUser;
  *count = 0;
  if (!file || !file[0]) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(SemgResultRead(PETSC_COMM_SELF, file, &r));
  for (PetscCount i = 0; i < r->n_local; i++) {
    const double s = q ? 1 : 1e3, t = r->theta_true[(size_t)i * r->n_theta + q], e = r->theta_est[(size_t)i * r->n_theta + q];
    if (isfinite(t) && isfinite(e)) fprintf(dat, "%.6g %.6g\n", s * t, s * e), (*count)++;
  }
  PetscCall(SemgResultDestroy(&r));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Estimate against truth per estimator: reference (grey) and its worst condition (red). */
PetscErrorCode SemgReportPlotScatter(const SemgReport *R, int q)
{
  const char *qn = q ? "CV" : "IZ", *unit = q ? "m/s" : "mm";
  char        name[32], title[256];
  FILE       *dat, *gp;
  int         panels = 0, blk[SEMG_REPORT_MAX_EST][2], nblk = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(name, sizeof(name), "scatter_%s", q ? "cv" : "iz"));
  dat = fopen(q ? "plots/scatter_cv.dat" : "plots/scatter_iz.dat", "w");
  PetscCheck(dat, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write plots/%s.dat", name);
  for (PetscInt e = 0; e < R->n_est; e++) {
    if (!SemgReportEstimates(R->est[e], qn)) continue;
    for (int w = 0; w < 2; w++) {
      int cnt;
      PetscCall(ScatterBlock(dat, w ? R->worst[e][q].file : R->worst[e][q].ref_file, q, &cnt));
      /* gnuplot does not count empty blocks: number only those with points */
      blk[e][w] = cnt ? nblk++ : -1;
      if (cnt) fprintf(dat, "\n\n");
    }
    panels++;
  }
  fclose(dat);
  gp = fopen(q ? "plots/scatter_cv.gp" : "plots/scatter_iz.gp", "w");
  PetscCheck(gp, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write plots/%s.gp", name);
  SemgReportGnuplotHeader(gp, name, 1400, panels > 4 ? 760 : 420);
  fprintf(gp, "set multiplot layout %d,%d title \"%s: estimate vs truth at the reference (grey) and at each estimator's worst condition (red)\"\n", panels > 4 ? 2 : 1, panels > 4 ? (panels + 1) / 2 : panels, qn);
  fprintf(gp, "set key bottom right font \",8\"\nset size ratio -1\n");
  for (PetscInt e = 0; e < R->n_est; e++) {
    if (!SemgReportEstimates(R->est[e], qn)) continue;
    PetscCall(PetscSNPrintf(title, sizeof(title), "%s = %s", R->worst[e][q].axis, R->worst[e][q].label));
    fprintf(gp, "set title \"%s\" font \",10\"\nset xlabel \"true %s (%s)\"\nset ylabel \"estimated %s (%s)\"\n", R->est[e], qn, unit, qn, unit);
    if (q) fprintf(gp, "set xrange [2.5:5.5]\nset yrange [2:6]\n");
    else fprintf(gp, "set xrange [-15:15]\nset yrange [-20:20]\n");
    fprintf(gp, "plot x with lines lc rgb \"black\" dt 2 notitle");
    if (blk[e][0] >= 0) fprintf(gp, ", \"plots/%s.dat\" index %d with points pt 7 ps 0.6 lc rgb \"#999999\" title \"reference\"", name, blk[e][0]);
    if (blk[e][1] >= 0) fprintf(gp, ", \"plots/%s.dat\" index %d with points pt 7 ps 0.6 lc rgb \"#d7191c\" title \"%s\"", name, blk[e][1], title);
    fprintf(gp, "\n");
  }
  fprintf(gp, "unset multiplot\n");
  fclose(gp);
  PetscCall(SemgReportGnuplot(name));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Training and validation loss per epoch of every trained model (/train_loss, /val_loss). */
PetscErrorCode SemgReportPlotTraining(const SemgReport *R, PetscBool *made)
{
  FILE *dat, *gp;
  int   nm = 0;

  PetscFunctionBeginUser;
  *made = PETSC_FALSE;
  dat   = fopen("plots/training.dat", "w");
  PetscCheck(dat, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write plots/training.dat");
  for (PetscInt i = 0; i < R->n_models; i++) {
    SemgH5File f;
    hsize_t    dims[2];
    int        nd;
    double    *tl, *vl;
    if (access(R->model[i], R_OK)) continue;
    PetscCall(SemgH5Open(PETSC_COMM_SELF, "-model", R->model[i], &f));
    PetscCall(SemgH5DatasetShape(f.file, "/train_loss", &nd, dims, 2));
    if (nd == 1 && dims[0] > 0) {
      PetscCall(PetscMalloc2(dims[0], &tl, dims[0], &vl));
      PetscCall(SemgH5ReadRows(&f, f.file, "/train_loss", 0, dims[0], tl));
      PetscCall(SemgH5ReadRows(&f, f.file, "/val_loss", 0, dims[0], vl));
      fprintf(dat, "# %s\n", R->model[i]);
      for (hsize_t k = 0; k < dims[0]; k++) fprintf(dat, "%d %.6g %.6g\n", (int)k + 1, tl[k], vl[k]);
      fprintf(dat, "\n\n");
      PetscCall(PetscFree2(tl, vl));
      nm++;
    }
    PetscCall(SemgH5Close(PETSC_COMM_SELF, &f));
  }
  fclose(dat);
  if (!nm) PetscFunctionReturn(PETSC_SUCCESS);
  gp = fopen("plots/training.gp", "w");
  PetscCheck(gp, PETSC_COMM_SELF, SEMG_ERR_USER, "cannot write plots/training.gp");
  SemgReportGnuplotHeader(gp, "training", 900, 550);
  fprintf(gp, "set title \"autoencoder training curves (solid: training, dashed: validation)\"\nset xlabel \"epoch\"\nset ylabel \"loss (mean "
              "squared reconstruction error, signal units^2)\"\nset logscale y\nset key outside right font \",9\"\nplot ");
  for (int i = 0, k = 0; i < (int)R->n_models && k < nm; i++) {
    if (access(R->model[i], R_OK)) continue;
    fprintf(gp, "%s\"plots/training.dat\" index %d using 1:2 with lines lw 2 lc rgb \"%s\" title \"%s\", \"\" index %d using 1:3 with lines lw 2 dt 2 lc rgb \"%s\" notitle", k ? ", " : "", k, colours[k % N_COLOURS], R->model[i], k, colours[k % N_COLOURS]);
    k++;
  }
  fprintf(gp, "\n");
  fclose(gp);
  PetscCall(SemgReportGnuplot("training"));
  *made = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}
