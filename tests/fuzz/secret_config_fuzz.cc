// POST /secrets/create, /secrets/{id}/update, /configs/create and /configs/{id}/update
// bodies: each input is read as a SecretSpec and as a ConfigSpec.
#include "fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = shoal::fuzz::as_text(data, size);
  shoal::fuzz::decode_checked<shoal::api::SecretSpec>(body);
  shoal::fuzz::decode_checked<shoal::api::ConfigSpec>(body);
  return 0;
}
