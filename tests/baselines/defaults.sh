#!/bin/bash
# Issue 18: every classical method with its DEFAULT options within 1 IED (5 mm) in IZ and 1 m/s in CV on
# a small CCS set (the common test set's recipe, seed 9 at 20 dB: neither the test seed 4 nor the tuning
# seed 5), with a CV estimate on >= 80 % of the examples and never a CV outside the default -cv_range 2..7
# (the plausibility guard: no estimate instead). The former defaults fail it (measured: vfit 1.35, cv_mle
# 1.10 m/s, 6 CVs outside 2..7).
# Second part: the 2048-Hz true MUAPs of a 30 % test-bed recording (semg record seed 8, a tuning seed of
# docs/baselines.md; 2 epochs of 2 s): a shallow unit whose short phases anti-correlate neighbouring
# channels at zero lag and whose far channels are still silent in the onset window. Before the fixes of
# docs/baselines.md "2048-Hz templates": iz_phase 14.7 mm, cv_xcorr 2.14, cv_spectral 2.00, cv_mle 1.67 m/s.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$SEMG" simulate -n 60 -seed 9 -fs 5000 -samples 200 -montage sd -iz_range -0.01,0.01 -cv_range 3,5 -depth_range 0.02,0.02 -fibres_range 50,50 \
  -radius_range 0.003,0.003 -iz_spread_range 0.005,0.005 -mu_cv_sd 0.1 -fixed_template -template_seed 12345 -snr_range 20,20 -output "$dir/d.h5" >/dev/null 2>&1 || { echo "FAIL simulate"; exit 1; }
fail=0
for m in iz_minamp iz_phase vfit cv_xcorr cv_spectral cv_mle; do
  "$SEMG" baseline -method $m -data "$dir/d.h5" -output "$dir/$m.csv" -quiet >/dev/null 2>&1 || { echo "FAIL $m did not run"; fail=1; continue; }
  # columns: sample, iz_est_m, cv_est_mps, iz_true_m, cv_true_mps
  line=$(awk -F, -v m=$m 'NR > 1 { n++; if ($2 != "") { ni++; si += ($2 > $4 ? $2 - $4 : $4 - $2) } if ($3 != "") { nc++; sc += ($3 > $5 ? $3 - $5 : $5 - $3); if ($3 < 2 || $3 > 7) bad++ } }
    END { iz = ni ? 1000 * si / ni : -1; cv = nc ? sc / nc : -1; want_cv = (m ~ /^cv_|vfit/); want_iz = (m ~ /^iz_|vfit/)
          ok = (!want_iz || (ni == n && iz < 5)) && (!want_cv || (nc >= 0.8 * n && cv < 1 && bad == 0))
          printf "%s %s: IZ MAE %.2f mm (n %d), CV MAE %.3f m/s (n %d of %d, %d outside 2..7)", ok ? "ok  " : "FAIL", m, iz, ni, cv, nc, n, bad + 0 }' "$dir/$m.csv")
  echo "$line"
  case "$line" in FAIL*) fail=1 ;; esac
done
"$SEMG" record -excitation 0.3 -duration 4 -seed 8 -output "$dir/r.h5" -quiet >/dev/null 2>&1 || { echo "FAIL record"; exit 1; }
"$SEMG" templates -data "$dir/r.h5" -epoch 2 -output "$dir/t.h5" -truth_output "$dir/true.h5" >/dev/null 2>&1 || { echo "FAIL templates"; exit 1; }
for m in iz_minamp iz_phase vfit cv_xcorr cv_spectral cv_mle; do
  "$SEMG" baseline -method $m -data "$dir/true.h5" -output "$dir/true.$m.csv" -quiet >/dev/null 2>&1 || { echo "FAIL $m did not run on the true MUAPs"; fail=1; continue; }
  line=$(awk -F, -v m=$m 'NR > 1 { n++; if ($2 != "") { ni++; si += ($2 > $4 ? $2 - $4 : $4 - $2) } if ($3 != "") { nc++; sc += ($3 > $5 ? $3 - $5 : $5 - $3) } }
    END { iz = ni ? 1000 * si / ni : -1; cv = nc ? sc / nc : -1; want_cv = (m ~ /^cv_|vfit/); want_iz = (m ~ /^iz_|vfit/)
          ok = n > 0 && (!want_iz || (ni == n && iz < 5)) && (!want_cv || (nc == n && cv < 1))
          printf "%s %s on 2048-Hz true MUAPs: IZ MAE %.2f mm, CV MAE %.3f m/s (n %d)", ok ? "ok  " : "FAIL", m, iz, cv, n }' "$dir/true.$m.csv")
  echo "$line"
  case "$line" in FAIL*) fail=1 ;; esac
done
exit $fail
