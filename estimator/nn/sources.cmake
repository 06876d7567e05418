# Informed autoencoder: layers, encoder, scaler, AdamW, decoder, trainer, checkpoints, commands.
target_sources(semg_estimator PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/layers.c
  ${CMAKE_CURRENT_LIST_DIR}/encoder.c
  ${CMAKE_CURRENT_LIST_DIR}/scaler.c
  ${CMAKE_CURRENT_LIST_DIR}/adamw.c
  ${CMAKE_CURRENT_LIST_DIR}/decoder.c
  ${CMAKE_CURRENT_LIST_DIR}/dectable.c
  ${CMAKE_CURRENT_LIST_DIR}/dectable_model.c
  ${CMAKE_CURRENT_LIST_DIR}/dectable_build.c
  ${CMAKE_CURRENT_LIST_DIR}/dectable_cache.c
  ${CMAKE_CURRENT_LIST_DIR}/model.c
  ${CMAKE_CURRENT_LIST_DIR}/laplace.c
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint.c
  ${CMAKE_CURRENT_LIST_DIR}/sampler.c
  ${CMAKE_CURRENT_LIST_DIR}/lr_schedule.c
  ${CMAKE_CURRENT_LIST_DIR}/trainer.c
  ${CMAKE_CURRENT_LIST_DIR}/trainer_options.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_train.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_estimate.c)
# The dense layers call BLAS dgemm through PETSc's name mangling; PETSc's .pc file does not list BLAS.
find_package(BLAS REQUIRED)
target_link_libraries(semg_estimator PUBLIC ${BLAS_LIBRARIES})
# sqrt without errno lets the decoder's electrode loop vectorise; values are unchanged (IEEE sqrt).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/decoder.c PROPERTIES COMPILE_OPTIONS "-fno-math-errno")
