#!/usr/bin/env bash
# semg study plan: the expansion of a spec into steps (counts per kind, dependencies in order, ids,
# arguments, seeds per condition) and the shipped specs plan in every preset.
set -uo pipefail
source "$SEMG_SOURCE/tests/common.sh"
semg_test_dir
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
tiny=$SEMG_SOURCE/tests/experiments/tiny.yaml

"$SEMG" study plan -spec "$tiny" -preset quick -results "$dir/q" > "$dir/q.out" || { echo "FAIL plan exit $?"; exit 1; }
plan=$dir/q/plan.tsv
count() { awk -F'\t' -v k="$1" 'NR > 1 && $2 == k' "$plan" | wc -l; }
# 2 axes: snr (2 levels), offset (1 level) -> 4 test sets; 2 seeds; 3 baselines + the autoencoder
check "trainset 1" '[ "$(count trainset)" = 1 ]'
check "train 2 seeds" '[ "$(count train)" = 2 ]'
check "testset 4" '[ "$(count testset)" = 4 ]'
check "estimate 4 x 2 seeds" '[ "$(count estimate)" = 8 ]'
check "baseline 4 x 3" '[ "$(count baseline)" = 12 ]'
check "collect, report" '[ "$(count collect)" = 1 ] && [ "$(count report)" = 1 ]'
check "summary printed" 'grep -q "^total *29" "$dir/q.out"'
check "header" '[ "$(head -1 "$plan")" = "$(printf "id\tkind\tdeps\tranks\test_seconds\toutputs\targs")" ]'
check "ids unique and well formed" '[ -z "$(tail -n +2 "$plan" | cut -f1 | sort | uniq -d)" ] && ! tail -n +2 "$plan" | cut -f1 | grep -qv "^[A-Za-z0-9._-]*$"'
# every dependency is an earlier step: a runner may walk the list top to bottom
check "dependencies precede" 'awk -F"\t" "NR > 1 { if (\$3 != \"-\") { n = split(\$3, d, \",\"); for (i = 1; i <= n; i++) if (!(d[i] in seen)) bad = 1 } seen[\$1] = 1 } END { exit bad }" "$plan"'
line=$(awk -F'\t' '$1 == "estimate.autoencoder.s2.snr.0"' "$plan")
check "estimate deps" '[ "$(cut -f3 <<< "$line")" = "testset.snr.0,train.s2" ]'
check "estimate outputs" '[ "$(cut -f6 <<< "$line")" = "est/autoencoder.s2.snr.0.h5" ]'
check "estimate args" 'grep -q "estimate -model models/ae.s2.h5 -data data/snr.0.h5 -output est/autoencoder.s2.snr.0.h5" <<< "$line"'
check "level overrides reference" 'grep -P "^testset.snr.0\t" "$plan" | grep -q -- "-snr_range 20,20 .*-snr_range 0,0"'
check "baseline options fixed" 'awk -F"\t" "\$1 == \"baseline.cv_mle.offset.5\"" "$plan" | grep -q -- "-window 0.002,0.012 -cv_channels 5 -cv_exclude 1"'
check "ranks from spec" '[ "$(awk -F"\t" "NR > 1 { print \$4 }" "$plan" | sort -u)" = 1 ]'
# seeds: one per condition, distinct, and the same in another preset
seeds() { awk -F'\t' '$2 == "testset" { match($7, /-seed [0-9]+/); print $1, substr($7, RSTART + 6, RLENGTH - 6) }' "$1"; }
"$SEMG" study plan -spec "$tiny" -preset small -results "$dir/s" > /dev/null || { echo "FAIL plan small"; exit 1; }
check "test-set seeds distinct" '[ -z "$(seeds "$plan" | cut -d" " -f2 | sort | uniq -d)" ]'
check "test-set seeds the same in every preset" '[ "$(seeds "$plan")" = "$(seeds "$dir/s/plan.tsv")" ]'
check "n_test from the preset" 'grep -q "simulate -n 50 " "$dir/s/plan.tsv"'
# index: the reference is level 0 of each axis
check "index reference rows" '[ "$(awk -F"\t" "\$4 == 0 && \$2 == \"result\"" "$dir/q/index.tsv" | wc -l)" = 10 ]'
check "index model rows" '[ "$(awk -F"\t" "\$2 == \"model\"" "$dir/q/index.tsv" | wc -l)" = 2 ]'
# no estimator learns: no training set, no training
sed 's/estimators: \[autoencoder, /estimators: [/' "$tiny" > "$dir/untrained.yaml"
"$SEMG" study plan -spec "$dir/untrained.yaml" -preset quick -results "$dir/u" > /dev/null
check "no training without a trained estimator" '! cut -f2 "$dir/u/plan.tsv" | grep -q "^train" && ! grep -q "	model	" "$dir/u/index.tsv"'
# deterministic: planning again gives the same plan
cp "$plan" "$dir/plan1"
"$SEMG" study plan -spec "$tiny" -preset quick -results "$dir/q" > /dev/null
check "plan deterministic" 'cmp -s "$plan" "$dir/plan1"'
# the shipped studies plan in every preset; robustness small: every axis at >= 5 levels incl. 0
for spec in robustness paper; do
  for p in quick small paper; do
    check "$spec $p plans" '"$SEMG" study plan -spec "$SEMG_SOURCE/experiments/$spec.yaml" -preset $p -results "$dir/$spec.$p" > /dev/null'
  done
done
levels_per_axis() { awk -F'\t' '$2 == "result" && $3 != "realistic" { print $3 "\t" $4 }' "$1" | sort -u | cut -f1 | uniq -c; }
check "robustness small: 16 axes" '[ "$(levels_per_axis "$dir/robustness.small/index.tsv" | wc -l)" = 16 ]'
check "robustness small: every axis >= 5 levels" '! levels_per_axis "$dir/robustness.small/index.tsv" | awk "\$1 < 5 { bad = 1 } END { exit !bad }"'
check "robustness small: 8 estimators" '[ "$(awk -F"\t" "\$2 == \"result\" { print \$8 }" "$dir/robustness.small/index.tsv" | sort -u | wc -l)" = 8 ]'
exit $fail
