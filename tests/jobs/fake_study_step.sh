#!/usr/bin/env bash
# Stand-in for experiments/study-step (COORDINATION interface B) while it does not exist: skips the
# step when all its outputs exist, else runs ${SEMG_LAUNCH:-mpiexec -n RANKS} semg ARGS in DIR with the
# log in DIR/logs/ID.log, and exits with the command's code.
set -uo pipefail
dir=$1 id=$2
line=$(awk -F'\t' -v id="$id" 'NR > 1 && $1 == id' "$dir/plan.tsv")
[ -n "$line" ] || { echo "study-step: error: no step $id in $dir/plan.tsv"; exit 2; }
IFS=$'\t' read -r _ _ _ ranks _ outputs args <<< "$line"
cd "$dir" || exit 2
done=1
for o in ${outputs//,/ }; do [ -e "$o" ] || done=0; done
[ $done = 0 ] || { echo "study-step: $id: outputs exist, skipped"; exit 0; }
mkdir -p logs
# shellcheck disable=SC2086
${SEMG_LAUNCH:-mpiexec -n $ranks} semg $args > "logs/$id.log" 2>&1
