#!/usr/bin/env bash
# Speed of the whole walking analysis (NMF N = 1..10 x 5 restarts, then 16 configurations x 5 restarts)
# on 1 rank and on 2 ranks with the shared task queue (-task_schedule dynamic, the default) and with the
# static plan, interleaved in every repeat so that all three see the same machine load (printed: the
# 1-minute load average before the repeat). Usage:
#   experiments/synergy/bench_ranks.sh [repeats]     (SEMG=path/to/semg, default build/bin/semg;
#                                                      SEMG_NICE=19 runs everything under nice -n 19)
set -euo pipefail
reps=${1:-1}
src=$(cd "$(dirname "$0")/../.." && pwd)
semg=${SEMG:-$src/build/bin/semg}
data=${SEMG_WALKING:-$src/../shared/data/walking-13muscles}
nice=()
[ -n "${SEMG_NICE:-}" ] && nice=(nice -n "$SEMG_NICE")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one() { # name, ranks, extra options...; sets wall, nmf, ae, bal
  local name=$1 np=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "${nice[@]}" mpiexec -n "$np" "$semg" synergy -emg "$data/emg.csv" -events "$data/cycles.csv" -output "$tmp/$name.h5" "$@" > "$tmp/$name.log" 2>&1 ||
    { cat "$tmp/$name.log"; exit 1; }
  t1=$(date +%s.%N)
  wall[$name]=$(echo "$t1 - $t0" | bc -l)
  nmf[$name]=$(sed -n 's/.*restarts: \([0-9.]*\) s;.*/\1/p' "$tmp/$name.log")
  ae[$name]=$(sed -n 's/.*configurations x [0-9]* restarts: \([0-9.]*\) s.*/\1/p' "$tmp/$name.log")
  bal[$name]=$(sed -n 's/.*(balance \([0-9.]*\) of.*/\1/p' "$tmp/$name.log")
}
declare -A wall nmf ae bal
for r in $(seq 1 "$reps"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  one r1 1
  one r2 2
  one r2s 2 -task_schedule static
  printf "repeat %d (load %s): 1 rank %.2f s (NMF %s, AE %s); 2 ranks queue %.2f s (NMF %s, AE %s, balance %s of 2); 2 ranks static %.2f s (NMF %s, AE %s, balance %s of 2); speed-up 1 -> 2 ranks: queue %.2f, static %.2f\n" \
    "$r" "$load" "${wall[r1]}" "${nmf[r1]}" "${ae[r1]}" "${wall[r2]}" "${nmf[r2]}" "${ae[r2]}" "${bal[r2]}" "${wall[r2s]}" "${nmf[r2s]}" "${ae[r2s]}" "${bal[r2s]}" \
    "$(echo "${wall[r1]} / ${wall[r2]}" | bc -l)" "$(echo "${wall[r1]} / ${wall[r2s]}" | bc -l)"
done
