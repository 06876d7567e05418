# Templates of interference recordings (issue 18): detection, grouping, screening, `semg templates`.
target_sources(semg_estimator PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/detect.c
  ${CMAKE_CURRENT_LIST_DIR}/cluster.c
  ${CMAKE_CURRENT_LIST_DIR}/match.c
  ${CMAKE_CURRENT_LIST_DIR}/align.c
  ${CMAKE_CURRENT_LIST_DIR}/screen.c
  ${CMAKE_CURRENT_LIST_DIR}/templates.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_templates.c)
