// POST /nodes/{id}/update bodies: a NodeSpec.
#include "fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shoal::fuzz::decode_checked<shoal::api::NodeSpec>(shoal::fuzz::as_text(data, size));
  return 0;
}
