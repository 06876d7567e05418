#!/usr/bin/env bash
# Small end-to-end pipeline on 2 MPI ranks (called by ./run quickstart after the build):
# simulate train/test sets with the CCS model -> MUAP -> white-box baselines -> train the informed
# autoencoder -> estimate -> report with tables and plots in quickstart-out/.
# Options: QUICKSTART_OUT (folder, default quickstart-out), QUICKSTART_EPOCHS (default 15).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
semg=$root/build/bin/semg
out=${QUICKSTART_OUT:-$root/quickstart-out}
epochs=${QUICKSTART_EPOCHS:-15}
np=2
mpi() { mpiexec -n "$np" "$@"; }
step() { echo; echo "== $*"; }
die() { echo "quickstart: error: $*"; exit 1; }

[ -x "$semg" ] || die "$semg not built (run ./run build)"
mkdir -p "$out" || die "cannot create $out"
cd "$out" || exit 1
start=$(date +%s)

# The matched setting of the seed paper: 16 electrodes at 5 mm, MU 20 mm deep, fs 5 kHz, SD input,
# 20 dB, IZ ~ U(-10, 10) mm, CV ~ U(3, 5) m/s, every sample the decoder's own 50-fibre template.
common=(-array_n 16 -array_ied 0.005 -fs 5000 -samples 200 -montage sd -snr_range 20
        -iz_range -0.01,0.01 -cv_range 3,5 -depth_range 0.02 -fixed_template -template_seed 20260001
        -fibres_range 50 -radius_range 0.003 -iz_spread_range 0.005 -mu_cv_sd 0.1 -quiet)

step "simulate: 800 training and 60 test samples (2 ranks)"
mpi "$semg" simulate -n 800 -seed 1 "${common[@]}" -output train.h5 || die "simulate train"
mpi "$semg" simulate -n 60 -seed 2 "${common[@]}" -output test.h5 || die "simulate test"
"$semg" info -data test.h5

step "MUAP of one 200-fibre motor unit, 16 SD channels"
mpi "$semg" muap -mu_fibres 200 -mu_radius 0.004 -mu_iz 0,0,-0.02 -mu_cv 4 -mu_cv_sd 0.2 -array_n 16 -array_ied 0.005 -fs 5000 -samples 150 -montage sd -output muap.csv || die "muap"

step "white-box baselines on the test set"
# the classical methods look past the CCS generation transient (windows tuned on a separate set, docs/baselines.md)
mpi "$semg" baseline -method iz_minamp -window 0.003,0.04 -data test.h5 -output est_iz_minamp.csv || die "baseline iz_minamp"
mpi "$semg" baseline -method vfit -window 0.003,0.04 -data test.h5 -output est_vfit.csv || die "baseline vfit"
mpi "$semg" baseline -method cv_mle -window 0.002,0.012 -data test.h5 -output est_cv_mle.csv || die "baseline cv_mle"
mpi "$semg" baseline -method physfit -data test.h5 -output est_physfit.csv || die "baseline physfit"

step "train the informed autoencoder ($epochs epochs, 2 ranks)"
mpi "$semg" train -data train.h5 -output model.h5 -train_epochs "$epochs" -train_global_batch 32 -adamw_lr 2e-3 \
    -train_quiet || die "train"
"$semg" estimate -model model.h5 -data test.h5 -output est_autoencoder.csv || die "estimate"
# learning curve from the model file (epoch, train loss, validation loss)
if h5dump -d /train_loss -y -w 1 -o tl.txt model.h5 > /dev/null 2>&1 && h5dump -d /val_loss -y -w 1 -o vl.txt model.h5 > /dev/null 2>&1; then
  paste -d, <(tr -d ' ,' < tl.txt | grep .) <(tr -d ' ,' < vl.txt | grep .) |
    awk -F, 'BEGIN { print "epoch,train_loss,val_loss" } { print NR "," $0 }' > learning_curve.csv
  rm -f tl.txt vl.txt
fi

step "report"
bash "$root/analysis/report.sh" "$out" "semg quickstart: matched CCS data, 2 MPI ranks" || die "report"
cat report.md
echo
echo "quickstart: done in $(( $(date +%s) - start )) s; report in $out/report.md"
