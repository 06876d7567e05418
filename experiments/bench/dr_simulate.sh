#!/usr/bin/env bash
# Cost of the domain-randomised (DR) training set of experiments/robustness.yaml (autoencoder_dr), split by
# forward-model kind and interference, with two semg binaries side by side (e.g. before / after a change)
# or one binary against documented reductions of the DR distribution. Prints wall seconds per sample and
# the ratios; checks the two binaries' outputs bitwise (h5diff of /emg/data and /ground_truth/theta).
# Usage: experiments/bench/dr_simulate.sh SEMG_A [SEMG_B] [-n N] [-ranks R] [-only REGEX]
#   one binary: the reductions table (full DR against each reduction); two: every config on both.
set -uo pipefail
a=$1; shift
b=
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then b=$1; shift; fi
n=8 ranks=1 only=.
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -ranks) ranks=$2; shift 2 ;;
    -only) only=$2; shift 2 ;;
    *) echo "dr_simulate.sh: unknown argument '$1'"; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# REF and DR as in experiments/robustness.yaml (reference: and dr_options:; DR options override REF's)
REF="-array_n 16 -array_ied 0.005 -fs 5000 -samples 200 -montage sd -snr_range 20,20 -iz_range -0.01,0.01 -cv_range 3,5 -fibres_range 50,300 -radius_range 0.002,0.006 -depth_range 0.015,0.025 -iz_spread_range 0.002,0.01 -mu_cv_sd 0.1"
COMMON="-shift_y_range 0,0.015 -rotation_range -15,15 -ied_scale_range 0.9,1.1 -contact_gain_sd_range 0,0.3 -snr_range 0,30 -noise_colour_mix white,pink,line,wander -depth_range 0.015,0.04 -radius_range 0.002,0.012 -iz_spread_range 0.002,0.025 -fibres_range 50,1000 -mu_cv_sd_range 0.1,0.7"
INTF="-interference_sir_range 0,20 -interference_fraction 0.5"
MIX="-model_mix ccs,ccs_cc,anisotropic,halfspace,layered -fat_thickness_range 0.001,0.008 -anisotropy_range 1,10"
declare -A kind=([ccs]="-model_mix ccs" [ccs_cc]="-model_mix ccs_cc" [anisotropic]="-model_mix anisotropic -anisotropy_range 1,10"
                 [halfspace]="-model_mix halfspace" [layered]="-model_mix layered -fat_thickness_range 0.001,0.008")
configs=() opts=()
add() { if [[ $1 =~ $only ]]; then configs+=("$1"); opts+=("$2"); fi; }
if [ -n "$b" ]; then
  for k in ccs ccs_cc anisotropic halfspace layered; do
    add "$k, no interference" "${kind[$k]} $COMMON"
    add "$k, interference in all" "${kind[$k]} $COMMON -interference_sir_range 0,20"
  done
  add "full DR (robustness.yaml)" "$MIX $COMMON $INTF"
else
  add "full DR (robustness.yaml)" "$MIX $COMMON $INTF"
  add "  -interference_units 3" "$MIX $COMMON $INTF -interference_units 3"
  add "  -fat_thickness_step 0.002" "$MIX $COMMON $INTF -fat_thickness_step 0.002"
  add "  -fibres_range 50,500" "$MIX $COMMON $INTF -fibres_range 50,500"
  add "  no interference" "$MIX $COMMON"
fi
# one run: wall seconds and the layered table seconds it printed
run() { # bin out opts...
  local bin=$1 out=$2 t0 t1 tab; shift 2
  t0=$(date +%s.%N)
  mpiexec --allow-run-as-root -n "$ranks" "$bin" simulate -n "$n" -seed 3469661 $REF "$@" -output "$out" > "$out.log" 2>&1 || { echo "failed: $bin $*" >&2; cat "$out.log" >&2; return 1; }
  t1=$(date +%s.%N)
  tab=$(sed -n 's/.*tables built on rank 0 in \([0-9.]*\) s.*/\1/p' "$out.log")
  echo "$t0 $t1 ${tab:-0}" | awk '{printf "%.2f %.2f", $2 - $1, $3}'
}
echo "semg simulate -n $n on $ranks rank(s), seed 3469661; s/sample excludes the layered table builds (rank 0's)"
if [ -n "$b" ]; then printf '%-32s %10s %10s %8s %9s %s\n' config "A s/smp" "B s/smp" "A/B" "tables A/B s" bitwise
else printf '%-32s %10s %8s %12s\n' config "s/smp" "/full" "tables s"; fi
full=
for i in "${!configs[@]}"; do
  read -r wa ta <<< "$(run "$a" "$work/a.h5" ${opts[$i]})" || continue
  pa=$(awk -v w="$wa" -v t="$ta" -v n="$n" -v r="$ranks" 'BEGIN{printf "%.3f", (w - t) * r / n}')
  if [ -n "$b" ]; then
    read -r wb tb <<< "$(run "$b" "$work/b.h5" ${opts[$i]})" || continue
    pb=$(awk -v w="$wb" -v t="$tb" -v n="$n" -v r="$ranks" 'BEGIN{printf "%.3f", (w - t) * r / n}')
    same=no
    h5diff "$work/a.h5" "$work/b.h5" /emg/data > /dev/null 2>&1 && h5diff "$work/a.h5" "$work/b.h5" /ground_truth/theta > /dev/null 2>&1 && same=yes
    printf '%-32s %10s %10s %8s %5s/%-5s %s\n' "${configs[$i]}" "$pa" "$pb" "$(awk -v x="$pa" -v y="$pb" 'BEGIN{printf "%.2f", y > 0 ? x / y : 0}')" "$ta" "$tb" "$same"
  else
    [ -z "$full" ] && full=$pa
    printf '%-32s %10s %8s %12s\n' "${configs[$i]}" "$pa" "$(awk -v x="$pa" -v y="$full" 'BEGIN{printf "%.2f", y > 0 ? x / y : 0}')" "$ta"
  fi
done
