#!/usr/bin/env bash
# The job scripts against a real scheduler: a private one-node Slurm cluster (slurm_cluster.sh) runs
# jobs/pipeline.sh (simulate array -> train -> estimate); the training gets the real pre-timeout
# signal, checkpoints, requeues itself and resumes; its estimates must equal a local run's bitwise.
# Exit 77 (CTest: skipped) when Slurm or munge is not installed or not root.
# Usage: test_slurm.sh pipeline|study
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/slurm_cluster.sh" check || exit 77
work=$SEMG_BUILD/slurm-test-$1
cluster=$work/cluster
bash "$here/slurm_cluster.sh" stop "$cluster" > /dev/null  # left over by a killed run (PID files)
rm -rf "$work" && mkdir -p "$work/run" || exit 1
t0=$(date +%s)
log() { echo "[slurm-test +$(( $(date +%s) - t0 ))s] $*"; }
fail() {
  log "FAIL: $*"
  squeue -o "%i %T %r" 2> /dev/null; sinfo -N -o "%N %T %E" 2> /dev/null
  tail -n 15 "$cluster"/log/slurmctld.log "$cluster"/log/slurmd.log "$work"/run/logs/* "$work"/run/*/logs/semg-* 2> /dev/null
  exit 1
}
cleanup() { bash "$here/slurm_cluster.sh" stop "$cluster"; [ "${KEEP:-0}" = 1 ] || rm -rf "$work"; }
bash "$here/slurm_cluster.sh" start "$cluster"; rc=$?
[ $rc -eq 77 ] && exit 77
trap cleanup EXIT
trap 'exit 1' TERM INT
[ $rc -eq 0 ] || fail "the private cluster did not start"
export SLURM_CONF=$cluster/slurm.conf PATH=$PATH:/usr/sbin
cd "$work/run" || exit 1

job_state() { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
job_field() { scontrol show job "$1" 2> /dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
wait_done() {  # wait_done JOB SECONDS: until the job has left the queue or ended
  local s
  for _ in $(seq 1 "$2"); do
    s=$(job_state "$1"); case "$s" in COMPLETED|FAILED|CANCELLED|TIMEOUT|"") return 0 ;; esac; sleep 1
  done
  fail "job $1 still $s after $2 s"
}

pipeline() {
  printf "# the training and the test set\ndata/train.h5\t-n 96 -samples 48 -array_n 8 -fs 2500 -quiet\n\ndata/test.h5\t-n 16 -seed 2 -samples 48 -array_n 8 -fs 2500 -quiet\n" > manifest.tsv
  # no step cap: the run cannot finish before the pre-timeout signal, whatever the machine's speed
  { printf "data: data/train.h5\noutput: models/model.h5\ntrain_epochs: 1000000\n"; cat "$here/train_small.yaml"; } > train.yaml
  out=$(bash "$SEMG_SOURCE/jobs/pipeline.sh" --train "--time=2" manifest.tsv train.yaml models/model.h5 data/test.h5 results 2>&1) || fail "pipeline.sh: $out"
  read -r sim train est < <(sed -n 's/.*simulate \([0-9]*\) .*train \([0-9]*\) .*estimate \([0-9]*\);.*/\1 \2 \3/p' <<< "$out")
  [ -n "$est" ] || fail "no job ids in: $out"
  log "submit: simulate array $sim (2 datasets), train $train (--time=2, --signal=USR1@60), estimate $est (afterok)"
  log "dependency: train waits for '$(job_field "$train" Dependency)', estimate for '$(job_field "$est" Dependency)'"
  # the requeue (Restarts=1); held while the step cap is added, which lets the resumed run end
  for _ in $(seq 1 400); do [ "$(job_field "$train" Restarts)" = 1 ] && break; sleep 0.5; done
  [ "$(job_field "$train" Restarts)" = 1 ] || fail "no requeue within 200 s"
  scontrol hold "$train" || fail "could not hold the requeued job $train (already running again?)"
  grep -h "stop requested" logs/semg-train_"$train".out | head -1 | sed "s/^/[slurm-test +$(( $(date +%s) - t0 ))s] signal: /"
  grep -h "requeueing" logs/semg-train_"$train".out | head -1 | sed "s/^/[slurm-test +$(( $(date +%s) - t0 ))s] requeue: /"
  last=$(ls models/model_ckpt/DONE_* | sed 's/.*DONE_0*//' | sort -n | tail -1)
  steps=$(( last + 50 ))
  echo "train_max_steps: $steps" >> train.yaml
  log "requeue: job $train state $(job_state "$train"), restarts $(job_field "$train" Restarts), eligible at $(job_field "$train" EligibleTime); checkpoint at step $last, run capped at $steps"
  scontrol release "$train" || fail "release $train"
  wait_done "$train" 300
  [ "$(job_state "$train")" = COMPLETED ] || fail "train ended $(job_state "$train")"
  grep -h "resumed from" logs/semg-train_"$train".out | head -1 | sed "s/^/[slurm-test +$(( $(date +%s) - t0 ))s] resume: /"
  grep -q "resumed from" logs/semg-train_"$train".out || fail "the requeued run did not resume"
  wait_done "$est" 120
  [ "$(job_state "$est")" = COMPLETED ] && [ -f results/est_autoencoder.csv ] || fail "estimate ended $(job_state "$est")"
  log "dependency: estimate $est ran after train and completed"
  # the same chain locally, uninterrupted
  mkdir local && (cd local && "$SEMG" simulate -n 96 -samples 48 -array_n 8 -fs 2500 -quiet -output train.h5 &&
    "$SEMG" simulate -n 16 -seed 2 -samples 48 -array_n 8 -fs 2500 -quiet -output test.h5 &&
    sed 's|data/train.h5|train.h5|; s|models/model.h5|model.h5|' ../train.yaml > train.yaml &&
    $MPIEXEC $NPFLAG 2 "$SEMG" train -options_file train.yaml &&
    "$SEMG" estimate -model model.h5 -data test.h5 -output est.csv) > local.log 2>&1 || { cat local.log; fail "local run"; }
  for d in /params /best_params; do h5diff models/model.h5 local/model.h5 "$d" > /dev/null || fail "model $d differs from the local run"; done
  cmp results/est_autoencoder.csv local/est.csv || fail "estimates differ from the local run"
  log "final comparison: model /params, /best_params and $(($(wc -l < local/est.csv) - 1)) estimates bitwise equal to the uninterrupted local run ($steps steps)"
}

# A study plan (COORDINATION interface B) of real semg commands through jobs/submit-study: a failing
# step cancels its dependants, the resubmission runs only what is missing, outputs equal a local run.
write_plan() {  # write_plan BASELINE_METHOD: the plan, tab-separated
  local sim="-samples 48 -array_n 8 -fs 2500 -quiet"
  printf "id\tkind\tdeps\tranks\test_seconds\toutputs\targs\n"
  printf "testset.a\ttestset\t-\t2\t5\ttest.h5\tsimulate -n 16 -seed 2 $sim -output test.h5\n"
  printf "trainset.a\ttrainset\t-\t2\t5\ttrain.h5\tsimulate -n 96 $sim -output train.h5\n"
  printf "train.s1\ttrain\ttrainset.a\t2\t30\tmodel.h5\ttrain -data train.h5 -output model.h5 -train_max_steps 300 -train_patience 0 -train_global_batch 16 -train_quiet -enc_type mlp -enc_dense 16 -dec_fibres 10\n"
  printf "estimate.s1\testimate\ttrain.s1,testset.a\t1\t5\test_ae.csv\testimate -model model.h5 -data test.h5 -output est_ae.csv\n"
  printf "baseline.iz\tbaseline\ttestset.a\t1\t5\test_iz.csv\tbaseline -method iz_minamp -data test.h5 -output est_iz.csv\n"
  printf "baseline.cv\tbaseline\ttestset.a\t1\t5\test_cv.csv\tbaseline -method $1 -data test.h5 -output est_cv.csv\n"
  printf "collect\tcollect\testimate.s1,baseline.iz,baseline.cv\t1\t5\ttruth.csv\texport -data test.h5 -output truth.csv\n"
}
# A study spec through `semg study plan` + jobs/submit-study: metrics.csv equal to `semg study run`'s
# (but for the seconds_per_sample rows, which are wall-clock measurements).
study_spec() {
  local t
  "$SEMG" study plan -spec "$here/study_mini.yaml" -results "$PWD/mini" > plan.log 2>&1 || { cat plan.log; fail "semg study plan"; }
  t=$(date +%s)
  out=$(bash "$SEMG_SOURCE/jobs/submit-study" mini 2>&1) || fail "submit-study: $out"
  log "submit: $(grep -c -- "-> job" <<< "$out") jobs for $(( $(wc -l < mini/plan.tsv) - 1 )) steps of the spec study_mini.yaml"
  final=$(sed -n 's/.*final job \([0-9]*\).*/\1/p' <<< "$out")
  wait_done "$final" 400
  [ "$(job_state "$final")" = COMPLETED ] && [ -s mini/metrics.csv ] || fail "spec study: final job $(job_state "$final")"
  log "study through Slurm done in $(( $(date +%s) - t )) s"
  t=$(date +%s)
  (unset SEMG_LAUNCH; "$SEMG" study run -spec "$here/study_mini.yaml" -results "$PWD/mini_local" -ranks 2) > run.log 2>&1 || { tail run.log; fail "semg study run"; }
  cmp <(grep -v ',seconds_per_sample,' mini/metrics.csv) <(grep -v ',seconds_per_sample,' mini_local/metrics.csv) || fail "metrics.csv differs from the local run"
  log "final comparison: metrics.csv equal to the local run ($(( $(date +%s) - t )) s): $(grep -vc ',seconds_per_sample,' mini/metrics.csv) lines (seconds_per_sample rows left out: wall-clock)"
}
study() {
  [ -x "$SEMG_SOURCE/experiments/study-step" ] || fail "experiments/study-step missing"
  study_spec
  local runner=${SEMG_STUDY_STEP:-$SEMG_SOURCE/experiments/study-step} final t1 f
  mkdir -p study && write_plan no_such_method > study/plan.tsv
  out=$(bash "$SEMG_SOURCE/jobs/submit-study" study 2>&1) || fail "submit-study: $out"
  log "submit: $(tail -1 <<< "$out" | sed 's/^\[[^]]*\] //')"
  final=$(sed -n 's/.*final job \([0-9]*\).*/\1/p' <<< "$out")
  wait_done "$final" 300
  [ "$(job_state "$final")" = CANCELLED ] || fail "final job after a failed step: $(job_state "$final") (want CANCELLED)"
  log "dependency: baseline.cv failed (bad -method) -> final job $final $(job_state "$final") ($(job_field "$final" Reason))"
  outputs() { awk -F'\t' 'NR > 1 { gsub(",", "\n", $6); print $6 }' plan.tsv; }
  sleep 1; before=$(cd study && outputs | xargs stat -c '%n %Y' 2> /dev/null)
  write_plan cv_mle > study/plan.tsv
  t0s=$(date +%s)
  out=$(bash "$SEMG_SOURCE/jobs/submit-study" study 2>&1) || fail "resubmit: $out"
  final=$(sed -n 's/.*final job \([0-9]*\).*/\1/p' <<< "$out")
  wait_done "$final" 300
  [ "$(job_state "$final")" = COMPLETED ] || fail "final job of the resubmission: $(job_state "$final")"
  ran=$(cd study && diff <(echo "$before") <(outputs | xargs stat -c '%n %Y') | sed -n 's/^> \([^ ]*\) .*/\1/p' | tr '\n' ' ')
  [ "$ran" = "est_cv.csv truth.csv " ] || fail "the resubmission rewrote '$ran' (want only est_cv.csv truth.csv)"
  log "resubmit: $(grep -c -- "-> job" <<< "$out") jobs, done in $(( $(date +%s) - t0s )) s; rewritten outputs: $ran(the other steps skipped)"
  # the same plan locally, step by step
  mkdir -p local_study && cp study/plan.tsv local_study/
  for id in $(awk -F'\t' 'NR > 1 { print $1 }' local_study/plan.tsv); do
    (unset SEMG_LAUNCH; PATH=$(dirname "$SEMG"):$PATH "$runner" "$PWD/local_study" "$id") > /dev/null 2>&1 || fail "local step $id"
  done
  for f in est_ae.csv est_iz.csv est_cv.csv truth.csv; do cmp study/$f local_study/$f || fail "$f differs from the local run"; done
  log "final comparison: est_ae.csv, est_iz.csv, est_cv.csv, truth.csv bitwise equal to the local run"
}

case "$1" in
  pipeline) pipeline ;;
  study) study ;;
  *) fail "unknown test $1" ;;
esac
log "passed in $(( $(date +%s) - t0 )) s"
