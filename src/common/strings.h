// Small string helpers several modules share.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace shoal {

// ASCII white space, as Go's strings.TrimSpace sees it in ASCII text.
inline constexpr std::string_view kAsciiSpace = " \t\n\v\f\r";

// `s` without leading and trailing characters from `chars`.
std::string_view trim(std::string_view s, std::string_view chars = kAsciiSpace);

// `s` with A-Z made a-z; other bytes unchanged (no locale).
std::string ascii_lower(std::string_view s);

}  // namespace shoal
