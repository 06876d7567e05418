#!/bin/bash
# semg pointsource: analytic models reproduce the spec's reference values (volume-conductor.md 8.1);
# the finite-volume model agrees with the three-layer model in SD-like differences; bad input gives
# one error line and exit 2.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
printf 'x,y,z\n0,0,0\n0.01,0,0\n0,0.005,0\n0.02,0.01,0\n' > "$dir/e.csv"
value() { sed -n "$(( $2 + 2 ))p" "$1" | cut -d, -f4; }
check() { # name got ref reltol
  if awk -v g="$2" -v r="$3" -v t="$4" 'BEGIN { d = g - r; if (d < 0) d = -d; exit !(d <= t * (r < 0 ? -r : r)) }'; then
    echo "ok   $1: $2 (ref $3)"
  else
    echo "FAIL $1: $2 (ref $3)"; fail=1
  fi
}
"$SEMG" pointsource -model halfspace -source 0,0,-0.005 -electrodes "$dir/e.csv" -output "$dir/hs.csv" -fat_thickness 0 -skin_thickness 0 || fail=1
check "halfspace (0,0)" "$(value "$dir/hs.csv" 0)" 142.3525086834 1e-11
check "halfspace (10mm,0)" "$(value "$dir/hs.csv" 1)" 106.1032953946 1e-11
"$SEMG" pointsource -model layered -source 0,0,-0.009 -electrodes "$dir/e.csv" -output "$dir/ly.csv" || fail=1
check "layered (0,0)" "$(value "$dir/ly.csv" 0)" 62.3590189560 1e-11
check "layered (20mm,10mm)" "$(value "$dir/ly.csv" 3)" 39.5068381109 1e-11
"$SEMG" pointsource -model infinite -source 0,0,-0.01 -electrodes "$dir/e.csv" -output "$dir/inf.csv" || fail=1
check "infinite (0,0)" "$(value "$dir/inf.csv" 0)" 35.58812717085 1e-11
"$MPIEXEC" $NPFLAG 2 "$SEMG" pointsource -model fdm -source 0,0,-0.009 -electrodes "$dir/e.csv" -output "$dir/fdm.csv" -vc_grid 65,65,65 -vc_h 0.5e-3,0.5e-3 || fail=1
d_fdm=$(awk -F, 'NR==2{a=$4} NR==5{b=$4} END{print a-b}' "$dir/fdm.csv")
d_ly=$(awk -F, 'NR==2{a=$4} NR==5{b=$4} END{print a-b}' "$dir/ly.csv")
check "fdm vs layered: phi(0,0)-phi(20mm,10mm)" "$d_fdm" "$d_ly" 0.03
head -1 "$dir/fdm.csv" | grep -qx 'x,y,z,phi_V' || { echo "FAIL header"; fail=1; }
out=$("$SEMG" pointsource -model layered -source 0,0,-0.002 -electrodes "$dir/e.csv" -output "$dir/x.csv" 2>&1); rc=$?
[ "$rc" -eq 2 ] && echo "ok   source in fat rejected: $out" || { echo "FAIL source in fat: rc=$rc $out"; fail=1; }
out=$("$SEMG" pointsource -model layered -source 0,0,-0.009 -electrodes "$dir/e.csv" -output "$dir/x.csv" -sigma_fatt 1 2>&1); rc=$?
[ "$rc" -eq 2 ] && echo "ok   misspelt option rejected: $out" || { echo "FAIL misspelt option: rc=$rc $out"; fail=1; }
[ ! -e "$dir/x.csv" ] || { echo "FAIL output written despite error"; fail=1; }
exit $fail
