/* Planned cost of a study step from per-step costs measured on the development machine (one rank,
   docs/performance.md "Study steps" gives the commands and the figures). Costs scale with the
   samples of the step and divide by the ranks (the steps are data-parallel); a start-up term covers
   MPI/PETSc initialisation and file opening. They are estimates for planning, never results. */
#include <string.h>
#include "experiments/study.h"

typedef struct {
  const char *kind, *detail;
  double      startup, per_sample; /* s, s per sample (train: per sample and epoch) at one rank */
} StepCost;

static const StepCost costs[] = {
  {"testset",   "ccs",             0.5, 0.011 },
  {"testset",   "halfspace",       0.5, 0.42  },
  {"testset",   "layered",         0.5, 0.54  },
  {"testset",   "vc",              1.0, 0.42  },
  {"trainset",  "ccs",             0.5, 0.011 },
  {"trainset",  "halfspace",       0.5, 0.42  },
  {"trainset",  "layered",         0.5, 0.54  },
  {"trainset",  "vc",              1.0, 0.42  },
  {"trainset",  "dr",              0.5, 2.0   }, /* robustness.yaml's DR set (3 interfering units): 1.67 s/sample measured */
  {"leadfield", "",                10,  0     },
  {"train",     "layered",         2.0, 0.0013}, /* decoder table read from the cache */
  {"train",     "",                1.0, 0.0057},
  {"estimate",  "layered",         1.6, 0.0045},
  {"estimate",  "",                0.6, 0.0015},
  {"dectable",  "autoencoder",     150, 0     }, /* the 3-axis layered table, built once (train_layered.s1) */
  {"dectable",  "physfit_layered", 60,  0     }, /* the 2-axis layered table (baseline.physfit_layered.reference) */
  {"baseline",  "physfit_layered", 1.0, 0.02  }, /* measured 0.06 x physfit per sample (CPU, side by side) */
  {"baseline",  "hybrid",          0.5, 0.066 }, /* measured 0.20 x physfit per sample (CPU, side by side) */
  {"baseline",  "physfit",         0.5, 0.16  },
  {"baseline",  "",                0.5, 0.001 },
  {"collect",   "",                0.5, 0.032 },
  {"report",    "",                2.0, 0.3   },
};

PetscReal SemgStudyStepCost(const char kind[], const char detail[], PetscInt n, PetscInt epochs, PetscInt ranks)
{
  for (size_t i = 0; i < sizeof(costs) / sizeof(costs[0]); i++) {
    const StepCost *c = &costs[i];
    if (strcmp(c->kind, kind) || (c->detail[0] && strcmp(c->detail, detail))) continue;
    double work = c->per_sample * (double)n * (epochs > 0 ? (double)epochs : 1.0);
    /* mpiexec's own start-up (about 1 s here) when the step runs on more than one rank */
    return (PetscReal)(c->startup + (ranks > 1 ? 1.0 : 0.0) + work / (double)(ranks > 0 ? ranks : 1));
  }
  return 1.0;
}
