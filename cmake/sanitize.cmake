# -DSEMG_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer (+ float-cast-overflow, which
# -fsanitize=undefined leaves out), every finding fatal. Build into its own tree, e.g.
#   cmake -S . -B build-asan -DSEMG_SANITIZE=ON && cmake --build build-asan -j2
#   cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest -LE "slow|fuzz"
# detect_leaks=0: Open MPI and PMIx keep allocations until exit by design (docs/reliability.md).
option(SEMG_SANITIZE "build with ASan + UBSan (docs/reliability.md)" OFF)
if(SEMG_SANITIZE)
  include(CheckCCompilerFlag)
  set(SEMG_SAN -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=float-cast-overflow)
  check_c_compiler_flag(-fsanitize=float-cast-overflow SEMG_HAVE_FLOAT_CAST_SAN)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(SEMG_HAVE_FLOAT_CAST_SAN)
    list(APPEND SEMG_SAN -fsanitize=float-cast-overflow)
  endif()
  add_compile_options(${SEMG_SAN})
  add_link_options(${SEMG_SAN})
  message(STATUS "semg: sanitizers ${SEMG_SAN}")
endif()
