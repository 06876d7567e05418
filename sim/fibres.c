#include <math.h>
#include "core/semg_error.h"
#include "core/semg_csv.h"
#include "sim/fibres.h"

PetscErrorCode SemgMotorUnitSpecDefault(SemgMotorUnitSpec *mu)
{
  PetscFunctionBeginUser;
  mu->n_fibres = 100;
  mu->iz[0] = mu->iz[1]   = 0.0;
  mu->iz[2]               = -0.02; /* 20 mm below the electrode plane z = 0 */
  mu->radius              = 0.004;
  mu->iz_spread           = 0.01;
  mu->tendon_left         = 0.05;
  mu->tendon_right        = 0.05;
  mu->tendon_spread_left  = 0.005;
  mu->tendon_spread_right = 0.005;
  mu->cv_mean             = 4.0;
  mu->cv_sd               = 0.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgMotorUnitSpecSetFromOptions(SemgMotorUnitSpec *mu, const char prefix[])
{
  PetscInt  n = 3;
  PetscReal spread;

  PetscFunctionBeginUser;
  spread = mu->tendon_spread_left;
  PetscOptionsBegin(PETSC_COMM_WORLD, prefix, "Generated motor unit (Merletti 1999 placement)", "semg");
  PetscCall(PetscOptionsInt("-mu_fibres", "number of fibres", "SemgMotorUnitSpec", mu->n_fibres, &mu->n_fibres, NULL));
  PetscCall(PetscOptionsRealArray("-mu_iz", "IZ centre x,y,z (m)", "SemgMotorUnitSpec", mu->iz, &n, NULL));
  PetscCall(PetscOptionsReal("-mu_radius", "territory radius (m)", "SemgMotorUnitSpec", mu->radius, &mu->radius, NULL));
  PetscCall(PetscOptionsReal("-mu_iz_spread", "IP spread along the fibres W_I (m)", "SemgMotorUnitSpec", mu->iz_spread, &mu->iz_spread, NULL));
  PetscCall(PetscOptionsReal("-mu_tendon_left", "IZ centre to left tendon plane L_L (m)", "SemgMotorUnitSpec", mu->tendon_left, &mu->tendon_left, NULL));
  PetscCall(PetscOptionsReal("-mu_tendon_right", "IZ centre to right tendon plane L_R (m)", "SemgMotorUnitSpec", mu->tendon_right, &mu->tendon_right, NULL));
  PetscCall(PetscOptionsReal("-mu_tendon_spread", "tendon-end spread W_T (m)", "SemgMotorUnitSpec", spread, &spread, NULL));
  PetscCall(PetscOptionsReal("-mu_cv", "mean conduction velocity (m/s)", "SemgMotorUnitSpec", mu->cv_mean, &mu->cv_mean, NULL));
  PetscCall(PetscOptionsReal("-mu_cv_sd", "per-fibre CV standard deviation (m/s)", "SemgMotorUnitSpec", mu->cv_sd, &mu->cv_sd, NULL));
  PetscOptionsEnd();
  mu->tendon_spread_left = mu->tendon_spread_right = spread;
  PetscCheck(mu->n_fibres > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-mu_fibres %" PetscInt_FMT " must be > 0", mu->n_fibres);
  PetscCheck(mu->radius >= 0 && mu->iz_spread >= 0 && spread >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-mu_radius, -mu_iz_spread, -mu_tendon_spread must be >= 0");
  PetscCheck(mu->cv_mean > 0 && mu->cv_sd >= 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-mu_cv must be > 0 and -mu_cv_sd >= 0");
  PetscCheck(mu->tendon_left - 0.5 * (spread + mu->iz_spread) > 0 && mu->tendon_right - 0.5 * (spread + mu->iz_spread) > 0, PETSC_COMM_WORLD, SEMG_ERR_USER, "-mu_tendon_left/right must exceed half the IZ and tendon spreads (fibre would have no length on one side)");
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SemgMerlettiFibre(const SemgMotorUnitSpec *mu, const PetscReal u[5], SemgFibre *f)
{
  const PetscReal dx = (u[0] - 0.5) * mu->iz_spread;
  const PetscReal r = sqrt(u[1]) * mu->radius, ang = 2.0 * PETSC_PI * u[2];
  const PetscReal ipx = mu->iz[0] + dx, ipy = mu->iz[1] + r * cos(ang), ipz = mu->iz[2] + r * sin(ang);
  const PetscReal ll = fabs(-mu->tendon_left + (u[3] - 0.5) * mu->tendon_spread_left - dx);
  const PetscReal lr = fabs(mu->tendon_right + (u[4] - 0.5) * mu->tendon_spread_right - dx);

  f->ox     = ipx - ll;
  f->oy     = ipy;
  f->oz     = ipz;
  f->ip     = ll;
  f->length = ll + lr;
  f->rz = f->ry = 0.0;
}

PetscErrorCode SemgMotorUnitGenerate(const SemgMotorUnitSpec *mu, uint64_t seed, uint64_t sample, SemgFibre *fibres)
{
  SemgRng geo, cv;

  PetscFunctionBeginUser;
  SemgRngInit(&geo, seed, sample, SEMG_STREAM_FIBRES);
  SemgRngInit(&cv, seed, sample, SEMG_STREAM_FIBRE_CV);
  for (PetscInt i = 0; i < mu->n_fibres; i++) {
    PetscReal u[5];
    for (int k = 0; k < 5; k++) u[k] = SemgRngUniform(&geo);
    SemgMerlettiFibre(mu, u, &fibres[i]);
    fibres[i].cv = mu->cv_mean;
    if (mu->cv_sd > 0) {
      do fibres[i].cv = mu->cv_mean + mu->cv_sd * SemgRngNormal(&cv);
      while (fibres[i].cv <= 0.5);
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt SemgPoolFibreCount(PetscInt i, PetscInt n_mu)
{
  return (PetscInt)floor(21.0 * exp(log(188.6) * (PetscReal)i / (PetscReal)n_mu) + 0.5);
}

PetscReal SemgPoolMeanCV(PetscInt i, PetscInt n_mu)
{
  return 2.5 + (5.4 - 2.5) * (PetscReal)i / (PetscReal)(n_mu - 1);
}

PetscErrorCode SemgFibresReadCSV(MPI_Comm comm, const char option[], const char path[], PetscInt *nf, SemgFibre **fibres)
{
  static const char *const cols[] = {"origin_x", "origin_y", "origin_z", "ip", "length", "cv"};
  SemgCSVTable             tab;
  PetscInt                 idx[8], irz, iry;

  PetscFunctionBeginUser;
  PetscCall(SemgCSVRead(comm, option, path, &tab));
  for (int c = 0; c < 6; c++) PetscCall(SemgCSVColumn(comm, &tab, cols[c], PETSC_TRUE, &idx[c]));
  PetscCall(SemgCSVColumn(comm, &tab, "rz", PETSC_FALSE, &irz));
  PetscCall(SemgCSVColumn(comm, &tab, "ry", PETSC_FALSE, &iry));
  PetscCheck(tab.nrows > 0, comm, SEMG_ERR_USER, "%s '%s': no fibre rows", option, path);
  *nf = tab.nrows;
  PetscCall(PetscMalloc1(tab.nrows, fibres));
  for (PetscInt i = 0; i < tab.nrows; i++) {
    const PetscReal *row = &tab.values[(size_t)i * tab.ncols];
    SemgFibre       *f   = &(*fibres)[i];
    f->ox = row[idx[0]], f->oy = row[idx[1]], f->oz = row[idx[2]];
    f->ip = row[idx[3]], f->length = row[idx[4]], f->cv = row[idx[5]];
    f->rz = irz >= 0 ? row[irz] : 0.0;
    f->ry = iry >= 0 ? row[iry] : 0.0;
    PetscCheck(f->length > 0, comm, SEMG_ERR_USER, "%s '%s' row %" PetscInt_FMT ": length %g must be > 0", option, path, i + 2, (double)f->length);
    PetscCheck(f->ip >= 0 && f->ip <= f->length, comm, SEMG_ERR_USER, "%s '%s' row %" PetscInt_FMT ": ip %g outside [0, length = %g]", option, path, i + 2,
               (double)f->ip, (double)f->length);
    PetscCheck(f->cv > 0 && f->cv <= 100, comm, SEMG_ERR_USER, "%s '%s' row %" PetscInt_FMT ": cv %g must be in (0, 100] m/s", option, path, i + 2,
               (double)f->cv);
    /* lengths and positions in metres: beyond 10 m a number is a unit mistake, and the grid lead field turns them into counts */
    PetscCheck(f->length <= 10 && PetscAbsReal(f->ox) <= 10 && PetscAbsReal(f->oy) <= 10 && PetscAbsReal(f->oz) <= 10, comm, SEMG_ERR_USER, "%s '%s' row %" PetscInt_FMT ": origin and length must be within 10 m (metres, not mm)", option, path, i + 2);
  }
  PetscCall(SemgCSVTableFree(&tab));
  PetscFunctionReturn(PETSC_SUCCESS);
}
