// The grammar of Docker image references ("nginx:1.25", "localhost:5000/a/b@sha256:..."),
// after distribution/reference (regexp.go and normalize.go's splitDockerDomain). Shared by
// the manager, which refuses services whose image no node could pull, and the image store,
// which parses references to pull them; each applies its own rules on top.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace shoal {

struct ReferenceMatch {
  std::string name;    // [domain/]path as written
  std::string tag;     // "" when not given
  std::string digest;  // "<algorithm>:<hex>" (hex at least 32 characters) or ""
};

// The longest text match_reference reads: a 255-character name (distribution's limit), a
// 128-character tag and a sha512 digest take 520.
inline constexpr size_t kMaxReferenceLength = 1024;

// Matches the whole of `text` against the grammar; nullopt when it does not match, and for
// text longer than kMaxReferenceLength. Path components are lower-case; a tag is
// `[\w][\w.-]{0,127}`.
std::optional<ReferenceMatch> match_reference(std::string_view text);

// splitDockerDomain: whether a reference's first component (before the first '/') names a
// registry — it has a '.' or ':', is "localhost", or has an upper-case letter.
bool is_registry_domain(std::string_view first_component);

// Whether `text` has an upper-case ASCII letter.
bool has_upper(std::string_view text);

// Whether `text` is 64 lower-case hex characters: an image ID, never a repository name.
bool is_hex_image_id(std::string_view text);

}  // namespace shoal
