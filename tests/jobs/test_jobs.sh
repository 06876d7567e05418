#!/usr/bin/env bash
# Slurm job scripts without a cluster (hpc-conventions.md 9): PATH shims for sbatch, scontrol and
# srun (srun -> mpiexec), the batch scripts run directly with SLURM_* variables.
# Usage: test_jobs.sh pipeline|train_requeue
set -uo pipefail
name=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; [ -f log.txt ] && tail -20 log.txt; exit 1; }
mkdir shims logs
cat > shims/sbatch <<'SH'
#!/usr/bin/env bash
echo "sbatch $*" >> "$SHIM_LOG"
n=$(( $(grep -c '^sbatch' "$SHIM_LOG") + 1000 ))
if [[ " $* " == *" --parsable "* ]]; then echo "$n"; else echo "Submitted batch job $n"; fi
SH
cat > shims/scontrol <<'SH'
#!/usr/bin/env bash
echo "scontrol $*" >> "$SHIM_LOG"
SH
cat > shims/srun <<'SH'
#!/usr/bin/env bash
# srun --mpi=pmix CMD... -> mpiexec -n $SLURM_NTASKS CMD... (exec: signals reach mpiexec, which forwards USR1)
args=()
for a in "$@"; do case "$a" in --mpi=*) ;; *) args+=("$a") ;; esac; done
exec "$MPIEXEC" "$NPFLAG" "${SLURM_NTASKS:-1}" "${args[@]}"
SH
chmod +x shims/*
export PATH="$work/shims:$PATH" SHIM_LOG="$work/shim.log" SEMG_ROOT="$SEMG_SOURCE"
touch shim.log

case "$name" in
  pipeline)
    printf "train.h5\t-n 8\ntest.h5\t-n 4 -seed 2\n" > manifest.tsv
    bash "$SEMG_SOURCE/jobs/pipeline.sh" manifest.tsv train.yaml model.h5 test.h5 out > log.txt 2>&1 || fail "pipeline.sh"
    grep -q "sbatch --parsable --array=0-1%8 .*simulate.sbatch manifest.tsv" shim.log || fail "array submission: $(cat shim.log)"
    grep -q "sbatch --parsable --dependency=afterok:1001 --kill-on-invalid-dep=yes .*train.sbatch train.yaml" shim.log || fail "train dependency"
    grep -q "sbatch --parsable --dependency=afterok:1002 --kill-on-invalid-dep=yes .*estimate.sbatch model.h5 test.h5 out" shim.log || fail "estimate dependency"
    # array task 1 of the simulate script produces the second dataset
    SLURM_JOB_ID=1001 SLURM_ARRAY_TASK_ID=1 SLURM_NTASKS=2 bash "$SEMG_SOURCE/jobs/simulate.sbatch" manifest.tsv >> log.txt 2>&1 || fail "simulate task 1"
    [[ "$("$SEMG" info -data test.h5)" == *"4 examples"* ]] || fail "test.h5 from array task 1"
    [[ "$(SLURM_JOB_ID=1001 SLURM_ARRAY_TASK_ID=1 bash "$SEMG_SOURCE/jobs/simulate.sbatch" manifest.tsv)" == *"nothing to do"* ]] || fail "rerun of a finished task must exit at once"
    echo "pipeline: array, afterok chain and idempotent array task ok"
    ;;
  train_requeue)
    "$SEMG" simulate -n 96 -samples 48 -array_n 8 -fs 2500 -quiet -output train.h5 > log.txt 2>&1 || fail "simulate"
    cat > train.yaml <<'YAML'
data: train.h5
output: model.h5
train_epochs: 2000
train_patience: 0
train_global_batch: 16
train_quiet: true
enc_type: mlp
enc_dense: 16
dec_fibres: 10
YAML
    export SLURM_JOB_ID=4242 SLURM_NTASKS=2
    bash "$SEMG_SOURCE/jobs/train.sbatch" train.yaml > run1.txt 2>&1 &
    pid=$!
    for i in $(seq 1 100); do ls model_ckpt/DONE_* > /dev/null 2>&1 && break; sleep 0.2; done
    sleep 1
    kill -USR1 "$pid"
    wait "$pid"; rc=$?
    cat run1.txt >> log.txt
    [ "$rc" -eq 0 ] || fail "script exit $rc after checkpoint (want 0 after requeue)"
    grep -q "scontrol requeue 4242" shim.log || fail "no requeue after exit 99"
    [ ! -e model_ckpt/FINAL ] || fail "run finished before the signal (test too short)"
    n1=$(ls model_ckpt/DONE_* | wc -l)
    # the requeued run resumes and finishes (shortened by a step cap in the environment)
    last=$(ls model_ckpt/DONE_* | sed 's/.*DONE_0*//' | sort -n | tail -1)
    { cat train.yaml; echo "train_max_steps: $(( last + 20 ))"; } > train_short.yaml
    SLURM_RESTART_COUNT=1 bash "$SEMG_SOURCE/jobs/train.sbatch" train_short.yaml > run2.txt 2>&1; rc=$?
    cat run2.txt >> log.txt
    [ "$rc" -eq 0 ] || fail "resumed run exit $rc"
    grep -qi "resum" run2.txt || fail "second run did not resume from a checkpoint"
    # a third run after FINAL exits 0 at once
    SLURM_RESTART_COUNT=2 bash "$SEMG_SOURCE/jobs/train.sbatch" train_short.yaml > run3.txt 2>&1 || fail "rerun after FINAL"
    grep -q "FINAL" run3.txt || fail "rerun after FINAL did not say so: $(cat run3.txt)"
    cat run1.txt run2.txt | grep -iE "resum|USR1|checkpoint|requeue"
    echo "train_requeue: USR1 -> checkpoint ($n1 complete) -> exit 99 -> requeue; resumed run finished; rerun idempotent"
    ;;
  *) fail "unknown test $name" ;;
esac
