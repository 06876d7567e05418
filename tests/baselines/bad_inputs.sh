#!/bin/bash
# semg baseline on defective inputs: each must fail with exit code 2 and one line naming the defect.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$SEMG_BUILD/tests/make_bad_data" "$dir" || { echo "FAIL: make_bad_data"; exit 1; }
fail=0
check() { # name expected-substring semg-args...
  local name=$1 want=$2; shift 2
  out=$("$SEMG" baseline "$@" 2>&1); rc=$?
  line=$(printf '%s\n' "$out" | grep -m1 "error")
  if [ $rc -eq 2 ] && printf '%s' "$line" | grep -q -- "$want"; then echo "ok   $name: $line"
  else echo "FAIL $name (exit $rc): $out"; fail=1; fi
}
check "too few channels"  "needs at least 4"           -method vfit -data "$dir/few.h5" -output "$dir/o.csv"
check "too few (min-amp)" "needs at least 3"           -method iz_minamp -data "$dir/few.h5" -output "$dir/o.csv"
check "all-zero signal"   "example 1 is all zero"      -method cv_mle -data "$dir/zero.h5" -output "$dir/o.csv"
check "NaN"               "example 2 contains NaN"     -method iz_phase -data "$dir/nan.h5" -output "$dir/o.csv"
check "channel mismatch"  "7 channels, but the sd montage of its 9 electrodes gives 8" -method iz_minamp -data "$dir/mismatch.h5" -output "$dir/o.csv"
check "unknown method"    "Unknown option foo for -method" -method foo -data "$dir/ok.h5" -output "$dir/o.csv"
check "missing data"      "-data"                      -method vfit -data "$dir/none.h5" -output "$dir/o.csv"
check "bad window"        "-window"                    -method vfit -data "$dir/ok.h5" -output "$dir/o.csv" -window 0.01,0.005
check "unknown option"    "unknown option"             -method vfit -data "$dir/ok.h5" -output "$dir/o.csv" -cv_chanels 3
# the same errors, identically, on 2 ranks (no hang: the zero example lives on rank 0 or 1)
out=$(timeout 60 "$MPIEXEC" "$NPFLAG" 2 "$SEMG" baseline -method cv_mle -data "$dir/zero.h5" -output "$dir/o.csv" 2>&1); rc=$?
if [ $rc -eq 2 ] && [ "$(printf '%s\n' "$out" | grep -c 'example 1 is all zero')" -ge 1 ]; then echo "ok   all-zero signal on 2 ranks"; else echo "FAIL 2 ranks (exit $rc): $out"; fail=1; fi
# and a good file works, leaving no temporary behind
if "$SEMG" baseline -method vfit -data "$dir/ok.h5" -output "$dir/o.csv" >/dev/null 2>&1 && [ -f "$dir/o.csv" ] && [ ! -e "$dir/o.csv.tmp" ]; then echo "ok   good input"; else echo "FAIL good input"; fail=1; fi
exit $fail
