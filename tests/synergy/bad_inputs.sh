#!/usr/bin/env bash
# semg synergy on bad recordings: each must end with one error line naming the input and exit code 2,
# leaving no output file behind. Uses a short copy of the walking recording (tests/data is not needed).
set -u
. "$SEMG_SOURCE/tests/common.sh"
semg_test_dir
data="$SEMG_SOURCE/../shared/data/walking-13muscles"
[ -f "$data/emg.csv" ] || { echo "skip: $data not found"; exit 77; }
fail=0
cp "$data/emg.csv" "$dir/emg.csv"
cp "$data/cycles.csv" "$dir/cycles.csv"
# constant muscle (column 2 = ME) and all-zero muscle (column 5 = RF)
awk -F, -v OFS=, 'NR > 1 { $2 = 3.5 } { print }' "$data/emg.csv" > "$dir/const.csv"
awk -F, -v OFS=, 'NR > 1 { $5 = 0 } { print }' "$data/emg.csv" > "$dir/zero.csv"
# events: lift-off before touchdown in row 3; a touchdown after the end; only 4 rows (3 cycles, 1 after trimming)
awk -F, -v OFS=, 'NR == 4 { t = $1; $1 = $2; $2 = t } { print }' "$data/cycles.csv" > "$dir/order.csv"
{ cat "$data/cycles.csv"; echo "9.5,10.1"; } > "$dir/outside.csv"
head -5 "$data/cycles.csv" > "$dir/few.csv"

expect_user_error() { # name, expected word in the message, args...
  local name=$1 word=$2
  shift 2
  rm -f "$dir/out.h5"
  "$SEMG" synergy "$@" -output "$dir/out.h5" > "$dir/log" 2>&1
  local rc=$? lines
  lines=$(grep -c . "$dir/log")
  if [ $rc -ne 2 ] || ! grep -q -- "$word" "$dir/log" || [ -e "$dir/out.h5" ] || ls "$dir"/out.h5.* > /dev/null 2>&1; then
    echo "FAIL $name: exit $rc (want 2), output: $(cat "$dir/log")"
    fail=1
  else
    echo "ok   $name: $(grep error "$dir/log" | head -1)"
  fi
  [ "$(grep -c error "$dir/log")" -eq 1 ] || { echo "FAIL $name: not a single error line ($lines lines)"; fail=1; }
}

expect_user_error "constant muscle" "'ME' is constant" -emg "$dir/const.csv" -events "$dir/cycles.csv"
expect_user_error "all-zero muscle" "'RF' is constant" -emg "$dir/zero.csv" -events "$dir/cycles.csv"
expect_user_error "events out of order" "out of order" -emg "$dir/emg.csv" -events "$dir/order.csv"
expect_user_error "event outside the recording" "outside the recording" -emg "$dir/emg.csv" -events "$dir/outside.csv"
expect_user_error "fewer than 3 cycles" "need at least 3" -emg "$dir/emg.csv" -events "$dir/few.csv"
expect_user_error "N larger than the muscles" "larger than the number of muscles" -emg "$dir/emg.csv" -events "$dir/cycles.csv" -synergies 14
expect_user_error "missing events file" "-events" -emg "$dir/emg.csv" -events "$dir/nonexistent.csv"
expect_user_error "recording and synthetic" "either" -emg "$dir/emg.csv" -events "$dir/cycles.csv" -synth
expect_user_error "synthetic N > M" "synth_synergies" -synth -synth_synergies 20
exit $fail
