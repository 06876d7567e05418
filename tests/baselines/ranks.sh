#!/bin/bash
# semg baseline gives the same estimates on 1 and 2 ranks (samples are independent; block partition).
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$SEMG" simulate -n 6 -seed 3 -samples 150 -iz_range -0.01,0.01 -cv_range 3,5 -depth_range 0.02,0.02 -fibres_range 30,30 -radius_range 0.003,0.003 \
  -iz_spread_range 0.005,0.005 -fixed_template -template_seed 7 -snr_range 30,30 -output "$dir/d.h5" >/dev/null 2>&1 || { echo "FAIL simulate"; exit 1; }
fail=0
for m in vfit cv_mle physfit; do
  extra=""
  [ $m = physfit ] && extra="-dec_fibres 30 -dec_radius 0.003 -dec_iz_spread 0.005 -dec_cv_sd 0 -dec_template_seed 7 -physfit_starts 1"
  for np in 1 2; do
    "$MPIEXEC" "$NPFLAG" $np "$SEMG" baseline -method $m -data "$dir/d.h5" -output "$dir/$m.$np.csv" $extra >/dev/null 2>&1 || { echo "FAIL $m on $np ranks"; fail=1; }
  done
  if cmp -s "$dir/$m.1.csv" "$dir/$m.2.csv"; then echo "ok   $m: identical estimates on 1 and 2 ranks"; else echo "FAIL $m differs between 1 and 2 ranks"; fail=1; fi
done
exit $fail
