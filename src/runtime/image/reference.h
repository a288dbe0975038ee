// Docker image references, parsed and normalized as distribution/reference's
// ParseNormalizedNamed does: "busybox" → docker.io/library/busybox, "localhost:5000/x" keeps
// its registry, "index.docker.io/x" → docker.io/library/x. The first path component is a
// registry when it has a '.' or ':', is "localhost", or has an upper-case letter.
//
// A parsed Reference has no default tag: with_default_tag() adds "latest" (TagNameOnly) when
// neither tag nor digest is given.
//
// Thread safety: values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace shoal::runtime::image {

inline constexpr std::string_view kDefaultDomain = "docker.io";
inline constexpr std::string_view kDefaultTag = "latest";

struct Reference {
  std::string domain;  // "docker.io", "127.0.0.1:5000", "[::1]:5000"
  std::string path;    // "library/busybox"
  std::string tag;     // "" when not given
  std::string digest;  // "sha256:<hex>" or "" when not given

  // "docker.io/library/busybox"
  std::string name() const;
  // name()[:tag][@digest]
  std::string string() const;
  // The short form docker prints: "busybox", "127.0.0.1:5000/busybox", "user/app".
  std::string familiar_name() const;
  // familiar_name()[:tag][@digest]
  std::string familiar_string() const;

  bool operator==(const Reference&) const = default;
};

// Parses and normalizes `text`. Errors (kInvalidArgument, Docker's texts):
//   "invalid reference format" for text outside the grammar (empty, bad characters, a tag
//   of more than 128 characters, a malformed digest);
//   "invalid reference format: repository name (<path>) must be lowercase";
//   "invalid repository name (<text>), cannot specify 64-byte hexadecimal strings";
//   "repository name must not be more than 255 characters".
// A digest of another algorithm than sha256 is kUnimplemented.
Result<Reference> parse_reference(std::string_view text);

// `ref` with tag "latest" when it has neither tag nor digest.
Reference with_default_tag(Reference ref);

// The registry host to contact for `domain`: "registry-1.docker.io" for docker.io, the
// domain itself otherwise.
std::string registry_host(std::string_view domain);

}  // namespace shoal::runtime::image
