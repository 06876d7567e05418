# Volume conductor (sim/vc): included from sim/CMakeLists.txt.
target_sources(semg_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/tissue.c
  ${CMAKE_CURRENT_LIST_DIR}/layered.c
  ${CMAKE_CURRENT_LIST_DIR}/layeredtable.c
  ${CMAKE_CURRENT_LIST_DIR}/inhomog.c
  ${CMAKE_CURRENT_LIST_DIR}/grid.c
  ${CMAKE_CURRENT_LIST_DIR}/conductor.c
  ${CMAKE_CURRENT_LIST_DIR}/assembly.c
  ${CMAKE_CURRENT_LIST_DIR}/solver.c
  ${CMAKE_CURRENT_LIST_DIR}/footprint.c
  ${CMAKE_CURRENT_LIST_DIR}/leadfield.c
  ${CMAKE_CURRENT_LIST_DIR}/leadfield_store.c
  ${CMAKE_CURRENT_LIST_DIR}/leadfield_load.c
  ${CMAKE_CURRENT_LIST_DIR}/misalign.c
  ${CMAKE_CURRENT_LIST_DIR}/musource.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_pointsource.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_leadfield.c)
