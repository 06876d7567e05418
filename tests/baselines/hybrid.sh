#!/bin/bash
# semg baseline -method physfit -physfit_init (the hybrid fit): bad start files fail with exit 2, one line
# naming the input, and leave no output; a good start gives method "hybrid" with the covariance written,
# and so does semg estimate's and the multi-start physics fit's result.
set -u
. "$SEMG_SOURCE/tests/common.sh"
semg_test_dir
fail=0
sim="-array_n 8 -array_ied 0.005 -fs 4000 -samples 80 -montage sd -snr_range 20,20 -iz_range -0.005,0.005 -cv_range 3.5,4.5 -fixed_template -template_seed 20260001 -fibres_range 50,50 -radius_range 0.003,0.003 -iz_spread_range 0.005,0.005 -mu_cv_sd 0.1 -depth_range 0.02,0.02 -quiet"
"$SEMG" simulate -n 4 -seed 1 $sim -output "$dir/d.h5" >/dev/null || { echo "FAIL simulate"; exit 1; }
"$SEMG" simulate -n 4 -seed 2 $sim -output "$dir/other.h5" >/dev/null || { echo "FAIL simulate"; exit 1; }
"$SEMG" simulate -n 3 -seed 1 $sim -output "$dir/short.h5" >/dev/null || { echo "FAIL simulate"; exit 1; }
"$SEMG" baseline -method physfit -data "$dir/d.h5" -output "$dir/pf.h5" >/dev/null || { echo "FAIL physfit"; exit 1; }
"$SEMG" baseline -method physfit -data "$dir/other.h5" -output "$dir/pf_other.h5" >/dev/null || { echo "FAIL physfit"; exit 1; }
"$SEMG" baseline -method physfit -data "$dir/short.h5" -output "$dir/pf_short.h5" >/dev/null || { echo "FAIL physfit"; exit 1; }
check() { # name expected-substring semg-args...
  local name=$1 want=$2; shift 2
  out=$("$SEMG" baseline -method physfit -data "$dir/d.h5" -output "$dir/o.h5" "$@" 2>&1); rc=$?
  nerr=$(printf '%s\n' "$out" | grep -c "error")
  if [ $rc -eq 2 ] && [ "$nerr" -eq 1 ] && printf '%s' "$out" | grep -q -- "$want" && [ -z "$(ls "$dir" | grep '^o\.h5')" ]; then echo "ok   $name: $(printf '%s\n' "$out" | grep error)"
  else echo "FAIL $name (exit $rc, $nerr error lines, files: $(ls "$dir" | tr '\n' ' ')): $out"; fail=1; fi
}
check "missing start file"    "-physfit_init"              -physfit_init "$dir/none.h5"
check "not a result file"     "is not a semg result file"  -physfit_init "$dir/d.h5"
check "wrong dataset length"  "has 3 samples"              -physfit_init "$dir/pf_short.h5"
check "another dataset"       "ground truth differs"       -physfit_init "$dir/pf_other.h5"
check "bad iteration count"   "-physfit_init_max_it"       -physfit_init "$dir/pf.h5" -physfit_init_max_it 0
check "bad fallback step"     "-physfit_fallback_step"     -physfit_init "$dir/pf.h5" -physfit_fallback_step 0
check "bad fallback distance" "-physfit_fallback_moved"    -physfit_init "$dir/pf.h5" -physfit_fallback_moved -1
out=$("$SEMG" baseline -method vfit -data "$dir/d.h5" -output "$dir/o.h5" -physfit_init "$dir/pf.h5" 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$out" | grep -q "needs -method physfit" && [ ! -e "$dir/o.h5" ]; then echo "ok   -physfit_init without physfit"; else echo "FAIL -physfit_init without physfit (exit $rc): $out"; fail=1; fi
# a good start: method hybrid, covariance written (positive variances of IZ and CV)
if "$SEMG" baseline -method physfit -data "$dir/d.h5" -output "$dir/h.h5" -physfit_init "$dir/pf.h5" >/dev/null 2>&1 && [ ! -e "$dir/h.h5.tmp" ]; then
  meth=$(h5dump -a /method "$dir/h.h5" | grep -o '"hybrid"')
  sd=$(h5dump -d /estimates/theta_sd "$dir/h.h5" | awk '/\(0,0\)/ { gsub(/[(),:]/, " "); print $3, $4 }')
  if [ "$meth" = '"hybrid"' ] && awk -v a="${sd% *}" -v b="${sd#* }" 'BEGIN { exit !(a > 0 && b > 0) }'; then echo "ok   hybrid result: method hybrid, sd $sd"
  else echo "FAIL hybrid result: method '$meth', sd '$sd'"; fail=1; fi
else echo "FAIL good start"; fail=1; fi
exit $fail
