# Shared by the generator tests (sourced): scratch directory, value checks and user-error checks.
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
semg_test_dir
cd "$dir" || exit 1
fail=0
# check NAME VALUE LO HI: pass when LO <= VALUE <= HI
check() {
  if awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v + 0 == v && v >= lo && v <= hi) }'; then echo "ok   $1 = $2 (in [$3, $4])"; else echo "FAIL $1 = $2 (want [$3, $4])"; fail=1; fi
}
# val KEY FILE: the value after KEY in gen_measure's output
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
# user_error LABEL OUTPUT cmd...: the command must fail with exit 2, one line, and leave no OUTPUT
user_error() {
  local label=$1 output=$2 out rc
  shift 2
  out=$("$@" 2>&1); rc=$?
  if [ $rc -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [ ! -e "$output" ]; then echo "ok   $label: $out"; else echo "FAIL $label: rc $rc: $out"; fail=1; fi
}
