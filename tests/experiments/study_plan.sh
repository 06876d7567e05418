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
# issue 20's estimators added to the tiny study (study.extra_estimators): their own training sets and
# trainings, a table built once, the hybrid after the autoencoder's estimate; the other steps unchanged
sed 's/^  axes: \[snr, offset\]/&\n  extra_estimators: [hybrid, autoencoder_dr, autoencoder_layered, physfit_layered]\n  dr_options: "-snr_range 0,30 -shift_y_range 0,0.015"/' "$tiny" > "$dir/robust.yaml"
"$SEMG" study plan -spec "$dir/robust.yaml" -preset quick -results "$dir/x" > "$dir/x.out" || { echo "FAIL plan with extra estimators"; exit 1; }
xplan=$dir/x/plan.tsv
xcount() { awk -F'\t' -v k="$1" 'NR > 1 && $2 == k' "$xplan" | wc -l; }
xline() { awk -F'\t' -v id="$1" '$1 == id' "$xplan"; }
check "extra: trainset 1 + dr + layered" '[ "$(xcount trainset)" = 3 ] && xline trainset_dr | grep -q "data/train_dr.h5" && xline trainset_layered | grep -q "data/train_layered.h5"'
check "extra: train 3 x 2 seeds" '[ "$(xcount train)" = 6 ]'
check "extra: estimate 4 x 2 seeds x 3" '[ "$(xcount estimate)" = 24 ]'
check "extra: baseline 4 x 5" '[ "$(xcount baseline)" = 20 ]'
check "extra: every step of the plain study unchanged" '[ -z "$(grep -vxF -f "$xplan" "$plan" | grep -v "^collect	")" ]'
check "extra: dependencies precede" 'awk -F"\t" "NR > 1 { if (\$3 != \"-\") { n = split(\$3, d, \",\"); for (i = 1; i <= n; i++) if (!(d[i] in seen)) bad = 1 } seen[\$1] = 1 } END { exit bad }" "$xplan"'
check "extra: DR set of n_train samples by default" 'xline trainset_dr | grep -q -- "simulate -n $(xline trainset | sed -n "s/.*simulate -n \([0-9]*\) .*/\1/p") "'
check "extra: DR set = reference + dr_options, own seed" 'xline trainset_dr | grep -q -- "-mu_cv_sd 0.1 -snr_range 0,30 -shift_y_range 0,0.015 -quiet"'
seeds_all() { awk -F'\t' '$2 == "testset" || $2 == "trainset" { match($7, /-seed [0-9]+/); print substr($7, RSTART + 6, RLENGTH - 6) }' "$1"; }
check "extra: every simulate seed distinct" '[ -z "$(seeds_all "$xplan" | sort | uniq -d)" ] && [ "$(seeds_all "$xplan" | wc -l)" = 7 ]'
check "extra: DR training = the autoencoder's options, own data and model" '[ "$(xline train_dr.s2 | cut -f7 | sed "s/_dr//g")" = "$(xline train.s2 | cut -f7)" ] && [ "$(xline train_dr.s2 | cut -f3)" = trainset_dr ]'
check "extra: layered set = the fat axis generator at 3.5 mm" 'xline trainset_layered | grep -q -- "-model layered -fat_thickness 0.0035 -depth_range 0.0185,0.0285 -quiet"'
check "extra: layered decoder in train and estimate" 'xline train_layered.s1 | grep -q -- "-dec_table -dec_model layered -dec_table_cache cache -dec_table_h 3e-3,0.012,2.5e-3 -dec_fat_thickness 0.0035$" && xline estimate.autoencoder_layered.s2.snr.0 | grep -q -- "-output est/autoencoder_layered.s2.snr.0.h5 -dec_table -dec_model layered"'
check "extra: table built once (later users wait for the builder)" '[ "$(xline train_layered.s2 | cut -f3)" = "trainset_layered,train_layered.s1" ] && [ "$(xline baseline.physfit_layered.reference | cut -f3)" = testset.reference ] && [ "$(xline baseline.physfit_layered.snr.0 | cut -f3)" = "testset.snr.0,baseline.physfit_layered.reference" ]'
check "extra: hybrid starts from the autoencoder seed 1" '[ "$(xline baseline.hybrid.offset.5 | cut -f3)" = "testset.offset.5,estimate.autoencoder.s1.offset.5" ] && xline baseline.hybrid.offset.5 | grep -q -- "baseline -method physfit -data data/offset.5.h5 -output est/hybrid.offset.5.h5 -physfit_init est/autoencoder.s1.offset.5.h5"'
check "extra: index rows and models per estimator" '[ "$(awk -F"\t" "\$2 == \"result\" && \$4 == 0" "$dir/x/index.tsv" | wc -l)" = 22 ] && [ "$(awk -F"\t" "\$2 == \"model\" { print \$8 }" "$dir/x/index.tsv" | sort | uniq -c | awk "{ print \$1 }" | sort -u)" = 2 ]'
# the supervised DR variant shares the DR set; its training = the DR one's plus the supervised term
sed 's/^  axes: \[snr, offset\]/&\n  extra_estimators: [autoencoder_dr, autoencoder_dr_sup]\n  dr_options: "-snr_range 0,30"/' "$tiny" > "$dir/sup.yaml"
"$SEMG" study plan -spec "$dir/sup.yaml" -preset quick -results "$dir/sup" > /dev/null || { echo "FAIL plan with autoencoder_dr_sup"; exit 1; }
xplan=$dir/sup/plan.tsv
check "dr_sup: one DR set, two trainings per seed on it" '[ "$(xcount trainset)" = 2 ] && [ "$(xline train_dr_sup.s2 | cut -f3)" = trainset_dr ] && [ "$(xline train_dr.s2 | cut -f3)" = trainset_dr ]'
check "dr_sup: training = the DR one + -train_lambda_sup 1" '[ "$(xline train_dr_sup.s2 | cut -f7)" = "$(xline train_dr.s2 | cut -f7 | sed "s/ae_dr\./ae_dr_sup./") -train_lambda_sup 1" ]'
check "dr_sup: estimates read its own models" 'xline estimate.autoencoder_dr_sup.s1.snr.0 | grep -q -- "-model models/ae_dr_sup.s1.h5 .*-output est/autoencoder_dr_sup.s1.snr.0.h5"'
# the shipped robustness spec: the switch is off (8 estimators); on, 13, and its plain steps unchanged
sed 's/^  # extra_estimators:/  extra_estimators:/' "$SEMG_SOURCE/experiments/robustness.yaml" > "$dir/r20.yaml"
"$SEMG" study plan -spec "$SEMG_SOURCE/experiments/robustness.yaml" -preset small -results "$dir/r0" > /dev/null
"$SEMG" study plan -spec "$dir/r20.yaml" -preset small -results "$dir/r20" > /dev/null
check "robustness with extra_estimators: 13 estimators, plain steps unchanged" '[ "$(awk -F"\t" "\$2 == \"result\" { print \$8 }" "$dir/r20/index.tsv" | sort -u | wc -l)" = 13 ] && [ -z "$(grep -vxF -f "$dir/r20/plan.tsv" "$dir/r0/plan.tsv" | grep -v "^collect	")" ]'
check "robustness small: dr_n_train 2000 sizes the DR set only" 'awk -F"\t" "\$1 == \"trainset_dr\"" "$dir/r20/plan.tsv" | grep -q "simulate -n 2000 " && awk -F"\t" "\$1 == \"trainset\"" "$dir/r20/plan.tsv" | grep -q "simulate -n 4000 "'
# the shipped studies plan in every preset; robustness small: every axis at >= 5 levels incl. 0
for spec in robustness paper; do
  for p in quick small paper; do
    check "$spec $p plans" '"$SEMG" study plan -spec "$SEMG_SOURCE/experiments/$spec.yaml" -preset $p -results "$dir/$spec.$p" > /dev/null'
  done
done
levels_per_axis() { awk -F'\t' '$2 == "result" && $3 != "realistic" { print $3 "\t" $4 }' "$1" | sort -u | cut -f1 | uniq -c; }
check "robustness small: 18 axes besides realistic" '[ "$(levels_per_axis "$dir/robustness.small/index.tsv" | wc -l)" = 18 ]'
check "robustness small: every axis >= 5 levels" '! levels_per_axis "$dir/robustness.small/index.tsv" | awk "\$1 < 5 { bad = 1 } END { exit !bad }"'
check "robustness small: 8 estimators" '[ "$(awk -F"\t" "\$2 == \"result\" { print \$8 }" "$dir/robustness.small/index.tsv" | sort -u | wc -l)" = 8 ]'
exit $fail
