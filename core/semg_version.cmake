# cmake -P script run at every build (target semg_version, core/CMakeLists.txt): writes DST from
# semg_version.h.in with the commit of the tree being built, "-dirty" when tracked files differ from it.
# At configure time only, the SHA of a later commit never reached the binaries' provenance (outputs
# and reports named the commit the build tree was configured at). configure_file rewrites DST only when
# its text changes, so an unchanged revision recompiles nothing.
execute_process(COMMAND git rev-parse HEAD WORKING_DIRECTORY "${SRC}" OUTPUT_VARIABLE SEMG_GIT_SHA
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(rc OR NOT SEMG_GIT_SHA)
  set(SEMG_GIT_SHA "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY "${SRC}" RESULT_VARIABLE dirty ERROR_QUIET)
  if(dirty)
    string(APPEND SEMG_GIT_SHA "-dirty")
  endif()
endif()
configure_file("${SRC}/core/semg_version.h.in" "${DST}" @ONLY)
