# Shared by the script tests (sourced): a scratch directory removed on exit, and the electrode arrays.
semg_test_dir() { dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; }
# semg_linear_array N: CSV (x,y,z) of N electrodes at 5 mm along the fibres (x), centred on 0, on the skin.
semg_linear_array() {
  echo "x,y,z"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%.4f,0,0\n", (i - 0.5 * (n - 1)) * 0.005 }'
}
# semg_mpi_env: Open MPI as root in containers, more ranks than cores, one BLAS thread per rank.
semg_mpi_env() {
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_hwloc_base_binding_policy=none
  export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
}
# semg_expect FILE KEY VALUE: is VALUE within the bounds "KEY LO HI" listed in FILE (expected values kept
# in a file beside the test, with where they come from)? Prints the ok/FAIL line; returns 1 outside.
semg_expect() {
  local bounds
  bounds=$(awk -v k="$2" '$1 == k { print $2, $3; found = 1 } END { exit !found }' "$1") || { echo "FAIL $2: no bounds in $1"; return 1; }
  if awk -v v="$3" -v lo="${bounds% *}" -v hi="${bounds#* }" 'BEGIN { exit !(v != "" && v + 0 >= lo + 0 && v + 0 <= hi + 0) }'; then
    echo "ok   $2 = $3 in [${bounds% *}, ${bounds#* }]"
  else
    echo "FAIL $2 = $3 not in [${bounds% *}, ${bounds#* }]"; return 1
  fi
}
