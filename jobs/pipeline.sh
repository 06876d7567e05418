#!/usr/bin/env bash
# Submit the chain simulate (array) -> train -> estimate + report with afterok dependencies.
# Usage: jobs/pipeline.sh MANIFEST.tsv TRAIN.yaml MODEL.h5 TEST.h5 OUTDIR [--dry-run]
# The manifest's datasets must include the training set named in TRAIN.yaml and TEST.h5.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
manifest=${1:?manifest}; config=${2:?train config}; model=${3:?model}; test=${4:?test set}; outdir=${5:?output folder}
dry=${6:-}
n=$(grep -c . "$manifest")
[ "$n" -gt 0 ] || { echo "pipeline: error: $manifest is empty"; exit 2; }
submit() { if [ "$dry" = --dry-run ]; then echo "sbatch $*" >&2; echo "DRY$RANDOM"; else sbatch --parsable "$@"; fi; }
mkdir -p logs
sim=$(submit --array=0-$((n - 1))%8 "$root/jobs/simulate.sbatch" "$manifest") || exit 1
sim=${sim%%;*}
train=$(submit --dependency=afterok:"$sim" --kill-on-invalid-dep=yes "$root/jobs/train.sbatch" "$config") || exit 1
train=${train%%;*}
est=$(submit --dependency=afterok:"$train" --kill-on-invalid-dep=yes "$root/jobs/estimate.sbatch" "$model" "$test" "$outdir") || exit 1
echo "submitted: simulate $sim (array of $n) -> train $train -> estimate ${est%%;*}"
