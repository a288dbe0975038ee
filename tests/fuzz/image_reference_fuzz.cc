// Image names from requests (service specs, /distribution/{name}/json, ?fromImage=&tag=):
// parsed and normalized; a parsed reference prints and parses back to itself.
#include "fuzz_decode.h"
#include "runtime/image/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace img = shoal::runtime::image;
  auto ref = img::parse_reference(shoal::fuzz::as_text(data, size));
  if (!ref.is_ok()) {
    // kUnimplemented: a digest of another algorithm than sha256 (documented).
    const auto code = ref.status().code();
    shoal::fuzz::check(code == shoal::Code::kInvalidArgument || code == shoal::Code::kUnimplemented,
                       "reference error is not a 400 or 501", ref.status().to_string());
    return 0;
  }
  (void)ref->familiar_string();
  auto again = img::parse_reference(ref->string());
  shoal::fuzz::check(again.is_ok() && *again == *ref, "reference does not parse back",
                     ref->string());
  return 0;
}
