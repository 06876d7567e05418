#!/usr/bin/env bash
# Speed of the whole walking analysis (NMF N = 1..10 x 5 restarts, then 16 configurations x 5 restarts)
# on 1 and 2 ranks, side by side, with the 1 -> 2 rank speed-up. Usage:
#   experiments/synergy/bench_ranks.sh [repeats]     (SEMG=path/to/semg, default build/bin/semg)
set -euo pipefail
reps=${1:-1}
src=$(cd "$(dirname "$0")/../.." && pwd)
semg=${SEMG:-$src/build/bin/semg}
data=${SEMG_WALKING:-$src/../shared/data/walking-13muscles}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$reps"); do
  for np in 1 2; do
    t0=$(date +%s.%N)
    mpiexec -n "$np" "$semg" synergy -emg "$data/emg.csv" -events "$data/cycles.csv" -output "$tmp/w$np.h5" > "$tmp/log$np" 2>&1 || { cat "$tmp/log$np"; exit 1; }
    t1=$(date +%s.%N)
    wall[$np]=$(echo "$t1 - $t0" | bc -l)
    nmf[$np]=$(sed -n 's/.*restarts: \([0-9.]*\) s;.*/\1/p' "$tmp/log$np")
    ae[$np]=$(sed -n 's/.*configurations x [0-9]* restarts: \([0-9.]*\) s.*/\1/p' "$tmp/log$np")
    bal[$np]=$(sed -n 's/.*(balance \([0-9.]*\) of.*/\1/p' "$tmp/log$np")
  done
  printf "repeat %d: 1 rank %.2f s (NMF %s s, AE %s s); 2 ranks %.2f s (NMF %s s, AE %s s); speed-up %.2f (NMF %.2f, AE %.2f); task balance on 2 ranks %s of 2\n" "$r" \
    "${wall[1]}" "${nmf[1]}" "${ae[1]}" "${wall[2]}" "${nmf[2]}" "${ae[2]}" "$(echo "${wall[1]} / ${wall[2]}" | bc -l)" \
    "$(echo "${nmf[1]} / ${nmf[2]}" | bc -l)" "$(echo "${ae[1]} / ${ae[2]}" | bc -l)" "${bal[2]}"
done
