#!/usr/bin/env bash
# semg synergy gives bitwise the same synergies and metrics on 1 and 2 ranks (every task has its own
# random stream; the owner of a task never changes what it computes), with the shared task queue and with
# the static plan.
set -u
. "$SEMG_SOURCE/tests/common.sh"
semg_test_dir
command -v h5diff > /dev/null || { echo "skip: h5diff not found"; exit 77; }
args="synergy -synth -synth_cycles 4 -synergies 3 -nmf_restarts 3 -ae_restarts 2 -ae_epochs 5"
"$MPIEXEC" $NPFLAG 1 "$SEMG" $args -output "$dir/r1.h5" > "$dir/log1" 2>&1 || { cat "$dir/log1"; exit 1; }
"$MPIEXEC" $NPFLAG 2 "$SEMG" $args -output "$dir/r2.h5" > "$dir/log2" 2>&1 || { cat "$dir/log2"; exit 1; }
"$MPIEXEC" $NPFLAG 2 "$SEMG" $args -task_schedule static -output "$dir/r2s.h5" > "$dir/log2s" 2>&1 || { cat "$dir/log2s"; exit 1; }
fail=0
for r in r2 r2s; do
  for obj in /metrics /nmf /ae /input; do
    if h5diff -r "$dir/r1.h5" "$dir/$r.h5" "$obj" > "$dir/diff" 2>&1; then echo "ok   $obj identical on 1 and 2 ranks ($r: r2s = -task_schedule static)"
    else echo "FAIL $obj differs ($r):"; head -20 "$dir/diff"; fail=1; fi
  done
done
exit $fail
