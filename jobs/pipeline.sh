#!/usr/bin/env bash
# Submit the chain simulate (array) -> train -> estimate + report with afterok dependencies; a failed
# step cancels the rest (--kill-on-invalid-dep). Runs from any folder; paths are relative to it.
# Usage: jobs/pipeline.sh [--dry-run] [--sbatch 'OPTS'] [--simulate 'OPTS'] [--train 'OPTS']
#                         [--estimate 'OPTS'] MANIFEST.tsv TRAIN.yaml MODEL.h5 TEST.h5 OUTDIR
#   OPTS are sbatch options (partition, account, tasks, time): --sbatch for every job, the others for
#   one step (after the defaults -n 2, so they override them), e.g. --sbatch '-p short -A proj'
#   --train '-n 8 --time=12:00:00'. The training's --time
#   (default 4:00:00) sets its pre-timeout signal lead. The manifest's datasets include the training
#   set named in TRAIN.yaml and TEST.h5.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh" || exit 1
SEMG_JOB_TAG=pipeline
all='' sim='' train='' est=''
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) export SEMG_DRY_RUN=1; shift ;;
    --sbatch|--simulate|--train|--estimate)
      [ $# -ge 2 ] || semg_die 2 "$1 needs a value"
      case "$1" in --sbatch) all=$2 ;; --simulate) sim=$2 ;; --train) train=$2 ;; --estimate) est=$2 ;; esac
      shift 2 ;;
    -*) semg_die 2 "unknown option '$1' (see the usage in jobs/pipeline.sh)" ;;
    *) break ;;
  esac
done
[ $# -eq 5 ] || semg_die 2 "usage: jobs/pipeline.sh [--dry-run] [--sbatch 'OPTS'] MANIFEST.tsv TRAIN.yaml MODEL.h5 TEST.h5 OUTDIR"
manifest=$1 config=$2 model=$3 test=$4 outdir=$5
lines=$(semg_manifest_lines "$manifest") || exit 2
n=$(grep -c . <<< "$lines")
[ "$n" -gt 0 ] || semg_die 2 "manifest '$manifest' has no datasets"
[ -r "$config" ] || semg_die 2 "training configuration '$config' cannot be read"
time=4:00:00
prev=''
for w in $train; do case "$prev,$w" in *,--time=*) time=${w#--time=} ;; -t,*|--time,*) time=$w ;; esac; prev=$w; done
train_opts=$(semg_requeue_options "$time") || exit 2
# shellcheck disable=SC2086
jsim=$(semg_submit sim -n 2 --time=1:00:00 $all $sim --array=0-$((n - 1))%${SEMG_ARRAY_THROTTLE:-8} --output=logs/%x_%A_%a.out \
  "$SEMG_ROOT/jobs/simulate.sbatch" "$manifest") || semg_cancel_chain
# shellcheck disable=SC2086
jtrain=$(semg_submit train -n 2 $all $train $train_opts --dependency=afterok:"$jsim" --kill-on-invalid-dep=yes \
  --output=logs/%x_%j.out "$SEMG_ROOT/jobs/train.sbatch" "$config") || semg_cancel_chain "$jsim"
# shellcheck disable=SC2086
jest=$(semg_submit est -n 2 --time=30 $all $est --dependency=afterok:"$jtrain" --kill-on-invalid-dep=yes \
  --output=logs/%x_%j.out "$SEMG_ROOT/jobs/estimate.sbatch" "$model" "$test" "$outdir") || semg_cancel_chain "$jsim" "$jtrain"
semg_say "${SEMG_DRY_RUN:+dry run, nothing }submitted: simulate $jsim (array of $n) -> train $jtrain -> estimate $jest; logs in $PWD/logs"
