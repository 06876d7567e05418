#include "core/semg_error.h"
#include "estimator/synergy/task_queue.h"

const char *const SemgSchedules[] = {"dynamic", "static", "SemgSchedule", "SEMG_SCHEDULE_", NULL};

/* Static plan: longest processing time first, each task to the least loaded rank (ties by rank). */
static void PlanStatic(SemgTaskQueue *q, const PetscReal *cost, PetscReal *load)
{
  for (PetscMPIInt r = 0; r < q->size; r++) load[r] = 0;
  for (PetscInt k = 0; k < q->n; k++) {
    PetscMPIInt best = 0;
    for (PetscMPIInt r = 1; r < q->size; r++)
      if (load[r] < load[best]) best = r;
    q->owner[q->order[k]] = best;
    load[best] += cost[q->order[k]];
  }
}

PetscErrorCode SemgTaskQueueCreate(MPI_Comm comm, SemgSchedule schedule, PetscInt n, const PetscReal *cost, SemgTaskQueue *q)
{
  PetscReal *load;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(q, sizeof(*q)));
  q->comm     = comm;
  q->n        = n;
  q->schedule = schedule;
  PetscCallMPI(MPI_Comm_rank(comm, &q->rank));
  PetscCallMPI(MPI_Comm_size(comm, &q->size));
  PetscCall(PetscMalloc2(n, &q->order, n, &q->owner));
  PetscCall(PetscMalloc1(q->size, &load));
  for (PetscInt i = 0; i < n; i++) {
    q->order[i] = i;
    q->owner[i] = -1;
  }
  for (PetscInt i = 1; i < n; i++) /* insertion sort, stable: n is small */
    for (PetscInt j = i; j > 0 && cost[q->order[j]] > cost[q->order[j - 1]]; j--) {
      PetscInt t      = q->order[j];
      q->order[j]     = q->order[j - 1];
      q->order[j - 1] = t;
    }
  if (schedule == SEMG_SCHEDULE_STATIC) PlanStatic(q, cost, load);
  else {
    PetscCallMPI(MPI_Win_allocate(q->rank == 0 ? (MPI_Aint)sizeof(long) : 0, sizeof(long), MPI_INFO_NULL, comm, &q->counter, &q->win));
    if (q->rank == 0) *q->counter = 0;
    PetscCallMPI(MPI_Barrier(comm)); /* the counter is 0 before anyone takes a task */
    PetscCallMPI(MPI_Win_lock_all(0, q->win));
  }
  PetscCall(PetscFree(load));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTaskQueueNext(SemgTaskQueue *q, PetscInt *task)
{
  long one = 1, k;

  PetscFunctionBeginUser;
  *task = -1;
  if (q->schedule == SEMG_SCHEDULE_STATIC) {
    while (q->next_static < q->n && q->owner[q->order[q->next_static]] != q->rank) q->next_static++;
    if (q->next_static < q->n) *task = q->order[q->next_static++];
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCallMPI(MPI_Fetch_and_op(&one, &k, MPI_LONG, 0, 0, MPI_SUM, q->win));
  PetscCallMPI(MPI_Win_flush(0, q->win));
  if (k < q->n) {
    *task           = q->order[k];
    q->owner[*task] = q->rank;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTaskQueueOwners(SemgTaskQueue *q, const PetscMPIInt **owner)
{
  PetscFunctionBeginUser;
  *owner = q->owner;
  if (q->schedule == SEMG_SCHEDULE_STATIC) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCallMPI(MPI_Win_unlock_all(q->win));
  PetscCallMPI(MPI_Win_free(&q->win));
  q->schedule = SEMG_SCHEDULE_STATIC; /* the queue is spent: owners are final */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, q->owner, (PetscMPIInt)q->n, MPI_INT, MPI_MAX, q->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SemgTaskQueueDestroy(SemgTaskQueue *q)
{
  PetscFunctionBeginUser;
  if (q->schedule == SEMG_SCHEDULE_DYNAMIC) {
    PetscCallMPI(MPI_Win_unlock_all(q->win));
    PetscCallMPI(MPI_Win_free(&q->win));
  }
  PetscCall(PetscFree2(q->order, q->owner));
  PetscFunctionReturn(PETSC_SUCCESS);
}
