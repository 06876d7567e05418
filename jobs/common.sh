# Shared preamble of the semg job scripts (sourced). Site settings come from the environment or
# jobs/site.env (module loads, partition, account): never hard-coded in the scripts.
set -uo pipefail
[ -n "${SLURM_JOB_ID:-}" ] || { echo "this is a Slurm batch script: submit it with sbatch (or see docs/slurm.md)"; exit 1; }
SEMG_ROOT=${SEMG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
[ -f "$SEMG_ROOT/jobs/site.env" ] && . "$SEMG_ROOT/jobs/site.env"
SEMG=${SEMG:-$SEMG_ROOT/build/bin/semg}
export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1} OPENBLAS_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
# srun starts the ranks through PMIx (Debian's Open MPI needs --mpi=pmix); SEMG_LAUNCH overrides (e.g. mpiexec -n N)
SEMG_LAUNCH=${SEMG_LAUNCH:-srun --mpi=pmix}
echo "[$(date -u +%FT%TZ)] job ${SLURM_JOB_ID} array ${SLURM_ARRAY_TASK_ID:--} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}, ntasks ${SLURM_NTASKS:-1}, semg $(git -C "$SEMG_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"

# Run a step in the background so the shell can trap the pre-timeout USR1 and forward it
# (a shell cannot run a trap while a foreground child runs). Returns the step's exit code.
semg_run_forwarding() {
  local pid rc
  trap 'echo "[$(date -u +%FT%TZ)] USR1/TERM received: asking the step to checkpoint"; kill -USR1 "$pid" 2>/dev/null' USR1 TERM
  # shellcheck disable=SC2086
  $SEMG_LAUNCH "$@" &
  pid=$!
  while :; do
    wait "$pid"; rc=$?
    kill -0 "$pid" 2>/dev/null || break
  done
  trap - USR1 TERM
  return "$rc"
}
