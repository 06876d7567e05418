# Muscle synergies (issue 17): envelopes, NMF, synergy autoencoder on the nn layers and AdamW, metrics,
# synthetic data, the `semg synergy` command.
target_sources(semg_estimator PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/butterworth.c
  ${CMAKE_CURRENT_LIST_DIR}/envelope.c
  ${CMAKE_CURRENT_LIST_DIR}/nmf.c
  ${CMAKE_CURRENT_LIST_DIR}/hungarian.c
  ${CMAKE_CURRENT_LIST_DIR}/metrics.c
  ${CMAKE_CURRENT_LIST_DIR}/synergy_ae.c
  ${CMAKE_CURRENT_LIST_DIR}/synth.c
  ${CMAKE_CURRENT_LIST_DIR}/task_queue.c
  ${CMAKE_CURRENT_LIST_DIR}/synergy_run.c
  ${CMAKE_CURRENT_LIST_DIR}/synergy_io.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_synergy.c)
