#!/usr/bin/env bash
# Joins the per-case synergy reports of a study directory (experiments/synergy/study.sh) into
# DIR/report.md, with the SNR sweep summarised in one table. Usage: analysis/synergy_study_report.sh DIR
set -uo pipefail
dir=${1:?usage: synergy_study_report.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
cd "$dir" || exit 2
md=report.md
{
  echo "# Muscle synergies: autoencoders against NMF"
  echo
  echo "Generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by analysis/synergy_study_report.sh after \`experiments/synergy/study.sh OUT 2\` (2 MPI ranks, seed 1; the synthetic sets use -synth_seed 1)."
  echo "Method: docs/synergies.md. Interpretability = Hungarian-matched cosine similarity of the synergy vectors to"
  echo "the ground truth (synthetic) or to the NMF synergies of the same data (walking); Pareto front of R^2 against it."
  echo
} > "$md"
for c in walking walking-none walking-nobias synth-linear synth-saturating; do
  [ -f "$c/metrics.csv" ] || continue
  case $c in
    walking) t="Walking, 13 muscles (real recording; -ae_nonneg both, biases on)";;
    walking-none) t="Walking, non-negativity option (a): none";;
    walking-nobias) t="Walking, no biases";;
    synth-linear) t="Synthetic, linear mixing, noise-free, N = N_true = 4";;
    synth-saturating) t="Synthetic, saturating mixing, noise-free, N = N_true = 4";;
  esac
  "$here/synergy_report.sh" "$c" "$t" > /dev/null || exit 1
  # images live in the case folder
  sed "s|](\([a-z_+]*\)\.png)|]($c/\1.png)|g" "$c/report.md" >> "$md"
done
if ls synth-snr*/metrics.csv > /dev/null 2>&1; then
  {
    echo "## Synthetic, linear mixing, noise (N = 4)"
    echo
    echo "Envelope level: V <- max(V + N(0, s^2), 0). Signal level: EMG-like carriers V(t) n(t), n white 20-450 Hz at 1 kHz,"
    echo "plus white noise at the SNR, through the whole envelope pipeline (high-pass, rectification, low-pass, scaling, cycles)."
    echo
    echo "| noise | SNR (dB) | NMF R^2 | NMF sim. truth | best AE sim. truth (config) | linear+linear sim. truth | relu+tanh sim. truth |"
    echo "|---|---|---|---|---|---|---|"
    for c in synth-linear synth-snr30 synth-snr20 synth-snr10 synth-signal30 synth-signal20 synth-signal10; do
      [ -f "$c/metrics.csv" ] || continue
      snr=${c##*[a-z]}; kind=envelope; [ "$c" = synth-linear ] && snr="clean" && kind=none
      case $c in synth-signal*) kind=signal;; esac
      awk -F, -v snr="$snr" -v kind="$kind" 'NR == 2 { r2 = $4; s = $10 } NR > 2 { if ($10 > b) { b = $10; bc = $1 } v[$1] = $10 }
        END { printf "| %s | %s | %.4f | %.4f | %.4f (%s) | %.4f | %.4f |\n", kind, snr, r2, s, b, bc, v["linear+linear"], v["relu+tanh"] }' "$c/metrics.csv"
    done
    echo
  } >> "$md"
fi
echo "synergy_study_report.sh: wrote $dir/$md"
