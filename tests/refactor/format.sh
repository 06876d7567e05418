#!/usr/bin/env bash
# clang-format (style in .clang-format) over every tracked C source and header.
#   tests/refactor/format.sh check   list the files that differ from the style; exit 1 if any (CTest test `format`)
#   tests/refactor/format.sh apply   reformat them in place (./run format)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" > /dev/null || { echo "format: $cf not found (apt-get install clang-format)"; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find core recordings sim estimator experiments tests semg.c -name '*.[ch]')
case "${1:-check}" in
  check)
    bad=()
    for f in "${files[@]}"; do "$cf" --dry-run -Werror "$f" > /dev/null 2>&1 || bad+=("$f"); done
    if [ ${#bad[@]} -gt 0 ]; then
      printf 'FAIL not clang-formatted: %s\n' "${bad[@]}"
      echo "format: ${#bad[@]} of ${#files[@]} files differ from .clang-format ($("$cf" --version)); ./run format fixes them"
      exit 1
    fi
    echo "ok   ${#files[@]} files clang-formatted ($("$cf" --version))" ;;
  apply)
    "$cf" -i "${files[@]}" && echo "format: ${#files[@]} files formatted with $("$cf" --version)" ;;
  *) sed -n '2,4p' "$0"; exit 2 ;;
esac
