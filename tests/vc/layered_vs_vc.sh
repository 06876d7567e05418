#!/bin/bash
# semg simulate -model layered (tabulated planar three-layer lead field) against -model vc with a lead field
# solved by semg leadfield for the same tissue: the same MUs on an 8-electrode array must give the same
# signals up to the grid's discretisation error. Single differentials with insulated far faces (mean
# reference, spec 5.4: monopolar channels then carry a common mode), monopolar with the Robin far condition
# (infinity-referenced, as the layered model).
set -u
. "$(dirname "$0")/../common.sh"
semg_test_dir
cd "$dir" || exit 1
fail=0
semg_linear_array 8 > e8.csv
grid=(-vc_grid 113,41,57)
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes e8.csv -output lfn.h5 "${grid[@]}" > log.txt 2>&1 || { cat log.txt; exit 1; }
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes e8.csv -output lfr.h5 "${grid[@]}" -vc_far_bc robin > log.txt 2>&1 || { cat log.txt; exit 1; }
common=(simulate -n 6 -seed 3 -samples 200 -array_n 8 -depth_range 0.01,0.016 -fibres_range 40 -snr_range 1000 -quiet)
# compare A.csv B.csv max_nrmse ratio_tol: per sample NRMSE = RMS(A - B)/RMS(B); mean RMS ratio A/B
compare() {
  paste -d, "$1" "$2" | awk -F, -v tol="$3" -v rtol="$4" 'NR > 1 { h = NF / 2; s = $1; for (i = 3; i <= h; i++) { a = $i; b = $(i + h); d[s] += (a - b)^2; bb[s] += b * b; aa[s] += a * a } }
    END { for (s in d) { e = sqrt(d[s] / bb[s]); if (e > m) m = e; r += sqrt(aa[s] / bb[s]); n++ }
          printf "%d samples: max NRMSE %.4f, mean RMS ratio %.4f", n, m, r / n; exit !(n == 6 && m <= tol && r / n > 1 - rtol && r / n < 1 + rtol) }'
}
for case in "sd lfn.h5" "mono lfr.h5"; do
  set -- $case
  "$SEMG" "${common[@]}" -montage "$1" -model layered -output l.h5 > /dev/null && "$SEMG" "${common[@]}" -montage "$1" -model vc -leadfield "$2" -output v.h5 > /dev/null || { echo "FAIL simulate $case"; fail=1; continue; }
  "$SEMG" export -data l.h5 -output l.csv > /dev/null && "$SEMG" export -data v.h5 -output v.csv > /dev/null || { echo "FAIL export $case"; fail=1; continue; }
  out=$(compare v.csv l.csv 0.03 0.02) && echo "ok   $1 ($2) vc vs layered: $out" || { echo "FAIL $1 ($2) vc vs layered: $out"; fail=1; }
done
exit $fail
