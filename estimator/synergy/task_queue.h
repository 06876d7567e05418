/* A shared queue of independent tasks for the ranks of a communicator (dynamic self-scheduling): tasks are
   handed out in decreasing order of an estimated cost, each to the first rank that asks, through an atomic
   counter on rank 0 (MPI one-sided fetch-and-add). Ranks that are slowed down, by the machine's load or by
   tasks that take longer than estimated, simply take fewer tasks. What a task computes must depend on its
   index only (then results are the same on any number of ranks); who ran it is known afterwards. */
#ifndef SEMG_SYNERGY_TASK_QUEUE_H
#define SEMG_SYNERGY_TASK_QUEUE_H

#include <petscsys.h>

typedef enum { SEMG_SCHEDULE_DYNAMIC = 0, SEMG_SCHEDULE_STATIC = 1 } SemgSchedule;
PETSC_EXTERN const char *const SemgSchedules[];

typedef struct {
  MPI_Comm     comm;
  MPI_Win      win;
  long        *counter; /* on rank 0: the next position in order[] */
  PetscInt     n, next_static;
  PetscInt    *order; /* task ids by decreasing cost, ties by id */
  PetscMPIInt *owner; /* static: the planned owner; after SemgTaskQueueOwners: who ran each task */
  PetscMPIInt  rank, size;
  SemgSchedule schedule;
} SemgTaskQueue;

/* Collective. static: longest processing time first onto the least loaded rank (the plan is fixed before
   any task runs). */
PETSC_EXTERN PetscErrorCode SemgTaskQueueCreate(MPI_Comm comm, SemgSchedule schedule, PetscInt n, const PetscReal *cost, SemgTaskQueue *q);
/* The next task for this rank, or -1 when none is left. */
PETSC_EXTERN PetscErrorCode SemgTaskQueueNext(SemgTaskQueue *q, PetscInt *task);
/* Collective, after every rank got -1: owner[i] = the rank that ran task i (q->owner). */
PETSC_EXTERN PetscErrorCode SemgTaskQueueOwners(SemgTaskQueue *q, const PetscMPIInt **owner);
PETSC_EXTERN PetscErrorCode SemgTaskQueueDestroy(SemgTaskQueue *q);

#endif
