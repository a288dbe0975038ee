// Internal to the api codec: standard padded base64 (RFC 4648 §4), as Go's
// encoding/base64.StdEncoding reads and writes []byte fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shoal::api::json {

std::string base64_encode(std::string_view bytes);

// nullopt unless `text` is canonical padded standard base64 (Go's decoder also skips \r and
// \n, and so does this).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace shoal::api::json
