#!/bin/bash
# Domain randomisation of semg simulate (issue 20 part 3, sim/model_mix.c), each promise checked:
#   coverage:     every drawn column spans its range (min near lo, max near hi, mean within 4 SE of the centre);
#   proportions:  each entry of -model_mix / -noise_colour_mix and the -interference_fraction share within
#                 4 binomial SD of n/k (n p);
#   consistency:  a one-entry mix or a zero-width range makes the dataset of the fixed option (data and
#                 truth bitwise; layered: the fat shift of the depth rounds differently, to 1e-12 relative);
#   rank invariance: 1 and 2 ranks bitwise (CCS kinds + half-space + interference, and layered nodes);
#   bad input:    one line naming the option, exit 2, no output.
# Part "fast" (label unit): everything but layered samples; part "layered" (label slow: each fat-thickness
# node builds a layered lead-field table): the layered kind's coverage, rank invariance and consistency.
set -u
gm=$1
part=${2:-fast}
. "$(dirname "$0")/lib.sh"
sim() { "$SEMG" simulate -quiet "$@" > log.txt 2>&1 || { cat log.txt; echo "FAIL semg simulate $*"; fail=1; }; }
cols() { "$gm" -mode columns -a "$1" > "$2" || { echo "FAIL gen_measure columns $1"; fail=1; }; }
# binom LABEL COUNT N P: COUNT within 4 SD of N P
binom() { read -r lo hi < <(awk -v n="$3" -v p="$4" 'BEGIN { s = 4 * sqrt(n * p * (1 - p)); print n * p - s, n * p + s }'); check "$1" "$2" "$lo" "$hi"; }
# uniform LABEL FILE COLUMN LO HI: U(LO, HI) draws: min, max within 10 (HI - LO)/n of the ends (missed with
# probability e^-10), mean within 4 SE
uniform() {
  local n; n=$(val "$3_n" "$2")
  read -r elo ehi mlo mhi < <(awk -v n="$n" -v a="$4" -v b="$5" 'BEGIN { w = b - a; e = 10 * w / n; s = 4 * w / sqrt(12 * n); print a + e, b - e, (a + b) / 2 - s, (a + b) / 2 + s }')
  check "$1 min" "$(val "$3_min" "$2")" "$4" "$elo"
  check "$1 max" "$(val "$3_max" "$2")" "$ehi" "$5"
  check "$1 mean" "$(val "$3_mean" "$2")" "$mlo" "$mhi"
}
small=(-samples 60 -array_n 6 -fibres_range 10,20 -radius_range 0.002 -depth_range 0.008,0.012 -snr_range 20)

# coverage and proportions: 400 samples of every cheap kind (the layered kind below)
n=400
mix=(-model_mix ccs,ccs_cc,anisotropic,halfspace -anisotropy_range 1,10 -contact_gain_sd_range 0,0.3 -noise_colour_mix white,pink,line,wander
     -mu_cv_sd_range 0.1,0.7 -interference_sir_range 0,20 -interference_units 2 -interference_fraction 0.5)
if [ "$part" = fast ]; then
sim -n $n -seed 3 "${small[@]}" "${mix[@]}" -output mix.h5
cols mix.h5 mix.txt
for k in 0 1 2 3; do binom "model_mix: samples of kind $k" "$(val forward_model_code_$k mix.txt)" $n 0.25; done
for k in 0 1 2 3; do binom "noise_colour_mix: samples of colour $k" "$(val noise_colour_code_$k mix.txt)" $n 0.25; done
binom "interference_fraction 0.5: samples with interference" "$(val sir_db_n mix.txt)" $n 0.5
check "anisotropy recorded exactly for the anisotropic samples" "$(( $(val anisotropy_n mix.txt) - $(val forward_model_code_2 mix.txt) ))" 0 0
check "no fat thickness without layered samples" "$(val fat_thickness_n mix.txt)" 0 0
uniform "anisotropy_range 1,10" mix.txt anisotropy 1 10
uniform "contact_gain_sd_range 0,0.3" mix.txt contact_gain_sd 0 0.3
uniform "mu_cv_sd_range 0.1,0.7" mix.txt mu_cv_sd 0.1 0.7
uniform "interference sir_db 0,20 (interfered samples)" mix.txt sir_db 0 20
check "interference_units of the interfered samples" "$(val interference_units_max mix.txt)" 2 2
# sir_db is NaN also when 2 units happen not to fire in a short record: units > 0 counts the interfered samples
binom "interference_fraction 0.5: samples with 2 units" "$(awk -v a="$(val interference_units_mean mix.txt)" -v n=$n 'BEGIN { print a * n / 2 }')" $n 0.5
check "sir_db recorded only for interfered samples" "$(awk -v a="$(val interference_units_mean mix.txt)" -v s="$(val sir_db_n mix.txt)" -v n=$n 'BEGIN { print s - a * n / 2 }')" -$n 0
info=$("$SEMG" info -data mix.h5 | grep '^truth ranges:')
case "$info" in *" forward_model 0..3 fat_thickness n/a anisotropy 1"*..*" contact_gain_sd "*..*" mu_cv_sd 0.1"*..*) echo "ok   semg info: $info" ;; *) echo "FAIL semg info: $info"; fail=1 ;; esac
fi

if [ "$part" = layered ]; then
# layered samples: thickness nodes 1, 2, 3 mm; their MU moves down by the fat (depth from the skin)
lay=(-model_mix ccs,layered -fat_thickness_range 0.001,0.003 -fat_thickness_step 0.001 -interference_sir_range 10 -interference_units 1)
sim -n 24 -seed 4 "${small[@]}" "${lay[@]}" -output lay.h5
cols lay.h5 lay.txt
check "layered samples + ccs samples" "$(( $(val forward_model_code_0 lay.txt) + $(val forward_model_code_4 lay.txt) ))" 24 24
check "fat_thickness recorded for the layered samples" "$(( $(val fat_thickness_n lay.txt) - $(val forward_model_code_4 lay.txt) ))" 0 0
check "fat_thickness min (node 1 mm)" "$(val fat_thickness_min lay.txt)" 0.001 0.001
check "fat_thickness max (node 3 mm)" "$(val fat_thickness_max lay.txt)" 0.003 0.003
check "depth (from the skin) max <= 12 + 3 mm" "$(val depth_max lay.txt)" 0.008 0.015
check "depth min >= 8 mm" "$(val depth_min lay.txt)" 0.008 0.015

fi
# rank invariance: 1 and 2 ranks bitwise
if [ "$part" = layered ]; then cases=(lay); else cases=(mix); fi
for c in "${cases[@]}"; do
  if [ $c = mix ]; then set -- -n 40 -seed 3 "${small[@]}" "${mix[@]}"; else set -- -n 9 -seed 4 "${small[@]}" "${lay[@]}"; fi
  "$MPIEXEC" $NPFLAG 2 "$SEMG" simulate -quiet -output r2.h5 "$@" > log2.txt 2>&1 && "$SEMG" simulate -quiet -output r1.h5 "$@" > log1.txt 2>&1 || { cat log1.txt log2.txt; echo "FAIL simulate $c"; fail=1; continue; }
  if h5diff r1.h5 r2.h5 /emg/data > /dev/null && h5diff r1.h5 r2.h5 /ground_truth/theta > /dev/null; then echo "ok   1 = 2 ranks bitwise: $c"; else echo "FAIL 1 and 2 ranks differ: $c"; fail=1; fi
done

# consistency: a one-entry mix / zero-width range = the fixed option
same() { # LABEL TOL "MIX OPTIONS" "FIXED OPTIONS"
  local tol=$2
  # shellcheck disable=SC2086
  sim -n 6 -seed 8 "${small[@]}" $3 -output a.h5
  # shellcheck disable=SC2086
  sim -n 6 -seed 8 "${small[@]}" $4 -output b.h5
  if [ "$tol" = 0 ]; then
    h5diff a.h5 b.h5 /emg/data > /dev/null && h5diff a.h5 b.h5 /ground_truth/theta > /dev/null
  else
    h5diff -p "$tol" a.h5 b.h5 /emg/data > /dev/null
  fi && echo "ok   $1: '$3' = '$4'" || { echo "FAIL $1: '$3' differs from '$4'"; fail=1; }
}
if [ "$part" = layered ]; then
  same "layered, fat 2 mm" 1e-12 "-model_mix layered -fat_thickness_range 0.002,0.002 -depth_range 0.008,0.01" "-model layered -fat_thickness 0.002 -depth_range 0.01,0.012"
  exit $fail
fi
same "ccs" 0 "-model_mix ccs" ""
same "ccs_cc" 0 "-model_mix ccs_cc" "-ccs_charge_conserving"
same "anisotropic" 0 "-model_mix anisotropic -anisotropy_range 3,3" "-ccs_anisotropic -ccs_sigma_long 3 -ccs_sigma_trans 1"
same "halfspace" 0 "-model_mix halfspace" "-model halfspace"
same "noise colour" 0 "-noise_colour_mix line" "-noise_colour line"
same "contact gain" 0 "-contact_gain_sd_range 0.1,0.1" "-contact_gain_sd 0.1"
same "fibre CV SD" 0 "-mu_cv_sd_range 0.3,0.3" "-mu_cv_sd 0.3"
same "interference fraction 1" 0 "-interference_sir_range 5 -interference_units 1 -interference_fraction 1" "-interference_sir_range 5 -interference_units 1"
sim -n 20 -seed 8 "${small[@]}" -interference_sir_range 5 -interference_units 1 -interference_fraction 0 -output none.h5
cols none.h5 none.txt
check "interference_fraction 0: samples with interference" "$(val sir_db_n none.txt)" 0 0

# bad input: one line naming the option, exit 2, no output
bads=("-model_mix ccs,bem" "-model_mix ccs,ccs" "-noise_colour_mix white,blue" "-model_mix anisotropic" "-model_mix layered" "-model_mix anisotropic -anisotropy_range 5,2"
      "-model_mix layered -fat_thickness_range 0.004,0.002" "-fat_thickness_range 0.001,0.002" "-anisotropy_range 1,2" "-interference_sir_range 10 -interference_fraction 1.5"
      "-interference_sir_range 10 -interference_fraction -0.1" "-interference_fraction 0.5" "-model_mix ccs -model halfspace" "-contact_gain_sd_range 0.3,0.1" "-mu_cv_sd_range -0.1,0.2"
      "-model_mix layered -fat_thickness_range 0.001,0.002 -fat_thickness_step 0" "-model_mix ccs -mu_cv_sd_range 0.1,0.2 -fixed_template")
for bad in "${bads[@]}"; do
  # shellcheck disable=SC2086
  user_error "$bad" bad.h5 "$SEMG" simulate -n 2 -output bad.h5 $bad
done
exit $fail
