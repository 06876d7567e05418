#!/usr/bin/env bash
# Interference test bed of issue 18: continuous recordings of the motor-unit pool at 10, 30 and 50 % of
# maximal contraction (semg record), per-epoch templates (semg templates), every classical estimator on
# the templates and on the true MUAPs of the same units (the single-unit reference).
# Usage: experiments/recordings/testbed.sh OUTDIR [SEEDS (default "11 13")] [EPOCH s (default 1)]
#          [MODEL ccs|layered (default ccs)] [EXCITATIONS (default "0.1 0.3 0.5")]
# MODEL layered: semg record -model layered (fat 3 mm, skin 1 mm) with the pool 3 mm deeper below the
# skin (-pool_depth 0.008,0.023: the CCS depths pushed down by the fat, as the fat_thickness study axis
# does). RECORD_ARGS (environment) adds options to semg record (e.g. "-model vc -leadfield lf.h5").
# Prints one line per (seed, excitation) and a summary table per excitation.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
semg=${SEMG:-$root/build/bin/semg}
out=${1:?usage: testbed.sh OUTDIR [SEEDS] [EPOCH]}
seeds=${2:-11 13}
epoch=${3:-1}
model=${4:-ccs}
excitations=${5:-0.1 0.3 0.5}
case $model in
  ccs) margs="" ;;
  layered) margs="-model layered -pool_depth 0.008,0.023" ;;
  *) echo "testbed.sh: MODEL '$model' must be ccs or layered (other models through RECORD_ARGS)" >&2; exit 2 ;;
esac
methods="iz_minamp iz_phase vfit cv_xcorr cv_spectral cv_mle"
mkdir -p "$out" && cd "$out" || exit 1
mae() { # csv -> "iz_mae_mm cv_mae n_iz n_cv"
  awk -F, 'NR > 1 { if ($2 != "" && $4 != "") { ni++; si += ($2 > $4 ? $2 - $4 : $4 - $2) } if ($3 != "" && $5 != "") { nc++; sc += ($3 > $5 ? $3 - $5 : $5 - $3) } }
           END { printf "%s %s %d %d", ni ? sprintf("%.2f", 1000 * si / ni) : "-", nc ? sprintf("%.2f", sc / nc) : "-", ni, nc }' "$1"
}
for e in $excitations; do
  for s in $seeds; do
    tag=e$e.s$s
    "$semg" record -excitation $e -duration 20 -seed $s $margs ${RECORD_ARGS:-} -output rec.$tag.h5 >/dev/null || exit 1
    "$semg" templates -data rec.$tag.h5 -epoch $epoch -output tmpl.$tag.h5 -truth_output true.$tag.h5 -report epochs.$tag.csv >templates.$tag.log 2>&1 || true
    awk -F, -v t=$tag 'NR > 1 { n++ } NR > 1 && $11 == 1 { u++; if ($4 >= 0.9) g++; c += $4 } END { printf "%-12s epochs %d with template %d (%.0f %%) corr>=0.9 %d (%.0f %% of templated) mean corr %.3f\n", t, n, u, 100 * u / n, g, u ? 100 * g / u : 0, u ? c / u : 0 }' epochs.$tag.csv
    [ -e tmpl.$tag.h5 ] || continue
    for m in $methods; do
      "$semg" baseline -method $m -data tmpl.$tag.h5 -output est.$m.$tag.csv -quiet >/dev/null 2>&1 && echo "$tag $m template $(mae est.$m.$tag.csv)" >>mae.txt
      "$semg" baseline -method $m -data true.$tag.h5 -output ref.$m.$tag.csv -quiet >/dev/null 2>&1 && echo "$tag $m true_muap $(mae ref.$m.$tag.csv)" >>mae.txt
    done
  done
done
echo
echo "MAE (IZ mm / CV m/s) per excitation, pooled over seeds $seeds (template | true MUAP of the same unit):"
for e in $excitations; do
  for m in $methods; do
    for k in template true_muap; do
      # pool: recompute from the CSVs of all seeds
      f=$(ls ${k/true_muap/ref}.$m.e$e.*.csv 2>/dev/null | sed 's/^template/est/')
      [ -n "$f" ] || f=$(ls $( [ $k = template ] && echo est || echo ref ).$m.e$e.*.csv 2>/dev/null)
      [ -n "$f" ] || continue
      awk 'FNR > 1 || NR == 1' $f >pool.csv
      echo "$e $m $k $(mae pool.csv)"
    done
  done
done | awk '{ printf "%-4s %-12s %-10s IZ %6s mm  CV %6s m/s  (n %s/%s)\n", $1, $2, $3, $4, $5, $6, $7 }'
rm -f pool.csv
