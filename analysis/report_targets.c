/* The report's section on the estimators built to survive model error (docs/studies.md "Robust
   estimators"): each one's design target computed from metrics.csv and marked met or not met. Written only
   for the estimators the study ran; a pair whose rows are missing is left out, never guessed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/report.h"

static const char *const mae_metric[2] = {"iz_mae_mm", "cv_mae_mps"};
static const char *const quantity[2]   = {"IZ", "CV"};

static PetscBool Has(const SemgReport *R, const char est[])
{
  for (PetscInt e = 0; e < R->n_est; e++)
    if (!strcmp(R->est[e], est)) return PETSC_TRUE;
  return PETSC_FALSE;
}

static double Mae(const SemgReport *R, PetscInt a, PetscInt l, const char est[], int q)
{
  double v, lo, hi;
  SemgReportValue(R, R->axis[a].name, l, est, mae_metric[q], &v, &lo, &hi);
  return v;
}

static PetscInt AxisIndex(const SemgReport *R, const char name[])
{
  for (PetscInt a = 0; a < R->n_axes; a++)
    if (!strcmp(R->axis[a].name, name)) return a;
  return -1;
}

static void RatioCell(FILE *fp, double r, double target, PetscBool at_least, int *met, int *n)
{
  if (!isfinite(r)) {
    fprintf(fp, " – |");
    return;
  }
  const PetscBool ok = at_least ? (PetscBool)(r >= target) : (PetscBool)(r <= target);
  fprintf(fp, " %.2f%s |", r, ok ? "" : " (not met)");
  (*n)++, *met += ok;
}

/* Part 1: MAE of the CCS decoder over the layered decoder on the layered conductor and every fat level. */
static void TissueAware(FILE *fp, const SemgReport *R)
{
  const char *pair[2][2] = {
    {"autoencoder", "autoencoder_layered"},
    {"physfit",     "physfit_layered"    }
  };
  PetscInt ac = AxisIndex(R, "conductor"), af = AxisIndex(R, "fat_thickness");
  int      met[2] = {0, 0}, n[2] = {0, 0};

  if (!(Has(R, "autoencoder_layered") && Has(R, "autoencoder")) && !(Has(R, "physfit_layered") && Has(R, "physfit"))) return;
  fprintf(fp, "### Tissue-aware decoders\n\nMAE with the infinite-medium CCS decoder divided by the MAE with the layered decoder, on the layered "
              "conductor and every fat thickness; target: at least 3 for IZ and CV.\n\n| condition | autoencoder IZ | autoencoder CV | physfit IZ | "
              "physfit CV |\n|---|---|---|---|---|\n");
  for (PetscInt k = 0; k < 2; k++) {
    const PetscInt a = k ? af : ac;
    if (a < 0) continue;
    for (PetscInt l = 1; l < R->axis[a].n_levels; l++) {
      char cond[96];
      if (!k && strcmp(R->axis[a].label[l], "layered")) continue;
      SemgReportConditionLabel(R, a, l, cond, sizeof(cond));
      fprintf(fp, "| %s |", cond);
      for (int p = 0; p < 2; p++)
        for (int q = 0; q < 2; q++) RatioCell(fp, Mae(R, a, l, pair[p][0], q) / Mae(R, a, l, pair[p][1], q), 3.0, PETSC_TRUE, &met[p], &n[p]);
      fprintf(fp, "\n");
    }
  }
  fprintf(fp, "\nTarget met in %d of %d cells (autoencoder_layered) and %d of %d (physfit_layered).\n\n", met[0], n[0], met[1], n[1]);
}

/* Part 2: the hybrid's MAE against the physics fit's on every condition, and its cost per sample. */
static void Hybrid(FILE *fp, const SemgReport *R)
{
  double ratio[SEMG_REPORT_MAX_AXES * SEMG_REPORT_MAX_LEVELS];
  int    within = 0, pairs = 0, nr = 0, misses = 0;

  if (!Has(R, "hybrid") || !Has(R, "physfit")) return;
  fprintf(fp, "### Hybrid fit\n\nTarget: MAE within 5 %% of the multi-start physics fit's on every condition (level 0 counted once), at no more than "
              "1/10 of its cost per sample.\n\nConditions where hybrid MAE / physfit MAE > 1.05:");
  for (PetscInt a = 0; a < R->n_axes; a++)
    for (PetscInt l = (a ? 1 : 0); l < R->axis[a].n_levels; l++) {
      double v, lo, hi, w, h, c;
      for (int q = 0; q < 2; q++) {
        const double r = Mae(R, a, l, "hybrid", q) / Mae(R, a, l, "physfit", q);
        char         cond[96];
        if (!isfinite(r)) continue;
        pairs++;
        if (r <= 1.05) {
          within++;
          continue;
        }
        SemgReportConditionLabel(R, a, l, cond, sizeof(cond));
        fprintf(fp, "%s %s %s %.2f", misses++ ? ";" : "", cond, quantity[q], r);
      }
      SemgReportValue(R, R->axis[a].name, l, "hybrid", "seconds_per_sample", &h, &lo, &hi);
      SemgReportValue(R, R->axis[a].name, l, "autoencoder", "seconds_per_sample", &w, &lo, &hi);
      SemgReportValue(R, R->axis[a].name, l, "physfit", "seconds_per_sample", &v, &lo, &hi);
      c = (h + (isfinite(w) ? w : 0)) / v;
      if (isfinite(c)) ratio[nr++] = c;
    }
  fprintf(fp, "%s.\n\nWithin 5 %% in **%d of %d** (condition, quantity) pairs: target %s.", misses ? "" : " none", within, pairs, within == pairs ? "met" : "not met");
  if (nr) {
    double t;
    for (int i = 1; i < nr; i++) /* insertion sort: a few dozen conditions */
      for (int j = i; j > 0 && ratio[j - 1] > ratio[j]; j--) t = ratio[j], ratio[j] = ratio[j - 1], ratio[j - 1] = t;
    fprintf(fp,
            " Cost per sample, (hybrid + its autoencoder start) / physfit per condition: median **%.3f** (range %.3f-%.3f over %d conditions; from "
            "the study's own "
            "steps, which need not have run at the same time): target %s.",
            ratio[nr / 2], ratio[0], ratio[nr - 1], nr, ratio[nr / 2] <= 0.1 ? "met" : "not met");
  }
  fprintf(fp, "\n\n");
}

/* Part 3: a domain-randomised autoencoder at the largest level of every axis and at the reference. */
static void DomainRandomisedTable(FILE *fp, const SemgReport *R, const char dr[], const char what[])
{
  int met = 0, n = 0;

  fprintf(fp, "**%s** (%s)\n\n| condition | IZ | CV |\n|---|---|---|\n| reference (DR / matched) |", dr, what);
  for (int q = 0; q < 2; q++) RatioCell(fp, Mae(R, 0, 0, dr, q) / Mae(R, 0, 0, "autoencoder", q), 1.5, PETSC_FALSE, &met, &n);
  fprintf(fp, "\n");
  for (PetscInt a = 0; a < R->n_axes; a++) {
    const PetscInt l = R->axis[a].n_levels - 1;
    char           cond[96];
    if (l < 1) continue;
    SemgReportConditionLabel(R, a, l, cond, sizeof(cond));
    fprintf(fp, "| %s |", cond);
    for (int q = 0; q < 2; q++) RatioCell(fp, Mae(R, a, l, "autoencoder", q) / Mae(R, a, l, dr, q), 2.0, PETSC_TRUE, &met, &n);
    fprintf(fp, "\n");
  }
  fprintf(fp, "\nTarget met in %d of %d cells.\n\n", met, n);
}

static void DomainRandomised(FILE *fp, const SemgReport *R)
{
  static const char *const dr[] = {"autoencoder_dr", "autoencoder_dr_sup"}, *const what[] = {"unsupervised, as the matched one",
                                                                                             "with a supervised term on IZ and CV"};

  if (!Has(R, "autoencoder") || (!Has(R, dr[0]) && !Has(R, dr[1]))) return;
  fprintf(fp, "### Domain-randomised training\n\nMAE of the matched-trained autoencoder divided by the domain-randomised one's at the largest level "
              "of every axis (target: at least 2), and at the reference the domain-randomised MAE over the matched-trained one's (target: at most "
              "1.5).\n\n");
  for (int k = 0; k < 2; k++)
    if (Has(R, dr[k])) DomainRandomisedTable(fp, R, dr[k], what[k]);
}

/* Part 4: coverage of the nominal 95 % intervals at the matched reference, target 93-97 %. */
static void Coverage(FILE *fp, const SemgReport *R)
{
  PetscBool any = PETSC_FALSE;

  for (PetscInt e = 0; e < R->n_est; e++) {
    double v[2], lo, hi;
    for (int q = 0; q < 2; q++) SemgReportValue(R, R->axis[0].name, 0, R->est[e], q ? "cv_cover95_pct" : "iz_cover95_pct", &v[q], &lo, &hi);
    if (!isfinite(v[0]) && !isfinite(v[1])) continue;
    if (!any)
      fprintf(fp, "### Calibrated uncertainty\n\nCoverage of the nominal 95 %% intervals at the matched reference; target 93-97 %%.\n\n| estimator | "
                  "IZ | CV |\n|---|---|---|\n");
    any = PETSC_TRUE;
    fprintf(fp, "| %s |", R->est[e]);
    for (int q = 0; q < 2; q++)
      if (isfinite(v[q])) fprintf(fp, " %.1f %%%s |", v[q], v[q] >= 93 && v[q] <= 97 ? "" : " (not met)");
      else fprintf(fp, " – |");
    fprintf(fp, "\n");
  }
  if (any) fprintf(fp, "\n");
}

void SemgReportTargets(FILE *fp, const SemgReport *R)
{
  const PetscBool any = (PetscBool)(Has(R, "autoencoder_layered") || Has(R, "physfit_layered") || Has(R, "hybrid") || Has(R, "autoencoder_dr") || Has(R, "autoencoder_dr_sup"));

  if (!any || !R->n_axes) return;
  fprintf(fp, "## Estimators built to survive model error, against their targets\n\nRatios of the MAE rows above (trained estimators: mean over "
              "training seeds); docs/studies.md \"Robust estimators\" says what each estimator is.\n\n");
  TissueAware(fp, R);
  Hybrid(fp, R);
  DomainRandomised(fp, R);
  Coverage(fp, R);
}
