#!/usr/bin/env bash
# The code's shape, for reviews and the CTest test `structure`:
#   tests/refactor/structure.sh report   layout, the 10 longest files and functions, the include graph of the parts
#   tests/refactor/structure.sh check    fails when a part includes a part above it or C files include each other in a circle
# Parts from the bottom: core <- sim <- estimator (with estimator/recordings) <- experiments (with semg.c, the program).
# tests/ may include any.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
parts=(core sim estimator experiments)
sources() { git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' | sed 's|^\./||'; }

rank() {
  local i
  for i in "${!parts[@]}"; do [ "${parts[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo -1
}

# "file included-file" for every quoted include that names a file of the tree
include_edges() {
  sources | grep -v '^tests/' | while read -r f; do
    sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
      [ -f "$inc" ] && echo "$f $inc"
    done
  done
}

report() {
  echo "## Layout"
  sources | grep -v '^tests/' | awk -F/ '{ d = NF > 1 ? $1 : "."; for (i = 2; i < NF; i++) d = d "/" $i; n[d]++; f[d] = f[d] " " $NF }
    END { for (d in n) printf "%-22s %3d files:%s\n", d, n[d], f[d] }' | sort
  echo
  echo "## 10 longest files (lines)"
  sources | grep -v '^tests/' | xargs wc -l | grep -v ' total$' | sort -rn | head -10
  echo
  echo "## 10 longest functions (lines, signature to closing brace)"
  sources | grep '\.c$' | grep -v '^tests/' | xargs awk '
    FNR == 1 { sig = ""; start = 0 }
    /^[A-Za-z_][A-Za-z0-9_ \*]*[A-Za-z_][A-Za-z0-9_]*\(/ && !/;[ \t]*$/ { sig = $0; sline = FNR; next }
    /^\{/ && sig != "" { start = sline; name = sig; sub(/\(.*/, "", name); sub(/.* \**/, "", name); next }
    /^\}/ && start { printf "%5d %s:%d %s\n", FNR - start + 1, FILENAME, start, name; start = 0; sig = "" }' | sort -rn | head -10
  echo
  echo "## Include graph of the parts (directory -> directory: number of includes)"
  include_edges | awk '{ a = $1; b = $2; sub(/\/[^\/]*$/, "", a); sub(/\/[^\/]*$/, "", b); if (a !~ /\//) a = (a ~ /\./ ? "app" : a);
                         if (b !~ /\//) b = (b ~ /\./ ? "app" : b); if (a != b) print a " -> " b }' | sort | uniq -c
}

part_of() { case "$1" in */*) echo "${1%%/*}" ;; *) echo app ;; esac; }

check() {
  local bad=0 f inc ra rb
  while read -r f inc; do
    ra=$(rank "$(part_of "$f")"); rb=$(rank "$(part_of "$inc")")
    if [ "$ra" -lt 0 ] || [ "$rb" -lt 0 ]; then echo "FAIL $f includes $inc: unknown part"; bad=1
    elif [ "$rb" -gt "$ra" ]; then echo "FAIL upward include: $f includes $inc"; bad=1; fi
  done < <(include_edges)
  [ $bad -eq 0 ] && echo "ok   no part includes a part above it (${parts[*]})"
  # a circle of includes between parts or between files: tsort reports it. Subfolders of one part (sim, sim/vc)
  # count as that part: the part's commands and dataset generator sit above its volume conductor.
  local cyc
  cyc=$(include_edges | while read -r f inc; do echo "$(part_of "$f") $(part_of "$inc")"; done | awk '$1 != $2' | tsort 2>&1 >/dev/null)
  if [ -n "$cyc" ]; then echo "FAIL parts include each other in a circle:"; echo "$cyc"; bad=1
  else echo "ok   no circle in the include graph of the parts"; fi
  # x.c, x.h and ximpl.h (an object's private header) are one node
  cyc=$(include_edges | awk '{ sub(/\.[ch]$/, "", $1); sub(/\.[ch]$/, "", $2); sub(/impl$/, "", $1); sub(/impl$/, "", $2); if ($1 != $2) print $1, $2 }' | tsort 2>&1 >/dev/null)
  if [ -n "$cyc" ]; then echo "FAIL files include each other in a circle:"; echo "$cyc"; bad=1
  else echo "ok   no circle in the file include graph"; fi
  return $bad
}

case "${1:-report}" in
  report) report ;;
  check) check ;;
  *) sed -n '2,4p' "$0"; exit 2 ;;
esac
