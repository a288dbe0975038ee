#include "runtime/image/reference.h"

#include "common/image_reference.h"
#include "runtime/image/digest.h"

namespace shoal::runtime::image {
namespace {

constexpr std::string_view kLibrary = "library/";

}  // namespace

std::string Reference::name() const { return domain + "/" + path; }

std::string Reference::string() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string Reference::familiar_name() const {
  if (domain != kDefaultDomain) return name();
  std::string_view p = path;
  if (p.starts_with(kLibrary) && p.find('/', kLibrary.size()) == std::string_view::npos) {
    p.remove_prefix(kLibrary.size());
  }
  return std::string(p);
}

std::string Reference::familiar_string() const {
  std::string out = familiar_name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<Reference> parse_reference(std::string_view text) {
  if (is_hex_image_id(text)) {
    return error(Code::kInvalidArgument,
                 "invalid repository name ({}), cannot specify 64-byte hexadecimal strings", text);
  }
  Reference ref;
  std::string_view remainder = text;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view first = text.substr(0, slash);
    if (is_registry_domain(first)) {
      ref.domain = std::string(first);
      remainder = text.substr(slash + 1);
    }
  }
  if (ref.domain.empty() || ref.domain == "index.docker.io") ref.domain = kDefaultDomain;
  std::string_view repository = remainder.substr(0, remainder.find_first_of(":@"));
  if (has_upper(repository)) {
    return error(Code::kInvalidArgument,
                 "invalid reference format: repository name ({}) must be lowercase", repository);
  }
  std::string full = ref.domain + "/";
  if (ref.domain == kDefaultDomain && remainder.find('/') == std::string_view::npos &&
      !repository.empty()) {
    full += kLibrary;
  }
  full += remainder;
  auto match = match_reference(full);
  if (!match) return Status(Code::kInvalidArgument, "invalid reference format");
  if (match->name.size() > 255) {
    return Status(Code::kInvalidArgument, "repository name must not be more than 255 characters");
  }
  ref.path = match->name.substr(ref.domain.size() + 1);
  ref.tag = std::move(match->tag);
  ref.digest = std::move(match->digest);
  if (!ref.digest.empty()) {
    SHOAL_ASSIGN_OR_RETURN(std::string hex, digest_hex(ref.digest));
    (void)hex;
  }
  return ref;
}

Reference with_default_tag(Reference ref) {
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = kDefaultTag;
  return ref;
}

std::string registry_host(std::string_view domain) {
  if (domain == kDefaultDomain) return "registry-1.docker.io";
  return std::string(domain);
}

}  // namespace shoal::runtime::image
