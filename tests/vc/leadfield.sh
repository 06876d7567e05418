#!/bin/bash
# semg leadfield: a 16 x 1 array (5 mm IED) on a small grid, 2 ranks; the file has the documented layout,
# misalignment is applied to the stored electrode positions, and bad input gives exit 2; rectangular electrodes,
# the Robin far condition and a stored box give the documented datasets.
set -u
. "$(dirname "$0")/../common.sh"
semg_test_dir
fail=0
semg_linear_array 16 > "$dir/e.csv"
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/lf.h5" -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 \
  -vc_skin_cells 2 -vc_fat_cells 4 -electrode_radius 1e-3 -misalign_rotation 10 > "$dir/log.txt" 2>&1 || { cat "$dir/log.txt"; fail=1; }
grep -q "16 electrodes" "$dir/log.txt" && echo "ok   solved 16 lead fields" || { echo "FAIL no summary"; fail=1; }
h5ls -r "$dir/lf.h5" > "$dir/ls.txt" 2>&1
grep -q "/leadfield/values .*{16, 33, 33, 33}" "$dir/ls.txt" && echo "ok   /leadfield/values {16, 33, 33, 33}" || { echo "FAIL values shape"; cat "$dir/ls.txt"; fail=1; }
for d in electrodes radius x_centres z_faces iterations; do
  grep -q "/leadfield/$d " "$dir/ls.txt" && echo "ok   /leadfield/$d" || { echo "FAIL /leadfield/$d missing"; fail=1; }
done
# electrode 15 rotated by 10 degrees about the array centre: y = 37.5 mm * sin(10 deg) = 6.5118 mm
y15=$(h5dump -d /leadfield/electrodes -y -w 0 "$dir/lf.h5" | tr -d ' ' | grep -v '^$' | sed -n '/DATA{/,/}/p' | tr ',' '\n' | grep -E '^-?[0-9.e-]+$' | sed -n '47p')
semg_expect "$(dirname "$0")/expected.txt" leadfield_rotated_y15 "$y15" || fail=1
# the believed (nominal) array is stored beside the rotated one, and a dataset made from the rotated
# lead field records it: its 16 electrodes stay one column 5 mm apart along x, so an SD montage works
grep -q "/leadfield/electrodes_nominal " "$dir/ls.txt" && echo "ok   /leadfield/electrodes_nominal stored" || { echo "FAIL /leadfield/electrodes_nominal missing"; fail=1; }
"$MPIEXEC" $NPFLAG 2 "$SEMG" simulate -model vc -leadfield "$dir/lf.h5" -montage sd -n 4 -samples 50 -depth_range 0.006,0.006 -radius_range 0.001,0.001 \
  -fibres_range 5,5 -output "$dir/rot.h5" > "$dir/simrot.txt" 2>&1 && echo "ok   simulate -model vc -montage sd on a rotated lead field" || { echo "FAIL simulate on the rotated lead field"; cat "$dir/simrot.txt"; fail=1; }
# x, y of electrodes 1 and 2 from the compound /emg/electrodes (name, x, y, z, diameter, column)
x1=$(h5dump -d /emg/electrodes -w 0 "$dir/rot.h5" 2>/dev/null | sed -n '/DATA {/,$p' | tr -d ' ,' | grep -E '^-?[0-9]' | sed -n '1p;2p;6p;7p' | tr '\n' ' ')
awk -v v="$x1" 'BEGIN { split(v, a, " "); d = a[3] - a[1]; exit !(d > 0.004999 && d < 0.005001 && a[2] == 0 && a[4] == 0) }' && echo "ok   the dataset records the nominal array (x1 y1 x2 y2: $x1)" || { echo "FAIL dataset electrodes not nominal: $x1"; fail=1; }
# electrode groups: 2 ranks solve side by side (default), each on its own copy of the grid, so the
# lead fields are bitwise those of 1 rank; one domain-decomposed solve per electrode agrees to the tolerance
"$MPIEXEC" $NPFLAG 1 "$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/lf1.h5" -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 \
  -vc_skin_cells 2 -vc_fat_cells 4 -electrode_radius 1e-3 -misalign_rotation 10 > "$dir/log1.txt" 2>&1 || { cat "$dir/log1.txt"; fail=1; }
grep -q "2 electrode groups" "$dir/log.txt" && echo "ok   2 ranks: 2 electrode groups" || { echo "FAIL no group line"; cat "$dir/log.txt"; fail=1; }
for d in values iterations; do
  h5diff "$dir/lf1.h5" "$dir/lf.h5" /leadfield/$d /leadfield/$d > "$dir/diff.txt" 2>&1 && echo "ok   /leadfield/$d bitwise equal on 1 and 2 ranks" || { echo "FAIL /leadfield/$d differs between 1 and 2 ranks"; head "$dir/diff.txt"; fail=1; }
done
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/lfdd.h5" -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 \
  -vc_skin_cells 2 -vc_fat_cells 4 -electrode_radius 1e-3 -misalign_rotation 10 -leadfield_groups 1 > "$dir/logdd.txt" 2>&1 || { cat "$dir/logdd.txt"; fail=1; }
vmax=$(h5dump -d /leadfield/values -y -w 0 "$dir/lf1.h5" | sed -n '/DATA {/,/}/p' | tr -cs '0-9eE.+-' '\n' | grep -E '^-?[0-9]' | awk 'function a(v){return v<0?-v:v} {if (a($1)>m) m=a($1)} END {print m}')
tol=$(awk -v m="$vmax" 'BEGIN { printf "%.3g", m * 1e-7 }')
h5diff -d "$tol" "$dir/lf1.h5" "$dir/lfdd.h5" /leadfield/values /leadfield/values > "$dir/diff.txt" 2>&1 && echo "ok   -leadfield_groups 1 within $tol V/A (1e-7 of max $vmax)" || { echo "FAIL -leadfield_groups 1 differs by more than $tol"; head "$dir/diff.txt"; fail=1; }
for g in 3 -1; do
  out=$("$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/g.h5" -vc_grid 33,33,33 -vc_skin_cells 2 -vc_fat_cells 4 -leadfield_groups $g 2>&1); rc=$?
  [ "$rc" -eq 2 ] && [ ! -e "$dir/g.h5" ] && [ "$(echo "$out" | grep -c error)" -eq 1 ] && echo "$out" | grep -q "leadfield_groups" && echo "ok   -leadfield_groups $g rejected: $out" || { echo "FAIL -leadfield_groups $g: rc=$rc $out"; fail=1; }
done
out=$("$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/x.h5" -leadfield_reference 16 2>&1); rc=$?
[ "$rc" -eq 2 ] && echo "ok   bad reference rejected: $out" || { echo "FAIL bad reference: rc=$rc $out"; fail=1; }
[ ! -e "$dir/x.h5" ] || { echo "FAIL output written despite error"; fail=1; }
# rectangular electrodes, Robin far faces, only a box around the fibres stored (2 ranks)
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/box.h5" -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 \
  -vc_skin_cells 2 -vc_fat_cells 4 -electrode_size 2e-3,1e-3 -vc_far_bc robin -store_box -0.03,0.03,-0.01,0.01,-0.02,0 > "$dir/log2.txt" 2>&1 || { cat "$dir/log2.txt"; fail=1; }
h5ls -r "$dir/box.h5" > "$dir/ls2.txt" 2>&1
grep -q "/leadfield/values .*{16, 11, 19, 23}" "$dir/ls2.txt" && echo "ok   box-stored values {16, 11, 19, 23}" || { echo "FAIL box-stored values shape"; cat "$dir/ls2.txt"; fail=1; }
# rectangles turn with the array: /leadfield/rotation holds the array's rotation (30 deg) for each electrode
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/rot.h5" -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 \
  -vc_skin_cells 2 -vc_fat_cells 4 -electrode_size 2e-3,1e-3 -misalign_rotation 30 > "$dir/log3.txt" 2>&1 || { cat "$dir/log3.txt"; fail=1; }
rot=$(h5dump -d /leadfield/rotation -y -w 0 "$dir/rot.h5" | sed -n '/DATA {/,/}/p' | tr -cs '0-9eE.+-' '\n' | grep -E '^-?[0-9]' | sort -u)
[ "$(echo "$rot" | wc -l)" -eq 1 ] && semg_expect "$(dirname "$0")/expected.txt" leadfield_rect_rotation "$rot" || { echo "FAIL /leadfield/rotation: $rot"; fail=1; }
for d in size stored_offset grid_cells robin_centre rotation; do
  grep -q "/leadfield/$d " "$dir/ls2.txt" && echo "ok   /leadfield/$d" || { echo "FAIL /leadfield/$d missing"; fail=1; }
done
off=$(h5dump -d /leadfield/stored_offset -y -w 0 "$dir/box.h5" | sed -n '/DATA {/,/}/p' | tr -d ' \n' | sed 's/.*DATA{//; s/}.*//')
[ "$off" = "7,11,10" ] && echo "ok   stored_offset $off" || { echo "FAIL stored_offset '$off'"; fail=1; }
for bad in "-electrode_size 2e-3,1e-3 -electrode_radius 1e-3" "-store_box 1,2,3" "-electrode_size 1,1e-3" "-electrode_size 0.3,1e-3 -misalign_rotation 30" "-store_box 1,2,-1,1,-1,0"; do
  out=$("$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/y.h5" -vc_grid 33,33,33 -vc_skin_cells 2 -vc_fat_cells 4 $bad 2>&1); rc=$?
  [ "$rc" -eq 2 ] && [ ! -e "$dir/y.h5" ] && [ ! -e "$dir/y.h5.tmp" ] && echo "ok   rejected $bad: $out" || { echo "FAIL $bad: rc=$rc $out"; fail=1; }
done
# a sample that only rank 1 simulates leaves the stored box: every rank stops with one line, exit 2
"$MPIEXEC" $NPFLAG 2 "$SEMG" leadfield -electrodes "$dir/e.csv" -output "$dir/zbox.h5" -vc_grid 33,33,33 \
  -store_box -0.12,0.12,-0.01,0.01,-0.012,0 > /dev/null 2>&1 || { echo "FAIL zbox lead field"; fail=1; }
out=$(timeout 120 "$MPIEXEC" $NPFLAG 2 "$SEMG" simulate -n 4 -seed 6 -depth_range 0.005,0.02 -samples 200 -quiet -model vc \
  -leadfield "$dir/zbox.h5" -output "$dir/z.h5" 2>&1); rc=$?
if [ "$rc" -eq 2 ] && [ "$(echo "$out" | grep -c error)" -eq 1 ] && echo "$out" | grep -q "outside the stored cells" && [ ! -e "$dir/z.h5" ]; then
  echo "ok   one rank's sample outside the box: $(echo "$out" | grep error)"
else
  echo "FAIL one rank's sample outside the box: rc=$rc $out"; fail=1
fi
exit $fail
