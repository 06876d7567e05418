#!/usr/bin/env bash
# Report of a continuous recording analysed epoch by epoch (docs/recordings.md): IZ and CV of every
# estimator per epoch over time with their spread, and the templates on the array.
# Reads DIR/epochs.csv (semg templates -report), DIR/templates.csv (semg export of the templates) and
# every DIR/est_<method>.csv (semg baseline on the templates). Writes DIR/report.md and DIR/*.png (gnuplot).
# Usage: analysis/recording_report.sh DIR [title]
set -uo pipefail
dir=${1:?usage: recording_report.sh DIR [title]}
title=${2:-Recording report}
[ -d "$dir" ] || { echo "recording_report.sh: error: '$dir' is not a directory"; exit 2; }
command -v gnuplot >/dev/null || { echo "recording_report.sh: error: gnuplot not found (apt-get install gnuplot-nox)"; exit 2; }
cd "$dir" || exit 2
for f in epochs.csv templates.csv; do [ -s "$f" ] || { echo "recording_report.sh: error: '$dir/$f' missing"; exit 2; }; done
shopt -s nullglob
ests=(est_*.csv)
[ ${#ests[@]} -gt 0 ] || { echo "recording_report.sh: error: no est_<method>.csv in '$dir'"; exit 2; }
# t_start of the k-th usable epoch = row k of every est file
awk -F, 'NR > 1 && $11 == 1 { print $7 }' epochs.csv >t_usable.txt
n_ep=$(awk 'END { print NR - 1 }' epochs.csv)
n_ok=$(wc -l <t_usable.txt)
for f in "${ests[@]}"; do
  m=${f#est_}; m=${m%.csv}
  awk -F, 'NR == FNR { t[FNR] = $1; next } FNR > 1 { printf "%s,%s,%s,%s,%s\n", t[FNR - 1], $2, $3, $4, $5 }' t_usable.txt "$f" >"time_$m.csv"
done
{
  echo "# $title"
  echo
  echo "Generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by analysis/recording_report.sh. $n_ok of $n_ep epochs gave a template"
  echo "(the others are left out: too few consistent discharges of one unit; see epochs.csv)."
  echo
  echo "Per method over the epochs with a template: median and interquartile range (IQR) of the estimates;"
  echo "with ground truth (simulated recordings) also the mean absolute error against the unit each template represents."
  echo
  echo "| method | n | IZ median (mm) | IZ IQR (mm) | IZ MAE (mm) | CV median (m/s) | CV IQR (m/s) | CV MAE (m/s) |"
  echo "|---|---|---|---|---|---|---|---|"
  for f in "${ests[@]}"; do
    m=${f#est_}; m=${m%.csv}
    for col in 2 3; do
      awk -F, -v c=$col -v s=$([ $col = 2 ] && echo 1000 || echo 1) 'NR > 1 && $c != "" { print $c * s }' "$f" | sort -g >vals.$col
    done
    q() { awk -v p=$2 '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } i = 1 + p * (NR - 1); lo = int(i); f = i - lo; printf "%.2f", v[lo] + f * (v[lo + (lo < NR)] - v[lo]) }' "$1"; }
    iqr() { a=$(q "$1" 0.25); b=$(q "$1" 0.75); [ "$a" = - ] && echo - || awk -v a=$a -v b=$b 'BEGIN { printf "%.2f", b - a }'; }
    maes=$(awk -F, 'NR > 1 { if ($2 != "" && $4 != "") { ni++; si += ($2 > $4 ? $2 - $4 : $4 - $2) } if ($3 != "" && $5 != "") { nc++; sc += ($3 > $5 ? $3 - $5 : $5 - $3) } }
                  END { printf "%s %s", ni ? sprintf("%.2f", 1000 * si / ni) : "-", nc ? sprintf("%.2f", sc / nc) : "-" }' "$f")
    n=$(awk 'END { print NR - 1 }' "$f")
    echo "| $m | $n | $(q vals.2 0.5) | $(iqr vals.2) | ${maes% *} | $(q vals.3 0.5) | $(iqr vals.3) | ${maes#* } |"
  done
  echo
  echo "![IZ per epoch](iz_over_time.png)"
  echo
  echo "![CV per epoch](cv_over_time.png)"
  echo
  echo "![templates on the array](templates.png)"
  echo
  echo "Template quality per epoch (epochs.csv): discharges averaged (n_triggers), mean correlation of the"
  echo "discharges with their mean (consistency); with ground truth also the unit, its share of matching"
  echo "discharges (match) and the correlation of the template with the unit's true MUAP (muap_corr)."
} >report.md
rm -f vals.2 vals.3
plot_time() { # column (2 iz, 3 cv), scale, label, png
  local col=$1 scale=$2 label=$3 png=$4 cmd="" tcol=$(( $1 + 2 ))
  for f in time_*.csv; do
    m=${f#time_}; m=${m%.csv}
    awk -F, -v c=$col '$c != "" { ok = 1 } END { exit !ok }' "$f" || continue
    cmd+="${cmd:+, }\"$f\" using 1:(\$$col*$scale) with linespoints pt 7 ps 0.5 title \"$m\""
  done
  [ -n "$cmd" ] || return 0
  if awk -F, -v c=$tcol '$c != "" { ok = 1 } END { exit !ok }' "${ests[0]/est_/time_}"; then
    cmd+=", \"${ests[0]/est_/time_}\" using 1:(\$$tcol*$scale) with points pt 6 ps 1.2 lc rgb \"black\" title \"truth (unit of the template)\""
  fi
  gnuplot <<GP
set terminal pngcairo size 900,420 font ",10"
set output "$png"
set termoption noenhanced
set datafile separator ","
set xlabel "epoch start (s)"
set ylabel "$label"
set key outside right
set grid
plot $cmd
GP
}
plot_time 2 1e3 "IZ (mm along the array)" iz_over_time.png
plot_time 3 1 "CV (m/s)" cv_over_time.png
# templates on the array: three epochs (first, middle, last with a template), channels stacked
nc=$(head -1 templates.csv | awk -F, '{ print NF - 2 }')
span=$(awk -F, 'NR > 1 { for (i = 3; i <= NF; i++) { if ($i > mx) mx = $i; if ($i < mn) mn = $i } } END { s = mx - mn; if (s <= 0) s = 1; print s }' templates.csv)
last=$((n_ok - 1)); mid=$((n_ok / 2))
cmd=""
for c in $(seq 1 "$nc"); do
  col=$((c + 2))
  for k in 0 $mid $last; do
    lc=$([ $k = 0 ] && echo '"#1f77b4"' || { [ $k = $mid ] && echo '"#d62728"' || echo '"#2ca02c"'; })
    t=$([ $c = 1 ] && echo "title \"epoch at $(sed -n "$((k + 1))p" t_usable.txt) s\"" || echo notitle)
    cmd+="${cmd:+, }\"templates.csv\" using (\$1 == $k ? \$2*1e3 : 1/0):(\$$col/$span*1.2 - $c) with lines lc rgb $lc $t"
  done
done
gnuplot <<GP
set terminal pngcairo size 700,800 font ",10"
set output "templates.png"
set termoption noenhanced
set datafile separator ","
set xlabel "time in the template (ms)"
set ylabel "channel (1 = top)"
set ytics ($(for c in $(seq 1 "$nc"); do printf '"%d" %d%s' "$c" "-$c" "$([ "$c" -lt "$nc" ] && echo ,)"; done))
set key top right
plot $cmd
GP
rm -f t_usable.txt time_*.csv
echo "recording_report.sh: $n_ok of $n_ep epochs with a template, ${#ests[@]} estimators -> $dir/report.md"
