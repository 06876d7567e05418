#!/bin/bash
# Tabulated decoder through the command line (issue 19): semg baseline -method physfit with a table of a
# grid lead field (-dec_model vc) runs, a second run reads the cached table, 1 and 2 ranks build the same
# table bit for bit, concurrent builds into one cache are safe, and bad input stops with one
# line and exit 2, leaving no output: a lead field whose electrodes are not the dataset's (count or
# position), -dec_model without -dec_table, a table beyond -dec_table_max_mb.
set -u
. "$(dirname "$0")/../common.sh"
semg_test_dir
fail=0
semg_linear_array 8 > "$dir/e8.csv"
semg_linear_array 6 > "$dir/e6.csv"
awk -F, 'NR == 1 { print; next } { printf "%.4f,%s,%s\n", $1 + 0.001, $2, $3 }' "$dir/e8.csv" > "$dir/e8s.csv"
for e in e8 e6 e8s; do
  "$SEMG" leadfield -electrodes "$dir/$e.csv" -output "$dir/lf_$e.h5" -vc_grid 49,17,17 -vc_h 1.5e-3,1e-3 -vc_skin_cells 2 -vc_fat_cells 3 > "$dir/lf.log" 2>&1 || { cat "$dir/lf.log"; fail=1; }
done
"$SEMG" simulate -n 4 -seed 1 -array_n 8 -array_ied 0.005 -samples 40 -fs 4000 -montage sd -iz_range -0.003,0.003 -cv_range 3.5,4.5 -fibres_range 5,5 -output "$dir/d8.h5" > "$dir/sim.log" 2>&1 || { cat "$dir/sim.log"; fail=1; }
D="-method physfit -data $dir/d8.h5 -dec_fibres 5 -dec_tendon 0.02 -dec_iz_range -0.005,0.005 -dec_cv_range 3,5 -dec_table_checks 5 -dec_table_h 1e-3,0.1,1e-3"
for run in 1 2; do
  "$MPIEXEC" $NPFLAG 2 "$SEMG" baseline $D -output "$dir/pf$run.h5" -dec_table -dec_model vc -dec_leadfield "$dir/lf_e8.h5" -dec_table_cache "$dir/cache" > "$dir/run$run.log" 2>&1 || { cat "$dir/run$run.log"; fail=1; }
done
grep -q "decoder table (vc.*built in" "$dir/run1.log" && [ -e "$dir/pf1.h5" ] && echo "ok   vc table built on 2 ranks, physfit ran" || { echo "FAIL first vc run"; cat "$dir/run1.log"; fail=1; }
grep -q "read from cache" "$dir/run2.log" && echo "ok   second run read the cached table" || { echo "FAIL second run did not use the cache"; cat "$dir/run2.log"; fail=1; }
h5diff "$dir/pf1.h5" "$dir/pf2.h5" /estimates/theta_est /estimates/theta_est > /dev/null 2>&1 && echo "ok   cached table gives the same estimates" || { echo "FAIL estimates differ with the cached table"; fail=1; }
# the same table built on 1 rank: bitwise the 2-rank one (each node comes from exactly one rank)
"$SEMG" baseline $D -output "$dir/pf3.h5" -dec_table -dec_model vc -dec_leadfield "$dir/lf_e8.h5" -dec_table_cache "$dir/cache1" > "$dir/run3.log" 2>&1 || { cat "$dir/run3.log"; fail=1; }
f2=$(ls "$dir"/cache/dectable-*.h5 2>/dev/null | head -1); f1=$(ls "$dir"/cache1/dectable-*.h5 2>/dev/null | head -1)
[ -n "$f1" ] && [ -n "$f2" ] && [ "$(basename "$f1")" = "$(basename "$f2")" ] && h5diff "$f1" "$f2" /coef /coef > /dev/null 2>&1 &&
  echo "ok   table bitwise equal on 1 and 2 ranks ($(basename "$f1"))" || { echo "FAIL table differs between 1 and 2 ranks ($f1, $f2)"; fail=1; }
# a study's steps share one cache: three runs building the same table at once all succeed with the same
# estimates and leave one complete file; another writer's temporary (NAME.tmp, here a directory nobody can
# replace) does not stop a build (each process writes under its own name, then renames)
C="-dec_table -dec_table_cache $dir/cachec"
for k in 1 2 3; do "$SEMG" baseline $D -output "$dir/pc$k.h5" $C > "$dir/runc$k.log" 2>&1 & done
wait
ok=1
for k in 1 2 3; do
  grep -q "decoder table" "$dir/runc$k.log" && h5diff "$dir/pc1.h5" "$dir/pc$k.h5" /estimates/theta_est /estimates/theta_est > /dev/null 2>&1 || { ok=0; cat "$dir/runc$k.log"; }
done
left=$(ls "$dir/cachec")
[ "$ok" = 1 ] && [ "$(echo "$left" | wc -l)" = 1 ] && h5ls "$dir/cachec/$left" > /dev/null 2>&1 && echo "ok   3 concurrent builds into one cache: one file ($left), same estimates" ||
  { echo "FAIL concurrent builds: $left"; fail=1; }
rm -f "$dir/cachec/$left" && mkdir "$dir/cachec/$left.tmp"
"$SEMG" baseline $D -output "$dir/pc4.h5" $C > "$dir/runc4.log" 2>&1 && [ -s "$dir/cachec/$left" ] && [ -d "$dir/cachec/$left.tmp" ] && [ "$(ls "$dir/cachec" | wc -l)" = 2 ] &&
  echo "ok   another writer's temporary does not stop the build" || { echo "FAIL build beside another writer's temporary"; cat "$dir/runc4.log"; ls "$dir/cachec"; fail=1; }
expect_error() { # name, expected text, arguments...
  local name=$1 text=$2; shift 2
  out=$("$SEMG" baseline $D -output "$dir/bad.h5" "$@" 2>&1); rc=$?
  [ "$rc" -eq 2 ] && [ ! -e "$dir/bad.h5" ] && [ ! -e "$dir/bad.h5.tmp" ] && [ "$(echo "$out" | grep -c error)" -eq 1 ] && echo "$out" | grep -q -- "$text" &&
    echo "ok   $name: $out" || { echo "FAIL $name: rc=$rc $out"; fail=1; }
}
expect_error "lead field with 6 electrodes" "has 6 electrodes" -dec_table -dec_model vc -dec_leadfield "$dir/lf_e6.h5"
expect_error "lead field electrodes moved by 1 mm" "electrode 0 at" -dec_table -dec_model vc -dec_leadfield "$dir/lf_e8s.h5"
expect_error "-dec_model without -dec_table" "needs -dec_table" -dec_model layered
expect_error "table above -dec_table_max_mb" "dec_table_max_mb" -dec_table -dec_table_h 1e-5,1e-3,1e-3
exit $fail
