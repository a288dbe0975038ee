// The X-Registry-Auth header (base64url JSON of an AuthConfig), and a registry's
// WWW-Authenticate header read by the same module.
#include "fuzz_decode.h"
#include "runtime/image/registry_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace img = shoal::runtime::image;
  const std::string_view text = shoal::fuzz::as_text(data, size);
  auto auth = img::decode_registry_auth(text);
  if (!auth.is_ok()) {
    shoal::fuzz::check(auth.status().code() == shoal::Code::kInvalidArgument,
                       "X-Registry-Auth error is not a 400", auth.status().to_string());
  }
  for (const auto& challenge : img::parse_www_authenticate(text)) {
    (void)img::token_url(challenge, "repository:library/busybox:pull");
  }
  return 0;
}
