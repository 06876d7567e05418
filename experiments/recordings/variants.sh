#!/usr/bin/env bash
# Template variants on the interference test bed (issue 18, align18): the recordings of testbed.sh made
# once (kept in OUTDIR/rec), `semg templates -epoch 1` with extra -template_* options per variant, and one
# line per excitation: epochs with a template, >= 0.9 correlation with the unit's true MUAP (share of all
# epochs), mean correlation of the templated. No estimators (testbed.sh runs those).
# Usage: experiments/recordings/variants.sh OUTDIR NAME "TEMPLATE OPTIONS" [SEEDS] [MODEL ccs|layered] [EXCITATIONS]
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
semg=${SEMG:-$root/build/bin/semg}
out=${1:?usage: variants.sh OUTDIR NAME OPTIONS [SEEDS] [MODEL] [EXCITATIONS]}
v=${2:?NAME}; opts=${3-}; seeds=${4:-7 8 9}; model=${5:-ccs}; excs=${6:-0.1 0.3 0.5}
case $model in
  ccs) margs="" ;;
  layered) margs="-model layered -pool_depth 0.008,0.023" ;;
  *) echo "variants.sh: MODEL '$model' must be ccs or layered" >&2; exit 2 ;;
esac
mkdir -p "$out/rec" "$out/$v.$model" || exit 1
for e in $excs; do
  for s in $seeds; do
    r=$out/rec/$model.e$e.s$s.h5
    [ -e "$r" ] || "$semg" record -excitation $e -duration 20 -seed $s $margs -output "$r" >/dev/null || exit 1
    "$semg" templates -data "$r" -epoch 1 -output "$out/$v.$model/t.e$e.s$s.h5" -report "$out/$v.$model/ep.e$e.s$s.csv" $opts >"$out/$v.$model/log.e$e.s$s" 2>&1
  done
  for s in $seeds; do echo "$out/$v.$model/ep.e$e.s$s.csv"; done | xargs awk -F, -v v=$v -v e=$e -v m=$model 'FNR > 1 { n++ } FNR > 1 && $11 == 1 { u++; if ($4 >= 0.9) g++; c += $4 }
    END { printf "%-10s %-8s e%-4s epochs %3d templ %3d good %3d (%3.0f %%) mean %.3f\n", v, m, e, n, u, g, n ? 100 * g / n : 0, u ? c / u : 0 }'
done
