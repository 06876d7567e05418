#!/usr/bin/env bash
# ./run bench: every benchmark program of build/bench, one after the other, each printing its own ratios
# (measured side by side inside the program). Usage: ./run bench [small|full]
#   small (default)  minutes: ccs_throughput, machine_scaling, leadfield on family level 33, 40 training steps
#   full             the sizes of docs/performance.md (lead fields on level 129: tens of minutes)
# Figures worth keeping go into docs/performance.md with the command and the machine's state.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=$root/build/bench
size=${1:-small}
case "$size" in small|full) ;; *) echo "run bench: unknown size '$size' (small, full)"; exit 2 ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
run() { echo; echo "== $*"; "$@" || { echo "run bench: failed: $*"; fail=1; }; }
if [ "$size" = full ]; then lf_n=129; mb=256; steps=200; else lf_n=33; mb=64; steps=40; fi
run mpiexec -n 2 "$bench/ccs_throughput"
run mpiexec -n 2 "$bench/machine_scaling" -mb $mb
run mpiexec -n 2 "$bench/leadfield" -n $lf_n -output "$work/lf.h5"
"$root/build/bin/semg" simulate -n 512 -seed 1 -array_n 16 -samples 200 -montage sd -fixed_template -quiet -output "$work/train.h5" > /dev/null ||
  { echo "run bench: simulate failed"; exit 1; }
run mpiexec -n 2 "$bench/train" -data "$work/train.h5" -output "$work/model.h5" -ckpt_dir "$work/ckpt" -train_max_steps $steps
echo
[ $fail -eq 0 ] && echo "run bench: $size set done (machine shared? compare ratios, not times)" || echo "run bench: some benchmarks failed"
exit $fail
