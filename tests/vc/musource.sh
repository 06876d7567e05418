#!/bin/bash
# semg simulate -model vc -vc_source homogenised: bitwise identical /emg/data on 1 and 2 ranks, the source
# recorded in the model config, close to the per-fibre line source of the same MUs (same lead field),
# and bad input gives exit 2.
set -u
. "$(dirname "$0")/../common.sh"
semg_test_dir
cd "$dir" || exit 1
fail=0
semg_linear_array 16 > e16.csv
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes e16.csv -output lf.h5 -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 \
  -vc_skin_cells 2 -vc_fat_cells 4 > log.txt 2>&1 || { cat log.txt; exit 1; }
args=(simulate -n 6 -depth_range 0.01 -fibres_range 60 -snr_range 1000 -quiet -model vc -leadfield lf.h5)
"$MPIEXEC" $NPFLAG 2 "$SEMG" "${args[@]}" -vc_source homogenised -output h2.h5 > /dev/null || { echo "FAIL homogenised on 2 ranks"; fail=1; }
"$MPIEXEC" $NPFLAG 1 "$SEMG" "${args[@]}" -vc_source homogenised -output h1.h5 > /dev/null || { echo "FAIL homogenised on 1 rank"; fail=1; }
h5diff h1.h5 h2.h5 /emg/data && echo "ok   /emg/data bitwise identical on 1 and 2 ranks" || { echo "FAIL /emg/data differs between 1 and 2 ranks"; fail=1; }
h5dump -d /provenance/model_config h1.h5 | grep -q "vc_source: homogenised" && echo "ok   model config records vc_source: homogenised" || { echo "FAIL model config"; fail=1; }
# the same MUs with per-fibre line sources (24 samples, monopolar): the columns fill the territory disc,
# the 60 fibres are random points in it, so the two agree statistically, not sample by sample
stat=(simulate -n 24 -samples 120 -montage mono -depth_range 0.01 -fibres_range 60 -snr_range 1000 -quiet -model vc -leadfield lf.h5)
"$SEMG" "${stat[@]}" -output l.h5 > /dev/null && "$SEMG" "${stat[@]}" -vc_source homogenised -output h.h5 > /dev/null || { echo "FAIL 24-sample runs"; fail=1; }
"$SEMG" export -data h.h5 -output h.csv > /dev/null && "$SEMG" export -data l.h5 -output l.csv > /dev/null || { echo "FAIL export"; fail=1; }
paste -d, h.csv l.csv | awk -F, 'NR>1 { h=NF/2; s=$1; for (i=3;i<=h;i++) { a=$i; b=$(i+h); hh[s]+=a*a; ll[s]+=b*b; hl[s]+=a*b } }
  END { cmin=1; for (s in hh) { r=sqrt(hh[s]/ll[s]); c=hl[s]/sqrt(hh[s]*ll[s]); n++; sr+=r; sr2+=r*r; if (c<cmin) cmin=c }
        m=sr/n; sd=sqrt(sr2/n-m*m); printf "     %d samples: RMS ratio homogenised/line mean %.3f (SD %.3f, SE %.3f), lowest correlation %.3f\n", n, m, sd, sd/sqrt(n), cmin
        exit !(n==24 && m>0.95 && m<1.05 && cmin>0.9) }' \
  && echo "ok   homogenised vs line source: mean RMS ratio within 1 +- 0.05, correlations > 0.9" || { echo "FAIL homogenised vs line source"; fail=1; }
"$SEMG" "${args[@]}" -vc_source homogenised -fixed_template -output t.h5 > /dev/null && echo "ok   -fixed_template" || { echo "FAIL -fixed_template"; fail=1; }
for bad in "-vc_source foo" "-vc_source homogenised -vc_ccs_sources" ; do
  out=$("$SEMG" "${args[@]}" $bad -output x.h5 2>&1); rc=$?
  [ "$rc" -eq 2 ] && [ ! -e x.h5 ] && echo "ok   $bad rejected: $out" || { echo "FAIL $bad: rc=$rc $out"; fail=1; }
done
out=$("$SEMG" simulate -n 2 -model halfspace -vc_source homogenised -output x.h5 2>&1); rc=$?
[ "$rc" -eq 2 ] && echo "ok   -model halfspace -vc_source homogenised rejected: $out" || { echo "FAIL halfspace: rc=$rc $out"; fail=1; }
exit $fail
