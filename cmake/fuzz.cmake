# -DSEMG_FUZZ=ON (with CMAKE_C_COMPILER=clang): libFuzzer targets of the input readers, everything
# built with ASan + UBSan and fuzzer coverage. Build into its own tree (docs/reliability.md):
#   CC=clang cmake -S . -B build-fuzz -DSEMG_FUZZ=ON && cmake --build build-fuzz -j2
#   cd build-fuzz && ctest -L fuzz
option(SEMG_FUZZ "build the libFuzzer targets (clang)" OFF)
if(SEMG_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SEMG_FUZZ needs clang: CC=clang cmake -S . -B build-fuzz -DSEMG_FUZZ=ON")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined,float-cast-overflow)
endif()
