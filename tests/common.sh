# Shared by the script tests (sourced): a scratch directory removed on exit, and the electrode arrays.
semg_test_dir() { dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; }
# semg_linear_array N: CSV (x,y,z) of N electrodes at 5 mm along the fibres (x), centred on 0, on the skin.
semg_linear_array() {
  echo "x,y,z"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%.4f,0,0\n", (i - 0.5 * (n - 1)) * 0.005 }'
}
