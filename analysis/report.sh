#!/usr/bin/env bash
# Tables and plots from a results folder: every est_<method>.csv (semg estimate / semg baseline
# layout: sample,iz_est_m,cv_est_mps,iz_true_m,cv_true_mps), optional muap.csv (semg muap) and
# learning_curve.csv (epoch,train_loss,val_loss). Writes DIR/report.md and DIR/*.png (gnuplot).
# Usage: analysis/report.sh DIR [title]
set -uo pipefail
dir=${1:?usage: report.sh DIR [title]}
title=${2:-semg report}
[ -d "$dir" ] || { echo "report.sh: error: '$dir' is not a directory"; exit 2; }
command -v gnuplot > /dev/null || { echo "report.sh: error: gnuplot not found (apt-get install gnuplot-nox)"; exit 2; }
cd "$dir" || exit 2
shopt -s nullglob
md=report.md
{
  echo "# $title"
  echo
  echo "Generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by analysis/report.sh from the files in this folder."
  echo
  echo "| method | n | IZ MAE (mm) | IZ RMSE (mm) | IZ bias (mm) | CV MAE (m/s) | CV RMSE (m/s) | CV bias (m/s) |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$md"
for f in est_*.csv; do
  m=${f#est_}; m=${m%.csv}
  awk -F, -v m="$m" 'NR > 1 {
      if ($2 != "" && $4 != "") { e = $2 - $4; ni++; ai += (e < 0 ? -e : e); si += e * e; bi += e }
      if ($3 != "" && $5 != "") { e = $3 - $5; nc++; ac += (e < 0 ? -e : e); sc += e * e; bc += e }
    } END {
      n = (ni > nc ? ni : nc)
      iz = ni ? sprintf("%.4f | %.4f | %+.4f", 1e3 * ai / ni, 1e3 * sqrt(si / ni), 1e3 * bi / ni) : "- | - | -"
      cv = nc ? sprintf("%.4f | %.4f | %+.4f", ac / nc, sqrt(sc / nc), bc / nc) : "- | - | -"
      printf "| %s | %d | %s | %s |\n", m, n, iz, cv }' "$f" >> "$md"
  # estimate against truth, IZ in mm and CV in m/s (a panel only for what the method estimates)
  has_iz=$(awk -F, 'NR > 1 && $2 != "" && $4 != "" { print 1; exit }' "$f")
  has_cv=$(awk -F, 'NR > 1 && $3 != "" && $5 != "" { print 1; exit }' "$f")
  panels=$(( ${has_iz:-0} + ${has_cv:-0} ))
  [ "$panels" -gt 0 ] || continue
  {
    echo 'set terminal pngcairo size '"$(( 450 * panels ))"',400 font ",10"'
    echo "set output \"scatter_${m}.png\""
    echo 'set termoption noenhanced'
    echo 'set datafile separator ","'
    echo "set multiplot layout 1,${panels} title \"${m}: estimate vs truth\""
    echo 'set key off'
    if [ -n "$has_iz" ]; then
      echo 'set xlabel "true IZ (mm)"; set ylabel "estimated IZ (mm)"'
      echo "plot \"$f\" every ::1 using (\$4*1e3):(\$2*1e3) with points pt 7 ps 0.4, x with lines lc rgb \"gray\""
    fi
    if [ -n "$has_cv" ]; then
      echo 'set xlabel "true CV (m/s)"; set ylabel "estimated CV (m/s)"'
      echo "plot \"$f\" every ::1 using 5:3 with points pt 7 ps 0.4, x with lines lc rgb \"gray\""
    fi
    echo 'unset multiplot'
  } | gnuplot
  echo >> "$md.plots"
  echo "![${m}](scatter_${m}.png)" >> "$md.plots"
done
if [ -f muap.csv ]; then
  ncol=$(head -1 muap.csv | awk -F, '{print NF}')
  # the column scale needs the maximum first
  amax=$(awk -F, 'NR>1 { for (i=2;i<=NF;i++) { v=$i<0?-$i:$i; if (v>m) m=v } } END { print m }' muap.csv)
  gnuplot <<GP
set terminal pngcairo size 900,500 font ",10"
set output "muap.png"
set datafile separator ","
set title "MUAP, channels offset for display (max |phi| = ${amax})"
set xlabel "time (ms)"; set ylabel "channel"
set key off
plot for [c=2:${ncol}] "muap.csv" every ::1 using (\$1*1e3):(column(c)/${amax}*0.8 + c - 1) with lines
GP
  printf '\n![MUAP](muap.png)\n' >> "$md.plots"
fi
if [ -f learning_curve.csv ]; then
  gnuplot <<GP
set terminal pngcairo size 700,450 font ",10"
set output "learning_curve.png"
set datafile separator ","
set logscale y
set xlabel "epoch"; set ylabel "loss"
set title "training and validation loss"
plot "learning_curve.csv" every ::1 using 1:2 with lines title "train", "" every ::1 using 1:3 with lines title "validation"
GP
  printf '\n![learning curve](learning_curve.png)\n' >> "$md.plots"
fi
[ -f "$md.plots" ] && { echo; echo "## Plots"; cat "$md.plots"; } >> "$md"
rm -f "$md.plots"
echo "report: $dir/$md ($(ls *.png 2>/dev/null | wc -l) plots)"
