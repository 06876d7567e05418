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
