#!/bin/bash
# -model vc -leadfield a.h5,b.h5: two conductor realisations (random log-normal conductivity, log-sigma SD
# 0.3, correlation 5 mm, tissue seeds 1 and 2) of one small grid; sample i must be sample i of the dataset
# made with realisation i mod 2 alone (bitwise, on 2 ranks), its lf_realisation column i mod 2, and the two
# realisations must give different signals. Bad lists: one line, exit 2, no output.
set -u
gm=$1
. "$(dirname "$0")/lib.sh"
semg_linear_array 8 > e8.csv
semg_linear_array 6 > e6.csv
grid=(-vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 -tissue_log_std 0.3 -tissue_corr 0.005,0.005,0.005)
for s in 1 2; do
  "$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes e8.csv -output "lf$s.h5" "${grid[@]}" -tissue_seed $s > log.txt 2>&1 || { cat log.txt; exit 1; }
done
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes e6.csv -output lf6.h5 "${grid[@]}" > log.txt 2>&1 || { cat log.txt; exit 1; }
common=(simulate -n 6 -model vc -depth_range 0.008 -radius_range 0.001 -fibres_range 10 -snr_range 20 -quiet)
"$MPIEXEC" $NPFLAG 2 "$SEMG" "${common[@]}" -leadfield lf1.h5,lf2.h5 -output both.h5 > log.txt 2>&1 &&
  "$SEMG" "${common[@]}" -leadfield lf1.h5 -output only1.h5 > log.txt 2>&1 &&
  "$SEMG" "${common[@]}" -leadfield lf2.h5 -output only2.h5 > log.txt 2>&1 || { cat log.txt; echo "FAIL simulate"; exit 1; }
"$gm" -mode realisations -a both.h5 -parts only1.h5,only2.h5 > r.txt || { echo "FAIL gen_measure"; exit 1; }
cat r.txt
awk '$1 == "samples_not_from_i_mod_R" { bad = $2 } $1 == "sample_pairs_that_differ_between_realisations" { diff = $2 } END { exit !(bad == 0 && diff == 6) }' r.txt &&
  echo "ok   sample i uses realisation i mod 2; the realisations differ" || { echo "FAIL realisation selection"; fail=1; }
for bad in "lf1.h5," "lf1.h5,missing.h5" "lf1.h5,lf6.h5"; do
  user_error "-leadfield $bad" bad.h5 "$SEMG" "${common[@]}" -leadfield "$bad" -output bad.h5
done
exit $fail
