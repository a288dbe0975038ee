// POST /swarm/init, /swarm/join, /swarm/update and /swarm/unlock bodies: each input is read
// as every one of them.
#include "fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = shoal::api;
  const std::string_view body = shoal::fuzz::as_text(data, size);
  shoal::fuzz::decode_checked<api::InitRequest>(body);
  shoal::fuzz::decode_checked<api::JoinRequest>(body);
  shoal::fuzz::decode_checked<api::Spec>(body);
  shoal::fuzz::decode_checked<api::UnlockRequest>(body);
  return 0;
}
