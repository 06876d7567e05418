# White-box baselines: classical IZ/CV estimators, physics fit, epochs, `semg baseline`.
target_sources(semg_estimator PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/delay.c
  ${CMAKE_CURRENT_LIST_DIR}/iz.c
  ${CMAKE_CURRENT_LIST_DIR}/cv.c
  ${CMAKE_CURRENT_LIST_DIR}/physfit.c
  ${CMAKE_CURRENT_LIST_DIR}/arrays.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_baseline.c)
