# Shared by the nn script tests: a tiny matched dataset and training options.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
semg_mpi_env
: "${SEMG:?SEMG must point to the semg binary}"
: "${MPIEXEC:=mpiexec}"
: "${NPFLAG:=-n}"
WORK=$(mktemp -d /tmp/semg_nn_test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
# 6 electrodes, DD (4 channels), 32 samples, one 10-fibre template shared by data and decoder
"$SEMG" simulate -n 256 -seed 3 -array_n 6 -samples 32 -montage dd -fixed_template -template_seed 77 \
  -fibres_range 10,10 -radius_range 0.003,0.003 -iz_spread_range 0.005,0.005 -mu_cv_sd 0.1 \
  -depth_range 0.02,0.02 -snr_range 20,20 -iz_range -0.005,0.005 -output data.h5 -quiet > /dev/null || fail "simulate"
cat > train.yaml <<'YAML'
data: data.h5
enc_type: cnn
enc_conv: 4,8
enc_kernel: 3
enc_dense: 16
dec_fibres: 10
dec_radius: 0.003
dec_iz_spread: 0.005
dec_cv_sd: 0.1
dec_template_seed: 77
dec_depth: 0.02
train_global_batch: 16
train_epochs: 1000
train_patience: 0
train_quiet: true
quiet: true
YAML
# same parameters, optimiser moments and counters?
same_state() { for d in /params /adamw_m /adamw_q /best_params; do h5diff "$1" "$2" "$d" > /dev/null || return 1; done; }
