#!/bin/bash
# semg record and semg templates: identical files on 1 and 2 ranks; templates found on the test bed;
# bad inputs give one line and exit 2 or a reported, excluded channel (issue 18). semg record -model
# layered and -model vc (a tiny grid lead field): identical on 1 and 2 ranks, in volts, the model in the
# provenance; bad model options one line, exit 2, no file.
set -u
. "$SEMG_SOURCE/tests/common.sh"
semg_test_dir
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
run() { "$MPIEXEC" "$NPFLAG" "$@"; }
R="-excitation 0.1 -duration 4 -seed 5"
for np in 1 2; do
  run $np "$SEMG" record $R -output "$dir/r$np.h5" >/dev/null 2>&1 || bad "record on $np ranks"
  run $np "$SEMG" templates -data "$dir/r1.h5" -output "$dir/t$np.h5" -report "$dir/t$np.csv" >"$dir/t$np.log" 2>&1 || bad "templates on $np ranks: $(cat "$dir/t$np.log")"
done
h5diff "$dir/r1.h5" "$dir/r2.h5" /emg/data >/dev/null && h5diff "$dir/r1.h5" "$dir/r2.h5" /ground_truth/muap >/dev/null && h5diff "$dir/r1.h5" "$dir/r2.h5" /ground_truth/firings >/dev/null \
  && ok "record: data and truth identical on 1 and 2 ranks" || bad "record differs between 1 and 2 ranks"
cmp -s "$dir/t1.csv" "$dir/t2.csv" && h5diff "$dir/t1.h5" "$dir/t2.h5" /emg/data >/dev/null && ok "templates: identical on 1 and 2 ranks" || bad "templates differ between 1 and 2 ranks"
# every epoch gives a template that is the true MUAP of its unit (correlation >= 0.9), with its quality figures
# (4 s in epochs of the default 2 s)
good=$(awk -F, 'NR > 1 && $11 == 1 && $4 >= 0.9 && $12 > 0 && $13 < 0.3' "$dir/t1.csv" | wc -l)
nep=$(awk 'NR > 1' "$dir/t1.csv" | wc -l)
[ "$nep" -eq 2 ] && [ "$good" -eq 2 ] && ok "templates: $good of $nep epochs match their unit's true MUAP (>= 0.9), snr and isi_cov reported" || bad "templates: $good of $nep epochs (want 2 of 2) match their unit's MUAP (>= 0.9) with snr > 0, isi_cov < 0.3"
# 2-s epochs at 30 % on test-bed seed 29 (issue 18): two units of near-identical shape (IZ 0.3 mm, depth
# 1.5 mm apart) fire together. The train that mixes them has the larger snr; the default choice (snr x
# consistency) takes the train of one unit. The unit of a template is found although its MUAP's array
# energy has two near-equal maxima (a fixed latency attributed epoch 0 to another unit, correlation 0.21).
"$SEMG" record -excitation 0.3 -duration 20 -seed 29 -output "$dir/r29.h5" >/dev/null 2>&1 || bad "record seed 29 at 30 %"
for c in snr_consistency snr; do
  "$SEMG" templates -data "$dir/r29.h5" -epoch 2 -template_choice $c -output "$dir/t29$c.h5" -report "$dir/t29$c.csv" >/dev/null 2>&1 || bad "templates -template_choice $c"
done
g_new=$(awk -F, 'NR > 1 && $11 == 1 && $4 >= 0.9' "$dir/t29snr_consistency.csv" | wc -l)
g_old=$(awk -F, 'NR > 1 && $11 == 1 && $4 >= 0.9' "$dir/t29snr.csv" | wc -l)
[ "$g_new" -ge 9 ] && [ "$g_old" -le 7 ] && ok "seed 29, 30 %, 2-s epochs: $g_new of 10 templates >= 0.9 by default, $g_old with -template_choice snr" \
  || bad "seed 29, 30 %, 2-s epochs: $g_new of 10 templates >= 0.9 by default (want >= 9), $g_old with -template_choice snr (want <= 7)"
# the templates feed the estimators, with the matched unit's IZ and CV as truth
"$SEMG" baseline -method iz_minamp -data "$dir/t1.h5" -output "$dir/iz.csv" >/dev/null 2>&1 && ok "baseline runs on the templates" || bad "baseline on the templates"

# bad inputs: the continuous recording as CSV (every row sample 0), then edited
"$SEMG" export -data "$dir/r1.h5" -output "$dir/rec.csv" -electrodes "$dir/el.csv" >/dev/null 2>&1 || bad "export"
imp() { "$SEMG" import -signals "$1" -electrodes "$dir/el.csv" -fs "${3:-2048}" -output "$2" 2>&1; }
expect_error() { # name, expected text, command...
  local name=$1 want=$2; shift 2
  out=$("$@" 2>&1); rc=$?
  if [ $rc -eq 2 ] && [ "$(echo "$out" | grep -c 'error')" -eq 1 ] && echo "$out" | grep -q "$want"; then ok "$name: $(echo "$out" | grep error)"; else bad "$name (exit $rc): $out"; fi
}
expect_error "fs inconsistent with the time column" "expected a step of 1/fs" imp "$dir/rec.csv" "$dir/x.h5" 1000
[ -e "$dir/x.h5" ] && bad "a failed import left $dir/x.h5"
expect_error "recording shorter than one epoch" "shorter than one epoch" "$SEMG" templates -data "$dir/r1.h5" -epoch 5 -output "$dir/x.h5"
expect_error "not a continuous recording" "needs one continuous recording" "$SEMG" templates -data "$dir/t1.h5" -output "$dir/x.h5"
# flat electrode 3, saturated electrode 6, disconnected (noise only) electrode 10: reported and replaced
awk -F, 'BEGIN { srand(3) } NR == 1 { print; next } { $5 = 0.25; if ($8 > 0.02) $8 = 0.02; if ($8 < -0.02) $8 = -0.02; $12 = (rand() - 0.5) * 0.05; print }' OFS=, "$dir/rec.csv" >"$dir/bad.csv"
imp "$dir/bad.csv" "$dir/bad.h5" >/dev/null || bad "import of the damaged recording"
out=$("$SEMG" templates -data "$dir/bad.h5" -output "$dir/tb.h5" 2>&1)
for want in "channel 3 .*(flat)" "channel 6 .*(saturated)" "channel 10 .*(noise only)"; do
  echo "$out" | grep -q "$want" && ok "reported: $(echo "$out" | grep "$want")" || bad "not reported: $want in: $out"
done
# noise only everywhere: no usable template -> one line, nothing written
awk -F, 'BEGIN { srand(4) } NR == 1 { print; next } { for (i = 3; i <= NF; i++) $i = rand() - 0.5; print }' OFS=, "$dir/rec.csv" >"$dir/noise.csv"
imp "$dir/noise.csv" "$dir/noise.h5" >/dev/null || bad "import of the noise recording"
expect_error "no usable template" "" "$SEMG" templates -data "$dir/noise.h5" -output "$dir/tn.h5"
[ -e "$dir/tn.h5" ] && bad "an all-noise recording left $dir/tn.h5 (zeros?)"

# lead-field models: a small pool (8 units, 1 s) through the layered model and a tiny grid lead field
P="-excitation 0.3 -duration 1 -seed 3 -pool_units 8 -pool_fibres_last 100 -array_n 8"
L="-model layered -pool_depth 0.006,0.012"
semg_linear_array 8 >"$dir/e8.csv"
run 2 "$SEMG" leadfield -electrodes "$dir/e8.csv" -output "$dir/lf8.h5" -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 >/dev/null 2>&1 || bad "leadfield for -model vc"
for np in 1 2; do
  run $np "$SEMG" record $P $L -output "$dir/l$np.h5" >"$dir/l$np.log" 2>&1 || bad "record -model layered on $np ranks: $(cat "$dir/l$np.log")"
  run $np "$SEMG" record $P -model vc -leadfield "$dir/lf8.h5" -output "$dir/v$np.h5" >"$dir/v$np.log" 2>&1 || bad "record -model vc on $np ranks: $(cat "$dir/v$np.log")"
done
"$SEMG" record $P -output "$dir/c1.h5" >/dev/null 2>&1 || bad "record -model ccs (small pool)"
for m in l v; do
  same=1
  for obj in /emg/data /ground_truth/muap /ground_truth/firings /ground_truth/units; do h5diff "$dir/${m}1.h5" "$dir/${m}2.h5" $obj >/dev/null || same=0; done
  [ $same = 1 ] && ok "record $m: data and truth identical on 1 and 2 ranks" || bad "record $m differs between 1 and 2 ranks"
  [[ "$("$SEMG" info -data "$dir/${m}1.h5")" == *"units V"* ]] && ok "record $m: units V" || bad "record $m: not in volts"
  # a different model gives different signals with the same firings
  h5diff "$dir/${m}1.h5" "$dir/c1.h5" /ground_truth/firings >/dev/null && ! h5diff "$dir/${m}1.h5" "$dir/c1.h5" /ground_truth/muap >/dev/null \
    && ok "record $m: same firings as ccs, different MUAPs" || bad "record $m: firings differ from ccs or MUAPs equal"
done
h5dump -d /provenance/model_config "$dir/l1.h5" | grep -q "model: layered" && h5dump -d /provenance/model_config "$dir/v1.h5" | grep -q "model: vc" \
  && ok "record: model in /provenance/model_config" || bad "record: model missing from /provenance/model_config"
no_file() { [ -e "$dir/x.h5" ] && bad "$1 left $dir/x.h5"; rm -f "$dir/x.h5"; }
expect_error "record: unknown model" "option bem for -model" "$SEMG" record $P -model bem -output "$dir/x.h5"
no_file "unknown model"
expect_error "record: -model vc without -leadfield" "needs -leadfield" "$SEMG" record $P -model vc -output "$dir/x.h5"
no_file "-model vc without -leadfield"
expect_error "record: units reach into the fat" "pool_depth lo 0.004" "$SEMG" record $P -model layered -pool_depth 0.004,0.012 -output "$dir/x.h5"
no_file "units in the fat"
# a fibre outside a compact lead field's stored cells: found on one rank, one line, exit 2 on 2 ranks
run 2 "$SEMG" leadfield -electrodes "$dir/e8.csv" -output "$dir/lfbox.h5" -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 -store_box -0.02,0.02,-0.01,0.01,-0.015,0 >/dev/null 2>&1 || bad "leadfield -store_box"
expect_error "record: fibre outside the stored lead field" "outside the stored cells" run 2 "$SEMG" record $P -model vc -leadfield "$dir/lfbox.h5" -output "$dir/x.h5"
no_file "a fibre outside the lead field"
exit $fail
