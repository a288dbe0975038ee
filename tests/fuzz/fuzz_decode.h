// What every request-body fuzz target checks of api::decode<T>: it returns (never throws or
// crashes); a failure is kInvalidArgument (a 400) whose answer body can be made; a success
// encodes, and that encoding decodes again to the same encoding (the daemon answers what
// it stored).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/codec.h"
#include "http/response.h"

namespace shoal::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Stops the run with `what` when `ok` is false (libFuzzer records the input as a crash).
inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

template <api::Codable T>
void decode_checked(std::string_view body) {
  Result<T> out = api::decode<T>(body);
  if (!out.is_ok()) {
    check(out.status().code() == Code::kInvalidArgument, "decode error is not a 400",
          out.status().to_string());
    check(http::Response::error(out.status()).status == 400, "error answer is not a 400");
    return;
  }
  const std::string first = api::encode(*out);
  Result<T> again = api::decode<T>(first);
  check(again.is_ok(), "the encoding does not decode", first);
  check(api::encode(*again) == first, "the encoding changes when decoded again", first);
}

}  // namespace shoal::fuzz
