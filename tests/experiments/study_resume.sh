#!/usr/bin/env bash
# A study killed mid-way and rerun executes only the missing steps and ends with the metrics.csv of
# an uninterrupted run (timing rows aside: seconds per sample are measured, not computed); a finished
# study rerun skips every step (idempotent); an estimator added to a finished study runs only its steps.
set -uo pipefail
source "$SEMG_SOURCE/tests/common.sh"
semg_test_dir
fail=0
tiny=$SEMG_SOURCE/tests/experiments/tiny.yaml
export SEMG_STUDY_RUNNER=$SEMG_SOURCE/experiments/study-run
numbers() { grep -v seconds_per_sample "$1"; }

"$SEMG" study run -spec "$tiny" -preset quick -results "$dir/a" > "$dir/a.out" 2>&1 || { echo "FAIL uninterrupted run"; tail "$dir/a.out"; exit 1; }
total=$(( $(wc -l < "$dir/a/plan.tsv") - 1 ))
echo "ok   uninterrupted: $total steps, $(grep -c '\[run ' "$dir/a.out") run"
cp "$dir/a/metrics.csv" "$dir/metrics.a"
"$SEMG" study run -spec "$tiny" -preset quick -results "$dir/a" > "$dir/a2.out" 2>&1
if [ "$(grep -c '\[skip\]' "$dir/a2.out")" = "$total" ] && ! grep -q '\[run ' "$dir/a2.out" && cmp -s "$dir/a/metrics.csv" "$dir/metrics.a"; then
  echo "ok   rerun of a finished study skips all $total steps, metrics.csv unchanged"
else echo "FAIL rerun of a finished study"; cat "$dir/a2.out"; fail=1; fi

# estimators added to the finished study (study.extra_estimators, issue 20): only their steps run, then
# collect and report; the old rows of metrics.csv are unchanged and the new estimator has rows
sed 's/^  axes: \[snr, offset\]/&\n  extra_estimators: [autoencoder_dr]\n  dr_options: "-snr_range 5,30 -shift_y_range 0,0.005"/' "$tiny" > "$dir/more.yaml"
"$SEMG" study run -spec "$dir/more.yaml" -preset quick -results "$dir/a" > "$dir/a3.out" 2>&1 || { echo "FAIL study with an added estimator"; tail "$dir/a3.out"; fail=1; }
new_steps=$(grep -o '\[run \] [^ ]*' "$dir/a3.out" | cut -d' ' -f3 | sort | tr '\n' ' ')
want=$( (echo trainset_dr; echo train_dr.s1; echo train_dr.s2; for s in 1 2; do for c in reference snr.10 snr.0 offset.5; do echo "estimate.autoencoder_dr.s$s.$c"; done; done; echo collect; echo report) | sort | tr '\n' ' ')
if [ "$new_steps" = "$want" ] && [ "$(grep -c '\[skip\]' "$dir/a3.out")" = $(( total - 2 )) ]; then echo "ok   added estimator: only its 11 steps, collect and report ran"
else echo "FAIL added estimator ran: $new_steps"; fail=1; fi
if cmp -s <(numbers "$dir/metrics.a") <(numbers "$dir/a/metrics.csv" | grep -v ",autoencoder_dr,") && grep -q ",autoencoder_dr,all,iz_mae_mm," "$dir/a/metrics.csv"; then echo "ok   old metrics rows unchanged, autoencoder_dr rows added"
else echo "FAIL metrics after adding an estimator"; diff <(numbers "$dir/metrics.a") <(numbers "$dir/a/metrics.csv" | grep -v ",autoencoder_dr,") | head; fail=1; fi

# interrupted: kill the whole run (runner, step and semg) once 12 steps are done
setsid "$SEMG" study run -spec "$tiny" -preset quick -results "$dir/b" > "$dir/b1.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
  [ "$(ls "$dir/b/done" 2>/dev/null | grep -vc "\.tmp$")" -ge 12 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -TERM -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
done_before=$(ls "$dir/b/done" | grep -vc "\.tmp$")
if [ "$done_before" -ge 12 ] && [ "$done_before" -lt "$total" ] && [ ! -e "$dir/b/metrics.csv" ]; then echo "ok   killed after $done_before of $total steps"
else echo "FAIL kill mid-way: $done_before of $total done"; fail=1; fi
"$SEMG" study run -spec "$tiny" -preset quick -results "$dir/b" > "$dir/b2.out" 2>&1 || { echo "FAIL resumed run"; tail "$dir/b2.out"; fail=1; }
ran=$(grep -c '\[run ' "$dir/b2.out")
if [ "$ran" = $(( total - done_before )) ]; then echo "ok   resume ran only the $ran missing steps"
else echo "FAIL resume ran $ran steps, expected $(( total - done_before ))"; fail=1; fi
if cmp -s <(numbers "$dir/b/metrics.csv") <(numbers "$dir/metrics.a"); then echo "ok   metrics.csv identical to the uninterrupted run ($(wc -l < "$dir/metrics.a") rows)"
else echo "FAIL metrics differ"; diff <(numbers "$dir/b/metrics.csv") <(numbers "$dir/metrics.a") | head; fail=1; fi
exit $fail
