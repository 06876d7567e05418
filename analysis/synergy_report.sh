#!/usr/bin/env bash
# Report of one `semg synergy -tables DIR` run: the NMF + 16-configuration table, the rank curves, the
# reconstruction-vs-interpretability scatter with its Pareto front, bar plots of the synergy vectors (muscle
# names on the axis) and activation curves over the normalised cycle for NMF, the best-reconstructing and
# the most interpretable configuration. Interpretability = matched cosine similarity to the ground truth
# when the tables have it (synthetic data), else to the NMF synergies of the same data.
# Writes DIR/report.md (a section; analysis/synergy_study_report.sh joins several) and DIR/*.png.
# Usage: analysis/synergy_report.sh DIR [title]
set -uo pipefail
dir=${1:?usage: synergy_report.sh DIR [title]}
title=${2:-synergies}
[ -f "$dir/metrics.csv" ] || { echo "synergy_report.sh: error: '$dir/metrics.csv' not found (semg synergy -tables $dir)"; exit 2; }
command -v gnuplot > /dev/null || { echo "synergy_report.sh: error: gnuplot not found (apt-get install gnuplot-nox)"; exit 2; }
cd "$dir" || exit 2
# column numbers in metrics.csv: method encoder decoder r2 vaf sim_nmf sim_nmf_min n_nmf_ge08 act_corr_nmf
# sim_true sim_true_min n_true_ge08 act_corr_true hoyer neg_share train_loss pareto
truth=$(awk -F, 'NR == 2 { print ($10 != "") }' metrics.csv)
if [ "$truth" = 1 ]; then icol=10; ilabel="similarity to the ground truth"; else icol=6; ilabel="similarity to NMF"; fi
# best reconstruction and most interpretable among the 16 autoencoders (rows 3..18)
best=$(awk -F, 'NR > 2 && ($4 > m || m == "") { m = $4; b = $1 } END { print b }' metrics.csv)
interp=$(awk -F, -v c=$icol 'NR > 2 && ($c > m || m == "") { m = $c; b = $1 } END { print b }' metrics.csv)
sparse=$(awk -F, 'NR > 2 && ($14 > m || m == "") { m = $14; b = $1 } END { print b }' metrics.csv)
rank_of() { awk -F, -v c="$1" -v want="$2" 'NR > 2 { v[$1] = $c } END { r = 1; for (k in v) if (v[k] > v[want]) r++; print r }' metrics.csv; }
file_of() { echo "${1/+/_}"; }
n_used=$(awk -F, 'NR == 2 { print $8 }' rank.csv)
{
  echo "## $title"
  echo
  awk -F, 'NR == 2 { printf "Number of synergies: VAF >= 0.90 rule **%d**, R^2 line-fit rule **%d**, elbow rule **%d**; used N = **%d**.\n\n", $5, $6, $7, $8 }' rank.csv
  echo "| method | R^2 | VAF | sim. NMF (mean/min) | act. corr. NMF | sim. truth (mean/min) | act. corr. truth | Hoyer sparsity | neg. share | Pareto |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  awk -F, 'function f(x, d) { return x == "" ? "-" : sprintf("%." d "f", x) }
    NR > 1 { printf "| %s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s | %s |\n", $1, f($4, 4), f($5, 4), f($6, 3), f($7, 3), f($9, 3), f($10, 3), f($11, 3), f($13, 3), f($14, 3), f($15, 3), ($17 == 1 ? "yes" : "") }' metrics.csv
  echo
  awk -F, -v best="$best" -v interp="$interp" -v sparse="$sparse" -v c=$icol -v lab="$ilabel" '
    NR > 2 { r2[$1] = $4; s[$1] = $c; h[$1] = $14 }
    NR == 2 { nr2 = $4; ns = $c }
    END {
      printf "Trade-off: the best-reconstructing autoencoder is **%s** (R^2 %.4f, %s %.3f); the most interpretable is **%s** (%s %.3f, R^2 %.4f); the sparsest is **%s** (Hoyer %.3f). NMF: R^2 %.4f, %s %.3f.\n\n", best, r2[best], lab, s[best], interp, lab, s[interp], r2[interp], sparse, h[sparse], nr2, lab, ns
      # a gap below 0.005 in similarity (or 1e-4 in R^2) is a tie, not a trade-off
      d = s[interp] - s[best]; dr = r2[best] - r2[interp]
      verdict = (best == interp) ? "does not hold" : (d < 0.005 || dr < 1e-4) ? "does not hold in substance (a tie: similarity gap " sprintf("%.4f", d) ", R^2 gap " sprintf("%.5f", dr) ")" : "holds"
      printf "Claim \"the best reconstruction is not the most interpretable\": **%s** here (argmax R^2 = %s, argmax %s = %s).\n", verdict, best, lab, interp
    }' metrics.csv
  echo "ReLU encoder + tanh decoder ranks $(rank_of $icol relu+tanh) of 16 by $ilabel and $(rank_of 4 relu+tanh) of 16 by R^2."
  echo
  echo "![rank](rank.png) ![trade-off](tradeoff.png)"
  echo
  for m in nmf "$best" "$interp"; do echo "![synergies $m](synergies_$(file_of "$m").png)"; done | awk '!seen[$0]++'
  echo
  echo "![activations](activations.png)"
  echo
} > report.md

# rank curves
gnuplot <<GP
set terminal pngcairo size 560,380 font ",10"
set output "rank.png"
set datafile separator ","
set termoption noenhanced
set title "NMF: R^2 and VAF against N (best of the restarts)"
set xlabel "number of synergies N"; set ylabel "fit"; set key bottom right; set grid
set arrow from $n_used, graph 0 to $n_used, graph 1 nohead dt 2 lc rgb "gray"
plot "rank.csv" every ::1 using 1:2 with linespoints pt 7 title "R^2", "" every ::1 using 1:3 with linespoints pt 5 title "VAF"
GP

# reconstruction against interpretability, Pareto front as a step line
awk -F, -v c=$icol 'NR > 2 && $17 == 1 { print $4 "," $c }' metrics.csv | sort -t, -k1,1g > pareto.tmp
gnuplot <<GP
set terminal pngcairo size 720,520 font ",10"
set output "tradeoff.png"
set datafile separator ","
set termoption noenhanced
set title "reconstruction vs interpretability (Pareto front of the autoencoders dashed)"
set xlabel "R^2 (reconstruction)"; set ylabel "$ilabel (matched cosine)"; set grid; set key outside bottom center horizontal
plot "metrics.csv" every ::2 using 4:$icol with points pt 7 ps 1.2 lc rgb "#1f77b4" title "autoencoders", \
     "" every ::2 using 4:$icol:1 with labels offset 0.5,0.5 left font ",7" notitle, \
     "" every ::1::1 using 4:$icol with points pt 5 ps 1.6 lc rgb "#d62728" title "NMF", \
     "pareto.tmp" using 1:2 with fsteps dt 2 lw 2 lc rgb "black" title "Pareto front (autoencoders)"
GP
rm -f pareto.tmp

# synergy vectors: one panel per synergy, muscles on the x axis
for m in nmf "$best" "$interp"; do
  f=$(file_of "$m")
  [ -f "synergies_$f.csv" ] || continue
  n=$(head -1 "synergies_$f.csv" | awk -F, '{ print NF - 1 }')
  # negative weights (no non-negativity) set the lower end of the axis
  ymin=$(awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) if ($i < m) m = $i } END { m = m < -0.2 ? m : -0.2; printf "%.2f", m - 0.05 }' "synergies_$f.csv")
  {
    echo "set terminal pngcairo size 900,$(( 150 * n + 60 )) font \",9\""
    echo "set output \"synergies_$f.png\""
    echo 'set datafile separator ","'
    echo 'set termoption noenhanced'
    echo "set multiplot layout $n,1 title \"synergy vectors: $m (unit norm, matched order)\""
    echo 'set style data histograms; set style fill solid 0.8; set boxwidth 0.8; set yrange ['"$ymin"':1]; set key off; set grid y'
    echo 'set lmargin 8; set tmargin 1; set bmargin 2'
    for k in $(seq 1 "$n"); do
      echo "set ylabel \"S$k\""
      echo "plot \"synergies_$f.csv\" every ::1 using $(( k + 1 )):xtic(1) lc rgb \"#2ca02c\""
    done
    echo 'unset multiplot'
  } | gnuplot
done

# activation curves over the cycle: one panel per synergy, NMF / best / most interpretable
n=$(head -1 activations_nmf.csv | awk -F, '{ print NF - 1 }')
fb=$(file_of "$best"); fi=$(file_of "$interp")
{
  h=$(( 170 * n + 100 ))
  echo "set terminal pngcairo size 760,$h font \",9\""
  echo 'set output "activations.png"'
  echo 'set datafile separator ","'
  echo 'set termoption noenhanced'
  # equal panels below a strip that holds the title and one legend row, so that the legend covers no curve
  top=$(echo "1 - 70 / $h" | bc -l); bot=$(echo "50 / $h" | bc -l); keyy=$(echo "1 - 28 / $h" | bc -l)
  echo "set multiplot layout $n,1 margins 0.08,0.98,$bot,$top spacing 0,0.035 title \"activations over the normalised cycle (mean of the cycles)\""
  echo 'set grid; set xrange [0:100]'
  echo "set key at screen 0.5,$keyy center top horizontal samplen 3"
  for k in $(seq 1 "$n"); do
    [ "$k" = 2 ] && echo 'unset key'
    [ "$k" = "$n" ] && echo 'set xlabel "cycle (%; stance then swing)"'
    echo "set ylabel \"S$k\""
    echo "plot \"activations_nmf.csv\" every ::1 using 1:$(( k + 1 )) with lines lw 2 title \"NMF\", \"activations_$fb.csv\" every ::1 using 1:$(( k + 1 )) with lines title \"$best (best R^2)\", \"activations_$fi.csv\" every ::1 using 1:$(( k + 1 )) with lines dt 2 title \"$interp (most interpretable)\""
  done
  echo 'unset multiplot'
} | gnuplot
echo "synergy_report.sh: wrote $dir/report.md"
