#!/usr/bin/env bash
# The synergy study (issue 17, spec synergies.md): NMF and the 16 autoencoder configurations on
#   walking            the real recording (walking, 13 muscles), N by the VAF rule
#   walking-none       the same with non-negativity option (a): no constraint on the weights
#   walking-nobias     the same without biases (b_e = b_d = 0)
#   synth-linear       synthetic, linear mixing, noise-free, N = N_true = 4
#   synth-saturating   synthetic, saturating mixing 1 - exp(-W H), noise-free, N = 4
#   synth-snr30/20/10  synthetic, linear mixing, envelope noise at 30/20/10 dB, N = 4
#   synth-signal30/20/10  the same with the noise on EMG-like carriers through the whole envelope pipeline
# then one report (analysis/synergy_study_report.sh). Usage:
#   experiments/synergy/study.sh OUTDIR [ranks]        (SEMG=path/to/semg, default build/bin/semg)
set -euo pipefail
out=${1:?usage: study.sh OUTDIR [ranks]}
np=${2:-2}
src=$(cd "$(dirname "$0")/../.." && pwd)
semg=${SEMG:-$src/build/bin/semg}
data=${SEMG_WALKING:-$src/../shared/data/walking-13muscles}
[ -x "$semg" ] || { echo "study.sh: error: $semg not found (./run build)"; exit 2; }
[ -f "$data/emg.csv" ] || { echo "study.sh: error: $data/emg.csv not found (set SEMG_WALKING)"; exit 2; }
mkdir -p "$out"
launch=${SEMG_LAUNCH:-mpiexec -n $np}
run() { # case, args...
  local c=$1
  shift
  echo "study.sh: $c"
  $launch "$semg" synergy "$@" -output "$out/$c.h5" -tables "$out/$c" > "$out/$c.log" 2>&1 || { cat "$out/$c.log"; exit 1; }
  grep -E "NMF N =|configurations|best-reconstructing|against the truth" "$out/$c.log" | sed 's/^/  /'
}
walk="-emg $data/emg.csv -events $data/cycles.csv"
run walking $walk
run walking-none $walk -ae_nonneg none
run walking-nobias $walk -ae_bias false
run synth-linear -synth -synergies 4
run synth-saturating -synth -synth_mixing saturating -synergies 4
for snr in 30 20 10; do run "synth-snr$snr" -synth -synth_snr "$snr" -synergies 4; done
for snr in 30 20 10; do run "synth-signal$snr" -synth -synth_noise signal -synth_snr "$snr" -synergies 4; done
"$src/analysis/synergy_study_report.sh" "$out"
echo "study.sh: done, report $out/report.md"
