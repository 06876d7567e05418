#!/usr/bin/env bash
# Bad study input (also issue 20's estimators and their keys): one line naming the spec key (or option), exit 2, and the results already in the
# folder are untouched.
set -uo pipefail
source "$SEMG_SOURCE/tests/common.sh"
semg_test_dir
fail=0
tiny=$SEMG_SOURCE/tests/experiments/tiny.yaml
"$SEMG" study plan -spec "$tiny" -preset quick -results "$dir/r" > /dev/null || { echo "FAIL good plan"; exit 1; }
echo keep > "$dir/r/est/keep.h5"
before=$(cd "$dir/r" && find . -type f | sort | xargs md5sum)

# expect NAME PATTERN SPEC-EDIT [extra semg args]: the edited spec must fail with one line matching PATTERN
expect() {
  local name=$1 pattern=$2 edit=$3; shift 3
  sed "$edit" "$tiny" > "$dir/bad.yaml"
  "$SEMG" study plan -spec "$dir/bad.yaml" -preset quick -results "$dir/r" "$@" > "$dir/out" 2>&1
  local rc=$? lines
  lines=$(grep -c . "$dir/out")
  if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -q -- "$pattern" "$dir/out"; then echo "ok   $name: $(cat "$dir/out")"
  else echo "FAIL $name: exit $rc, $lines lines:"; cat "$dir/out"; fail=1; fi
}
expect "unknown axis" "key 'study.axes': unknown axis 'colour'" 's/axes: \[snr, offset\]/axes: [snr, colour]/'
expect "unknown named level" "key 'levels.noise_colour': unknown level 'purple'" 's/axes: \[snr, offset\]/axes: [noise_colour]/; s/offset: \[5\]/noise_colour: [purple]/'
expect "level label too long" "key 'levels.noise_colour': level 'pink_pink_pink_pink_pink_pink_pink_pink_pink_pink' is longer than 47 characters" 's/axes: \[snr, offset\]/axes: [noise_colour]/; s/offset: \[5\]/noise_colour: [pink_pink_pink_pink_pink_pink_pink_pink_pink_pink]/'
expect "level out of range" "key 'levels.offset': level '-3'" 's/offset: \[5\]/offset: [-3]/'
expect "reference value as a level" "key 'levels.snr': level 20 is the reference" 's/snr: \[10, 0\]/snr: [20, 0]/'
expect "unknown estimator" "key 'study.estimators': unknown estimator 'nn'" 's/estimators: \[autoencoder/estimators: [nn/'
expect "misspelt key" "unknown key 'study_n_tset'" 's/  seed: 31/  seed: 31\n  n_tset: 5/'
expect "missing reference" "key 'study.reference' is missing" '/  reference:/d'
expect "bad preset value" "key 'preset.paper.n_test' must be an integer" 's/    n_test: 100/    n_test: many/'
expect "unknown preset" "-preset 'huge' unknown" 's/x/x/' -preset huge
expect "unwritable results folder" "-results: cannot create folder" 's/x/x/' -results "$dir/r/plan.tsv/sub"
expect "missing spec" "-spec" 's/x/x/' -spec "$dir/none.yaml"
# issue 20's estimators: unknown name, a missing input they need, an impossible assumed tissue
expect "unknown extra estimator" "key 'study.extra_estimators': unknown estimator 'autoencoder_rd'" 's/  seed: 31/  seed: 31\n  extra_estimators: [autoencoder_rd]/'
expect "extra estimator listed twice" "key 'study.extra_estimators': 'autoencoder' listed twice" 's/  seed: 31/  seed: 31\n  extra_estimators: [autoencoder]/'
expect "autoencoder_dr without dr_options" "key 'study.dr_options' is missing" 's/  seed: 31/  seed: 31\n  extra_estimators: [autoencoder_dr]/'
expect "DR set of one sample" "key 'study.dr_n_train' must be an integer >= 2" 's/  seed: 31/  seed: 31\n  dr_n_train: 1/'
expect "hybrid without the autoencoder" "key 'study.estimators': hybrid needs autoencoder" 's/estimators: \[autoencoder, /estimators: [hybrid, /'
expect "layered fat out of range" "key 'study.layered_fat' must be" 's/  seed: 31/  seed: 31\n  layered_fat: -1/'
expect "robust training in a matched study" "key 'study.estimators': autoencoder_layered needs study.kind robustness" 's/  seed: 31/  seed: 31\n  kind: matched\n  extra_estimators: [autoencoder_layered]/'
after=$(cd "$dir/r" && find . -type f | sort | xargs md5sum)
if [ "$before" = "$after" ]; then echo "ok   results folder untouched"; else echo "FAIL results folder changed"; fail=1; fi

# a missing lead field at run time: the step fails with its log naming -leadfield, exit 2, others kept
sed 's/axes: \[snr, offset\]/axes: [conductor]/; s/offset: \[5\]/conductor: [grid]/' "$tiny" > "$dir/grid.yaml"
"$SEMG" study plan -spec "$dir/grid.yaml" -preset quick -results "$dir/g" > /dev/null || { echo "FAIL grid plan"; exit 1; }
echo keep > "$dir/g/data/reference.h5"
bash "$SEMG_SOURCE/experiments/study-step" "$dir/g" testset.conductor.grid > "$dir/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q -- "-leadfield" "$dir/g/logs/testset.conductor.grid.log" && grep -q "FAIL.*testset.conductor.grid" "$dir/out" && [ "$(cat "$dir/g/data/reference.h5")" = keep ] && [ ! -e "$dir/g/data/conductor.grid.h5" ] && [ ! -e "$dir/g/done/testset.conductor.grid" ]; then
  echo "ok   missing lead field: $(cat "$dir/g/logs/testset.conductor.grid.log")"
else echo "FAIL missing lead field: exit $rc"; cat "$dir/out" "$dir/g/logs/testset.conductor.grid.log"; fail=1; fi
exit $fail
