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
[ "$n" != "${SHIM_SBATCH_FAIL:-}" ] || { echo "sbatch: error: Batch job submission failed" >&2; exit 1; }
if [[ " $* " == *" --parsable "* ]]; then echo "$n"; else echo "Submitted batch job $n"; fi
SH
cat > shims/scancel <<'SH'
#!/usr/bin/env bash
echo "scancel $*" >> "$SHIM_LOG"
SH
cat > shims/scontrol <<'SH'
#!/usr/bin/env bash
echo "scontrol $*" >> "$SHIM_LOG"
exit "${SHIM_SCONTROL_RC:-0}"
SH
cat > shims/squeue <<'SH'
#!/usr/bin/env bash
echo "${SHIM_SQUEUE:-UNLIMITED}"
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
    # a comment and a blank line: counted the same way by pipeline.sh and the array tasks
    printf "# sets\ntrain.h5\t-n 8\n\ntest.h5\t-n 4 -seed 2\n" > manifest.tsv
    echo "data: train.h5" > train.yaml
    bash "$SEMG_SOURCE/jobs/pipeline.sh" --sbatch "-p short -A proj" --train "-n 4 --time=1:00:00" manifest.tsv train.yaml model.h5 test.h5 out > log.txt 2>&1 || fail "pipeline.sh"
    grep -q "sbatch --parsable --export=ALL,SEMG_ROOT=$SEMG_SOURCE -n 2 --time=1:00:00 -p short -A proj --array=0-1%8 --output=logs/%x_%A_%a.out .*simulate.sbatch manifest.tsv" shim.log || fail "array submission: $(cat shim.log)"
    grep -q "sbatch .* -p short -A proj -n 4 --time=1:00:00 --time=1:00:00 --signal=USR1@300 --requeue .*SEMG_SIGNAL_LEAD=300 --dependency=afterok:1001 --kill-on-invalid-dep=yes .*train.sbatch train.yaml" shim.log || fail "train options and dependency: $(cat shim.log)"
    grep -q "sbatch .*--dependency=afterok:1002 --kill-on-invalid-dep=yes .*estimate.sbatch model.h5 test.h5 out" shim.log || fail "estimate dependency"
    # array task 1 of the simulate script produces the second dataset
    SLURM_JOB_ID=1001 SLURM_ARRAY_TASK_ID=1 SLURM_NTASKS=2 bash "$SEMG_SOURCE/jobs/simulate.sbatch" manifest.tsv >> log.txt 2>&1 || fail "simulate task 1"
    [[ "$("$SEMG" info -data test.h5)" == *"4 examples"* ]] || fail "test.h5 from array task 1"
    [[ "$(SLURM_JOB_ID=1001 SLURM_ARRAY_TASK_ID=1 bash "$SEMG_SOURCE/jobs/simulate.sbatch" manifest.tsv)" == *"nothing to do"* ]] || fail "rerun of a finished task must exit at once"
    # bad manifests and too short a time: one clear line, exit 2, nothing submitted
    printf "a.h5 -n 4\n" > spaces.tsv
    : > shim.log
    out=$(bash "$SEMG_SOURCE/jobs/pipeline.sh" spaces.tsv train.yaml m.h5 a.h5 out 2>&1); rc=$?
    [ $rc -eq 2 ] && [[ $out == *"line 1: expected 'output.h5<TAB>options', found no TAB"* ]] || fail "spaces manifest: rc $rc: $out"
    out=$(bash "$SEMG_SOURCE/jobs/pipeline.sh" --train "-t 1" manifest.tsv train.yaml m.h5 a.h5 out 2>&1); rc=$?
    [ $rc -eq 2 ] && [[ $out == *"--time=1 is too short"* ]] || fail "--time=1: rc $rc: $out"
    [ ! -s shim.log ] || fail "a refused pipeline submitted: $(cat shim.log)"
    # a submission failing half-way cancels what it submitted
    : > shim.log
    out=$(SHIM_SBATCH_FAIL=1002 bash "$SEMG_SOURCE/jobs/pipeline.sh" manifest.tsv train.yaml m.h5 a.h5 out 2>&1); rc=$?
    [ $rc -eq 1 ] && grep -q "^scancel 1001$" shim.log && [[ $out == *"cancelled the jobs already submitted: 1001"* ]] || fail "half-way failure: rc $rc: $out $(cat shim.log)"
    echo "pipeline: sbatch options passed, array, afterok chain, manifest comments/blank lines, idempotent task, refusals ok"
    ;;
  common)
    . "$SEMG_SOURCE/jobs/common.sh"
    for c in 30=1800 0:59=59 59:30=3570 1:00:00=3600 10:05=605 2-3=183600 2-3:04=183840 1-00:00:00=86400 0-00:05:00=300; do
      [ "$(semg_slurm_seconds "${c%=*}")" = "${c#*=}" ] || fail "semg_slurm_seconds ${c%=*} = $(semg_slurm_seconds "${c%=*}"), want ${c#*=}"
    done
    semg_slurm_seconds UNLIMITED > /dev/null && fail "UNLIMITED parsed as a time"
    [ "$(semg_signal_lead 120)" = 60 ] && [ "$(semg_signal_lead 360)" = 90 ] && [ "$(semg_signal_lead 86400)" = 300 ] || fail "semg_signal_lead"
    printf "# c\n\na.h5\t-n 1\n  \nb.h5\t-n 2 -seed 3\n" > m.tsv
    [ "$(semg_manifest_lines m.tsv | cut -f1 | tr '\n' ' ')" = "a.h5 b.h5 " ] || fail "manifest lines: $(semg_manifest_lines m.tsv)"
    echo "common: Slurm times (minutes, M:S, H:M:S, days), signal lead, manifest lines ok"
    ;;
  train_requeue)
    "$SEMG" simulate -n 96 -samples 48 -array_n 8 -fs 2500 -quiet -output train.h5 > log.txt 2>&1 || fail "simulate"
    { printf "data: train.h5\noutput: model.h5\ntrain_epochs: 2000\n"; cat "$SEMG_SOURCE/tests/jobs/train_small.yaml"; } > train.yaml
    export SLURM_JOB_ID=4242 SLURM_NTASKS=2
    # Slurm's --signal=USR1@T (no B:) signals the step: here the launcher (srun shim -> mpiexec), which forwards it
    start_train() {
      rm -rf model_ckpt
      bash "$SEMG_SOURCE/jobs/train.sbatch" train.yaml > "$1" 2>&1 &
      pid=$!
      for i in $(seq 1 100); do ls model_ckpt/DONE_* > /dev/null 2>&1 && break; sleep 0.2; done
      sleep 1
      step=$(pgrep -P "$pid" | head -1)
      [ -n "$step" ] || fail "no step process under the batch script"
    }
    # scancel: TERM to the batch shell and the step -> checkpoint, no requeue, non-zero exit
    start_train term.txt
    kill -TERM "$pid" "$step"
    wait "$pid"; rc=$?
    cat term.txt >> log.txt
    [ "$rc" -ne 0 ] || fail "script exit 0 after TERM (dependants would run)"
    grep -q "scontrol requeue" shim.log && fail "TERM requeued the job"
    grep -q "stopped by TERM" term.txt || fail "no TERM message: $(cat term.txt)"
    # failed requeue: non-zero exit
    export SHIM_SCONTROL_RC=1
    start_train norequeue.txt
    kill -USR1 "$step"
    wait "$pid"; rc=$?
    unset SHIM_SCONTROL_RC
    cat norequeue.txt >> log.txt
    [ "$rc" -eq 99 ] && grep -q "scontrol requeue 4242 failed" norequeue.txt || fail "failed requeue: exit $rc: $(cat norequeue.txt)"
    # a too-short time limit is refused before any work
    out=$(SHIM_SQUEUE=5:00 bash "$SEMG_SOURCE/jobs/train.sbatch" train.yaml 2>&1); rc5=$?
    [ $rc5 -eq 2 ] && [[ $out == *"less than 60 s before the pre-timeout signal"* ]] || fail "--time=5 with a 300 s lead: rc $rc5: $out"
    # -max_wall_time from the time left (squeue %L = 1:40) minus SEMG_WALL_MARGIN: budget stop, requeue
    rm -rf model_ckpt; : > shim.log
    SHIM_SQUEUE=1:40 SEMG_SIGNAL_LEAD=30 SEMG_WALL_MARGIN=97 bash "$SEMG_SOURCE/jobs/train.sbatch" train.yaml > wall.txt 2>&1; rc=$?
    cat wall.txt >> log.txt
    [ $rc -eq 0 ] && grep -q "scontrol requeue 4242" shim.log && grep -q "stop requested" wall.txt || fail "-max_wall_time 3: exit $rc: $(cat wall.txt)"
    # the pre-timeout signal: checkpoint, exit 99, requeue
    rm -rf model_ckpt; : > shim.log
    start_train run1.txt
    kill -USR1 "$step"
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
