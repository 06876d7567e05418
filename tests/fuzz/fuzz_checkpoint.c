/* libFuzzer target: the model/checkpoint reader of the informed autoencoder (semg estimate -model,
   semg train resume). */
#include "tests/fuzz/fuzz_common.h"
#include "estimator/nn/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  SemgNNState st;

  FuzzSetUp(".h5");
  FuzzWriteFile(data, size);
  if (!SemgNNStateRead(PETSC_COMM_WORLD, "-model", fuzz_path, &st)) SemgNNStateFree(&st);
  return 0;
}
