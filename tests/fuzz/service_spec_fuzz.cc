// POST /services/create and /services/{id}/update bodies: a ServiceSpec.
#include "fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shoal::fuzz::decode_checked<shoal::api::ServiceSpec>(shoal::fuzz::as_text(data, size));
  return 0;
}
