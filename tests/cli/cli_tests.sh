#!/usr/bin/env bash
# End-to-end tests of the semg command line. Usage: cli_tests.sh NAME (one test per CTest entry).
# Environment from CTest: SEMG (program), MPIEXEC, NPFLAG.
set -uo pipefail
. "$(dirname "$0")/../common.sh"
name=$1
expected=$(cd "$(dirname "$0")" && pwd)/expected.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
mpirun_n() { local n=$1; shift; "$MPIEXEC" "$NPFLAG" "$n" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

# Fibre F and the electrodes of forward-model-ccs.md section 10.
printf "origin_x,origin_y,origin_z,ip,length,cv\n-0.05,0,0,0.052,0.11,4.5\n" > F.csv
printf "x,y,z\n-0.02,0,0.01\n0,0,0.01\n0.002,0,0.01\n0.02,0,0.01\n" > E.csv

# max relative difference of two CSV files (numeric fields, same shape), relative to the largest |value|
csv_maxrel() {
  paste -d, "$1" "$2" | awk -F, 'NR>1 { h=NF/2; for (i=2;i<=h;i++) { a=$i; b=$(i+h); d=a-b; if (d<0) d=-d; if (d>m) m=d; if (a<0) a=-a; if (a>s) s=a } } END { printf "%.3e\n", (s>0? m/s : m) }'
}

case "$name" in
  muap_worked_example)
    # t = 0.3 ms (k = 3) and 2 ms (k = 20) at fs = 10 kHz against the spec's table
    "$SEMG" muap -fibres F.csv -electrodes E.csv -fs 10000 -samples 21 -output out.csv || fail "muap failed"
    awk -F, 'NR==5 { w[1]=6.1989324518e-03; w[2]=1.4635597715e-02; w[3]=1.4918092461e-02; w[4]=7.2763409513e-03 }
             NR==22 { w[1]=-3.4384073044e-04; w[2]=-1.4763164658e-03; w[3]=-1.4621240314e-03; w[4]=-3.9314867200e-04 }
             NR==5 || NR==22 { for (i=1;i<=4;i++) { d=($(i+1)-w[i])/w[i]; if (d<0) d=-d; if (d>5e-10) { print "row", NR, "col", i, $(i+1), w[i]; bad=1 } } ; n++ }
             END { if (bad || n!=2) exit 1; print "muap worked example: 8 values within 5e-10 relative" }' out.csv || fail "values differ from the spec"
    ;;
  muap_montages)
    printf "x,y,z\n-0.01,0,0.01\n-0.005,0,0.01\n0,0,0.01\n0.005,0,0.01\n0.01,0,0.01\n" > A.csv
    "$SEMG" muap -fibres F.csv -electrodes A.csv -fs 1000 -samples 3 -montage sd -output sd.csv || fail "sd"
    "$SEMG" muap -fibres F.csv -electrodes A.csv -fs 1000 -samples 3 -montage dd -output dd.csv || fail "dd"
    awk -F, 'NR==4 { split("6.0410525049e-04 1.7887509530e-04 7.5870067434e-06 -3.0242186736e-04", w, " "); for (i=1;i<=4;i++) { d=($(i+1)-w[i])/w[i]; if (d<0) d=-d; if (d>5e-9) exit 1 } ; ok=1 } END { exit !ok }' sd.csv || fail "SD values"
    awk -F, 'NR==4 { split("4.2523015519e-04 1.7128808855e-04 3.1000887410e-04", w, " "); for (i=1;i<=3;i++) { d=($(i+1)-w[i])/w[i]; if (d<0) d=-d; if (d>5e-9) exit 1 } ; ok=1 } END { exit !ok }' dd.csv || fail "DD values"
    echo "SD and DD at t = 2 ms match the spec"
    ;;
  muap_ranks)
    args=(muap -mu_fibres 300 -mu_radius 0.005 -mu_cv_sd 0.2 -array_n 16,2 -array_centre 0,0,0.022 -fs 4000 -samples 120 -seed 7)
    mpirun_n 1 "$SEMG" "${args[@]}" -output r1.csv || fail "1 rank"
    mpirun_n 2 "$SEMG" "${args[@]}" -output r2.csv || fail "2 ranks"
    rel=$(csv_maxrel r1.csv r2.csv)
    echo "muap 1 vs 2 ranks: max relative difference $rel"
    semg_expect "$expected" muap_ranks_max_rel "$rel" || fail "ranks differ by $rel"
    ;;
  simulate_ranks)
    args=(simulate -n 9 -fibres_range 50,120 -radius_range 0.002,0.005 -depth_range 0.012,0.02 -snr_range 10,30 -contact_gain_sd 0.05 -shift_x_range -0.002,0.002 -rotation_range 0,10 -samples 80 -quiet)
    mpirun_n 1 "$SEMG" "${args[@]}" -output s1.h5 || fail "1 rank"
    mpirun_n 2 "$SEMG" "${args[@]}" -output s2.h5 || fail "2 ranks"
    h5diff s1.h5 s2.h5 /emg/data || fail "/emg/data differs between 1 and 2 ranks"
    h5diff s1.h5 s2.h5 /ground_truth/theta || fail "/ground_truth/theta differs"
    h5diff s1.h5 s2.h5 /emg/channels || fail "/emg/channels differs"
    echo "simulate: /emg/data, /ground_truth/theta, /emg/channels bitwise identical on 1 and 2 ranks"
    ;;
  simulate_vc_models)
    # realistic (mismatch) generators: analytic anisotropic half-space and a stored grid lead field
    args=(simulate -n 5 -depth_range 0.01 -fibres_range 60 -snr_range 1000 -quiet)
    mpirun_n 2 "$SEMG" "${args[@]}" -model halfspace -rotation_range 0,10 -output h2.h5 || fail "halfspace 2 ranks"
    mpirun_n 1 "$SEMG" "${args[@]}" -model halfspace -rotation_range 0,10 -output h1.h5 || fail "halfspace 1 rank"
    h5diff h1.h5 h2.h5 /emg/data || fail "halfspace data differ between 1 and 2 ranks"
    [[ "$("$SEMG" info -data h1.h5)" == *"units V"* ]] || fail "halfspace units"
    semg_linear_array 16 > e16.csv
    mpirun_n 2 "$SEMG" leadfield -electrodes e16.csv -output lf.h5 -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 -vc_skin_cells 2 -vc_fat_cells 4 > /dev/null || fail "leadfield"
    mpirun_n 2 "$SEMG" "${args[@]}" -model vc -leadfield lf.h5 -output v2.h5 || fail "vc 2 ranks"
    mpirun_n 1 "$SEMG" "${args[@]}" -model vc -leadfield lf.h5 -output v1.h5 || fail "vc 1 rank"
    h5diff v1.h5 v2.h5 /emg/data || fail "vc data differ between 1 and 2 ranks"
    "$SEMG" export -data v1.h5 -output v.csv > /dev/null || fail "export"
    # SD amplitude of a 60-fibre MU 10 mm deep: microvolts (volume-conductor.md 9: tens of uV for hundreds of fibres)
    amax=$(awk -F, 'NR>1 { for (i=3;i<=NF;i++) { v=$i<0?-$i:$i; if (v>m) m=v } } END { print m }' v.csv)
    semg_expect "$expected" vc_sd_amplitude "$amax" || fail "vc SD amplitude $amax V out of range"
    out=$("$SEMG" "${args[@]}" -model vc -output x.h5 2>&1); [ $? -eq 2 ] && [[ "$out" == *"needs -leadfield"* ]] || fail "missing -leadfield: $out"
    echo "simulate -model halfspace and -model vc: bitwise identical on 1 and 2 ranks, SD max $amax V"
    ;;
  import_export_roundtrip)
    "$SEMG" simulate -n 5 -samples 40 -montage mono -array_n 6 -output d.h5 -quiet || fail "simulate"
    "$SEMG" export -data d.h5 -output s.csv -truth t.csv -electrodes e.csv || fail "export"
    "$SEMG" import -signals s.csv -electrodes e.csv -fs 5000 -truth t.csv -units a.u. -output d2.h5 || fail "import"
    h5diff d.h5 d2.h5 /emg/data || fail "data changed in the round trip"
    "$SEMG" export -data d2.h5 -output s2.csv -truth t2.csv || fail "export 2"
    cmp s.csv s2.csv || fail "signals CSV changed"
    cmp t.csv t2.csv || fail "truth CSV changed"
    # the same recording as sd channels: 5 channels
    mpirun_n 2 "$SEMG" import -signals s.csv -electrodes e.csv -fs 5000 -montage sd -output d3.h5 || fail "import sd on 2 ranks"
    [[ "$("$SEMG" info -data d3.h5)" == *"5 examples x 5 sd channels x 40 times"* ]] || fail "sd import shape"
    echo "import/export round trip exact (data, truth), sd import on 2 ranks ok"
    ;;
  import_real_epochs)
    # the real walking recording of ../shared/data: 13 muscles, 1 kHz, microvolts
    src=$SEMG_SOURCE/../shared/data/walking-13muscles/emg.csv
    [ -f "$src" ] || { echo "SKIP: $src not present"; exit 77; }
    awk -F, 'NR==1 { printf "sample,time_s"; for (i=2;i<=NF;i++) printf ",%s", $i; print ""; next } { printf "0"; for (i=1;i<=NF;i++) printf ",%s", $i; print "" }' "$src" > walk.csv
    awk 'BEGIN { print "x,y,z,column"; for (i=0;i<13;i++) print 0","0.05*i",0,"i }' > walk_e.csv
    mpirun_n 2 "$SEMG" import -signals walk.csv -electrodes walk_e.csv -fs 1000 -units uV -epoch 0.5 -output walk.h5 || fail "import -epoch"
    [[ "$("$SEMG" info -data walk.h5)" == *"15 examples x 13 mono channels x 500 times, fs 1000. Hz, 13 electrodes, units uV"* ]] || fail "epoch shape"
    "$SEMG" export -data walk.h5 -output back.csv || fail "export"
    # epoch 1 sample 0 is recording row 501; compare every channel with the source
    want=$(sed -n '502p' "$src" | cut -d, -f2-)
    got=$(awk -F, '$1 == 1 && $2 == 0 { for (i=3;i<=NF;i++) printf "%s%.6f", (i>3?",":""), $i; print "" }' back.csv)
    want=$(echo "$want" | awk -F, '{ for (i=1;i<=NF;i++) printf "%s%.6f", (i>1?",":""), $i; print "" }')
    [ "$got" = "$want" ] || fail "epoch 1 sample 0: $got vs $want"
    mpirun_n 2 "$SEMG" import -signals walk.csv -electrodes walk_e.csv -fs 1000 -units uV -epoch 0.5 -template peak -output walkt.h5 > t.txt || fail "-template peak"
    grep -q "15 epochs of 0.5 s as peak-triggered templates" t.txt || fail "template import"
    echo "real recording: 7.6 s -> 15 epochs of 0.5 s (values exact), peak-triggered templates on 2 ranks"
    ;;
  bad_input)
    printf "origin_x,origin_y,origin_z,ip,length,cv\n-0.05,0,0,0.052,0.11\n" > cols.csv
    printf "origin_x,origin_y,origin_z,ip,length,cv\n-0.05,0,0,nan,0.11,4\n" > nan.csv
    printf "origin_x,origin_y,origin_z,ip,length,cv\n-0.05,0,0,0.05,-0.11,4\n" > neg.csv
    printf "origin_x,origin_y,origin_z,ip,length,cv\n-0.05,0,0,0.2,0.11,4\n" > ipout.csv
    printf "origin_x,origin_y,origin_z,ip,length,cv\n-50,0,0,52,110,4\n" > mm.csv
    printf "x,y,z,column\n0,0,0.01,2222222222222222222\n" > Ecol.csv
    echo "good" > keep.csv
    head -c 300 /dev/urandom > corrupt.h5
    "$SEMG" simulate -n 2 -samples 20 -output good.h5 -quiet || fail "simulate"
    check() { # expected-pattern command...
      local pat=$1; shift
      "$@" > out.txt 2>&1; local rc=$?
      [ $rc -eq 2 ] || { cat out.txt; fail "exit code $rc (want 2) for: $*"; }
      [ "$(grep -c 'error' out.txt)" -eq 1 ] || { cat out.txt; fail "want exactly one error line for: $*"; }
      grep -q -- "$pat" out.txt || { cat out.txt; fail "message lacks '$pat' for: $*"; }
      printf "%-22s -> %s\n" "${pat}" "$(grep error out.txt)"
    }
    M=("$SEMG" muap -electrodes E.csv -fs 1000 -samples 10)
    check "cannot read 'missing.csv'" "${M[@]}" -fibres missing.csv -output o.csv
    check "columns, the header has 6" "${M[@]}" -fibres cols.csv -output o.csv
    check "not a finite number" "${M[@]}" -fibres nan.csv -output o.csv
    check "length -0.11 must be > 0" "${M[@]}" -fibres neg.csv -output o.csv
    check "ip 0.2 outside" "${M[@]}" -fibres ipout.csv -output o.csv
    check "must be within 10 m (metres, not mm)" "${M[@]}" -fibres mm.csv -output o.csv
    check "column 2.22222e+18 must be an integer" "$SEMG" muap -fibres F.csv -electrodes Ecol.csv -output o.csv
    check "-fs 0. must be > 0" "$SEMG" muap -fibres F.csv -electrodes E.csv -fs 0 -samples 10 -output o.csv
    check "unknown option -fibers" "${M[@]}" -fibres F.csv -fibers F.csv -output o.csv
    check "directory does not exist" "${M[@]}" -fibres F.csv -output /nonexistent/dir/o.csv
    check "cannot write '/sys/o.csv.tmp'" "${M[@]}" -fibres F.csv -output /sys/o.csv
    check "cannot write '/sys/o.csv.tmp'" timeout 60 "$MPIEXEC" "$NPFLAG" 2 "${M[@]}" -fibres F.csv -output /sys/o.csv
    check "must end in .csv or .h5" "${M[@]}" -fibres F.csv -output o.txt
    check "option -output is required" "${M[@]}" -fibres F.csv
    check "not an HDF5 file" "$SEMG" info -data corrupt.h5
    check "cannot read 'none.h5'" "$SEMG" info -data none.h5
    printf "sample,time_s,a,b\n0,0,1,2\n0,0.001,1,2\n" > sig2.csv
    printf "x,y,z\n0,0,0\n0.005,0,0\n" > E2.csv
    check "has 2 signal columns, -electrodes 'E.csv' has 4" "$SEMG" import -signals sig2.csv -electrodes E.csv -fs 1000 -output x.h5
    check "-template peak needs -epoch" "$SEMG" import -signals sig2.csv -electrodes E.csv -fs 1000 -template peak -output x.h5
    check "not a semg lead-field file" "$SEMG" simulate -n 2 -model vc -leadfield good.h5 -output x.h5
    check "is longer than the recording" "$SEMG" import -signals sig2.csv -electrodes E2.csv -fs 1000 -epoch 1 -output x.h5
    check "depth_range lo" "$SEMG" simulate -n 2 -depth_range 0.001,0.002 -output x.h5
    check "cannot read 'missing.csv'" mpirun_n 2 "${M[@]}" -fibres missing.csv -output o.csv
    check "Unknown option foo for -montage" "$SEMG" simulate -n 2 -montage foo -output x.h5
    check "-n 'abc' is not an integer" mpirun_n 2 "$SEMG" simulate -n abc -output x.h5
    check "requested PC type bogus" mpirun_n 2 "$SEMG" leadfield -electrodes E.csv -vc_grid 33,33,33 -vc_pc_type bogus -output lf_bad.h5
    # a failing run never replaces good data
    "${M[@]}" -fibres nan.csv -output keep.csv > /dev/null 2>&1
    [ "$(cat keep.csv)" = good ] || fail "a failed run overwrote keep.csv"
    [ ! -e o.csv ] || fail "a failed run left o.csv"
    [ ! -e lf_bad.h5 ] && [ ! -e lf_bad.h5.tmp ] || fail "a failed lead-field run left a file"
    echo "bad input: 25 cases give one error line and exit 2; good data untouched"
    ;;
  provenance_git)
    # outputs name the commit that was built (refreshed at build time, not only at configure time)
    head=$(git -C "$SEMG_SOURCE" rev-parse HEAD 2> /dev/null) || { echo "not a git checkout: skipped"; exit 77; }
    "$SEMG" muap -fibres F.csv -electrodes E.csv -output p.h5 > /dev/null || fail "muap failed"
    sha=$(h5dump -a /git_sha p.h5 | sed -n 's/.*(0): "\(.*\)".*/\1/p')
    case "$sha" in
      "$head" | "$head-dirty") echo "git_sha $sha = the source's HEAD" ;;
      *) fail "git_sha '$sha' is not the source's HEAD $head (binary older than the checkout?)" ;;
    esac
    ;;
  *) fail "unknown test $name" ;;
esac
