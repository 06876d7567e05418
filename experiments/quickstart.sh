#!/usr/bin/env bash
# Small end-to-end run on 2 MPI ranks (called by ./run quickstart after the build): a dataset and its
# summary, the MUAP of one motor unit, then a small robustness study (experiments/quickstart.yaml:
# 2 mismatch axes x 3 levels, every estimator, one short autoencoder training) that ends with
# QUICKSTART_OUT/robustness/report.md (tables, plots, the answer paragraph).
# Options: QUICKSTART_OUT (folder, default quickstart-out).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
semg=$root/build/bin/semg
out=${QUICKSTART_OUT:-$root/quickstart-out}
np=2
mpi() { mpiexec -n "$np" "$@"; }
step() { echo; echo "== $*"; }
die() { echo "quickstart: error: $*"; exit 1; }

[ -x "$semg" ] || die "$semg not built (run ./run build)"
mkdir -p "$out" || die "cannot create $out"
cd "$out" || exit 1
start=$(date +%s)

step "simulate: 100 samples of the matched reference (CCS model, random motor unit per sample, 2 ranks)"
mpi "$semg" simulate -n 100 -seed 2 -array_n 16 -array_ied 0.005 -fs 5000 -samples 200 -montage sd -snr_range 20 \
    -iz_range -0.01,0.01 -cv_range 3,5 -fibres_range 50,300 -radius_range 0.002,0.006 -depth_range 0.015,0.025 \
    -iz_spread_range 0.002,0.01 -mu_cv_sd 0.1 -quiet -output demo.h5 || die "simulate"
"$semg" info -data demo.h5 || die "info"

step "MUAP of one 200-fibre motor unit, 16 SD channels"
mpi "$semg" muap -mu_fibres 200 -mu_radius 0.004 -mu_iz 0,0,-0.02 -mu_cv 4 -mu_cv_sd 0.2 -array_n 16 -array_ied 0.005 -fs 5000 -samples 150 -montage sd -output muap.csv || die "muap"

step "robustness study: 2 axes x 3 levels, every estimator (semg study run, steps on $np ranks)"
"$semg" study run -spec "$root/experiments/quickstart.yaml" -preset quick -results robustness -ranks "$np" || die "study (see the failed steps above)"

echo
echo "quickstart: done in $(( $(date +%s) - start )) s; report: $out/robustness/report.md"
