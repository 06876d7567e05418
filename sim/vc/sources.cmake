# Volume conductor (sim/vc): included from sim/CMakeLists.txt.
target_sources(semg_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/tissue.c
  ${CMAKE_CURRENT_LIST_DIR}/layered.c)
