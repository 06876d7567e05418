#!/usr/bin/env bash
# Fixed set of semg outputs for checking that a refactoring changes no result bit.
#   tests/refactor/outputs.sh make OUTDIR [SEMG]   write the outputs into OUTDIR (default semg: build/bin/semg)
#   tests/refactor/outputs.sh compare DIR_A DIR_B   h5diff / cmp every output; exit 1 on any difference
# The set: datasets of every forward model (CCS on 1 and 2 ranks, half-space, layered, grid lead field with
# line and homogenised sources), a lead field on a small grid, point-source potentials, a MUAP, export, 50
# training steps on 2 ranks with its estimates, and every baseline method and mode. Provenance groups
# (git revision, host, time) and the per-sample wall time /estimates/seconds are not compared.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../common.sh"
semg_mpi_env

make_outputs() {
  local out=$1 semg=${2:-$here/../../build/bin/semg}
  semg=$(cd "$(dirname "$semg")" && pwd)/$(basename "$semg")
  mkdir -p "$out" && cd "$out" || exit 1
  run() { echo "+ $*" >> log.txt; "$@" >> log.txt 2>&1 || { echo "outputs: failed: $*"; tail -5 log.txt; exit 1; }; }
  local n=0 t0=$SECONDS
  step() { n=$((n + 1)); printf '[%2d] %-60s %4d s\n' "$n" "$1" $((SECONDS - t0)); }
  : > log.txt
  semg_linear_array 16 > e16.csv
  semg_linear_array 8 > e8.csv
  local ccs=(simulate -n 12 -seed 5 -samples 120 -array_n 8 -montage sd -snr_range 10,30 -iz_range -0.01,0.01 -cv_range 3,5
             -depth_range 0.012,0.02 -fibres_range 40,80 -contact_gain_sd 0.05 -shift_x_range -0.002,0.002 -rotation_range 0,10 -quiet)
  step "simulate ccs, 1 and 2 ranks"
  run mpiexec -n 1 "$semg" "${ccs[@]}" -output ccs1.h5
  run mpiexec -n 2 "$semg" "${ccs[@]}" -output ccs2.h5
  local vcs=(simulate -n 4 -seed 6 -samples 80 -depth_range 0.01 -fibres_range 40 -snr_range 1000 -quiet)
  step "simulate halfspace, layered, infinite (2 ranks)"
  run mpiexec -n 2 "$semg" "${vcs[@]}" -model halfspace -rotation_range 0,10 -output halfspace.h5
  run mpiexec -n 2 "$semg" "${vcs[@]}" -model layered -rotation_range 0,10 -output layered.h5
  run mpiexec -n 2 "$semg" "${vcs[@]}" -model infinite -snr_range 20 -output infinite.h5
  step "leadfield 33^3 grid, 2 ranks"
  run mpiexec -n 2 "$semg" leadfield -electrodes e16.csv -output lf.h5 -vc_grid 33,33,33 -vc_h 1e-3,0.5e-3 \
    -vc_skin_cells 2 -vc_fat_cells 4 -electrode_radius 1e-3
  step "simulate -model vc line and homogenised sources"
  run mpiexec -n 2 "$semg" "${vcs[@]}" -model vc -leadfield lf.h5 -output vc_line.h5
  run mpiexec -n 2 "$semg" "${vcs[@]}" -model vc -leadfield lf.h5 -vc_source homogenised -output vc_homog.h5
  step "pointsource: infinite, halfspace, layered, fdm"
  for m in infinite halfspace layered; do
    run "$semg" pointsource -model $m -source 0,0,-0.01 -electrodes e8.csv -output ps_$m.csv
  done
  run mpiexec -n 2 "$semg" pointsource -model fdm -source 0,0,-0.01 -electrodes e8.csv -output ps_fdm.csv -vc_grid 33,33,33
  step "muap csv and h5, export"
  run mpiexec -n 2 "$semg" muap -mu_fibres 100 -mu_radius 0.004 -mu_cv_sd 0.2 -array_n 8,2 -fs 4000 -samples 100 -seed 7 -montage dd -output muap.csv
  run "$semg" export -data ccs1.h5 -output export.csv -truth export_truth.csv
  step "train 50 steps (2 ranks) and estimate"
  run "$semg" simulate -n 256 -seed 3 -array_n 6 -samples 32 -montage dd -fixed_template -template_seed 77 \
    -fibres_range 10,10 -radius_range 0.003,0.003 -iz_spread_range 0.005,0.005 -mu_cv_sd 0.1 \
    -depth_range 0.02,0.02 -snr_range 20,20 -iz_range -0.005,0.005 -output nn.h5 -quiet
  local tr=(-data nn.h5 -enc_type cnn -enc_conv 4,8 -enc_kernel 3 -enc_dense 16 -dec_fibres 10 -dec_radius 0.003
            -dec_iz_spread 0.005 -dec_cv_sd 0.1 -dec_template_seed 77 -dec_depth 0.02 -train_global_batch 16
            -train_epochs 1000 -train_max_steps 50 -train_patience 0 -train_quiet -lr_schedule cosine -lr_warmup_steps 5)
  run mpiexec -n 2 "$semg" train "${tr[@]}" -output model.h5 -ckpt_dir ckpt
  run "$semg" estimate -model model.h5 -data nn.h5 -output est_nn.h5
  run mpiexec -n 2 "$semg" estimate -model model.h5 -data nn.h5 -output est_nn2.csv
  step "baselines: every method and mode (2 ranks)"
  local bl=(baseline -data ccs1.h5)
  for m in iz_minamp vfit cv_xcorr cv_spectral cv_mle; do run mpiexec -n 2 "$semg" "${bl[@]}" -method $m -output bl_$m.csv; done
  for pm in auto minimum crossing; do run mpiexec -n 2 "$semg" "${bl[@]}" -method iz_phase -phase_mode $pm -output bl_iz_phase_$pm.csv; done
  run mpiexec -n 2 "$semg" "${bl[@]}" -method iz_phase -phase_max_lag 3 -output bl_iz_phase_lag.csv
  run mpiexec -n 2 "$semg" "${bl[@]}" -method vfit -vfit_latency xcorr -window 0.002,0.02 -output bl_vfit_xcorr.h5
  run mpiexec -n 2 "$semg" "${bl[@]}" -method cv_mle -cv_channels 3 -cv_exclude 1 -output bl_cv_mle3.csv
  run mpiexec -n 2 "$semg" baseline -data nn.h5 -method physfit -dec_fibres 10 -dec_radius 0.003 -dec_iz_spread 0.005 \
    -dec_cv_sd 0.1 -dec_template_seed 77 -dec_depth 0.02 -physfit_starts 2 -output bl_physfit.h5
  echo "outputs: $(ls | wc -l) files in $out in $((SECONDS - t0)) s"
}

# h5diff of every dataset outside /provenance; cmp of text files.
compare_outputs() {
  local a=$1 b=$2 f bad=0 n=0 d
  for f in "$a"/*; do
    f=$(basename "$f")
    case "$f" in log.txt|ckpt) continue ;; esac
    n=$((n + 1))
    if [[ "$f" == *.h5 ]]; then
      for d in $(h5ls -r "$a/$f" | awk '$2 == "Dataset" { print $1 }' | grep -v -e '^/provenance' -e '^/estimates/seconds$'); do
        # h5diff exits 0 with "Not comparable" when the shapes differ: that is a difference too
        out=$(h5diff "$a/$f" "$b/$f" "$d" "$d" 2>&1) && ! grep -q 'Not comparable' <<< "$out" || { echo "DIFF $f $d"; bad=1; }
      done
    else
      cmp -s "$a/$f" "$b/$f" || { echo "DIFF $f"; bad=1; }
    fi
  done
  [ $bad -eq 0 ] && echo "compare: $n outputs bitwise identical ($a vs $b)" || echo "compare: differences found"
  return $bad
}

case "${1:-}" in
  make) shift; make_outputs "$@" ;;
  compare) shift; compare_outputs "$@" ;;
  *) sed -n '2,4p' "$0"; exit 2 ;;
esac
