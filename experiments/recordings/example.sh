#!/usr/bin/env bash
# The real-recording workflow of docs/recordings.md run on a simulated 20-s recording (the committed
# example in docs/results/recording-example/). A user starts at step 2 with their own CSV files.
# Usage: experiments/recordings/example.sh OUTDIR [excitation (0.2)] [seed (21)]
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
semg=${SEMG:-$root/build/bin/semg}
out=${1:?usage: example.sh OUTDIR [excitation] [seed]}
exc=${2:-0.2}
seed=${3:-21}
die() { echo "example.sh: error: $*"; exit 1; }
mkdir -p "$out" && cd "$out" || exit 1
# 1. a recording as a user would have it: CSV signals (sample,time_s,one column per electrode) + electrodes
"$semg" record -excitation "$exc" -duration 20 -seed "$seed" -output sim.h5 || die record
"$semg" export -data sim.h5 -output recording.csv -electrodes electrodes.csv >/dev/null || die export
# 2. import the continuous recording (every row is sample 0: one 20-s example)
"$semg" import -signals recording.csv -electrodes electrodes.csv -fs 2048 -montage mono -output recording.h5 || die import
# 3. templates of the dominant unit, epoch by epoch (-epoch 2: the default, written out)
"$semg" templates -data recording.h5 -epoch 2 -output templates.h5 -report epochs.csv || die templates
"$semg" export -data templates.h5 -output templates.csv >/dev/null || die "export templates"
# 4. every classical estimator on the templates
for m in iz_minamp iz_phase vfit cv_xcorr cv_spectral cv_mle; do
  "$semg" baseline -method $m -data templates.h5 -output est_$m.csv -quiet >/dev/null || die "baseline $m"
done
# 5. the report (the truth columns are empty for a real recording; here the simulation's truth is
#    attached by running templates on sim.h5, which carries the per-unit ground truth)
"$semg" templates -data sim.h5 -epoch 2 -output templates_truth.h5 -report epochs_truth.csv >/dev/null || die "templates on sim.h5"
for m in iz_minamp iz_phase vfit cv_xcorr cv_spectral cv_mle; do
  "$semg" baseline -method $m -data templates_truth.h5 -output est_$m.csv -quiet >/dev/null || die "baseline $m (truth)"
done
cp epochs_truth.csv epochs.csv
"$root/analysis/recording_report.sh" . "Simulated 20-s recording, excitation $exc (semg record -seed $seed)" || die report
