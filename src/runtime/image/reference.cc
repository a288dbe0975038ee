#include "runtime/image/reference.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "runtime/image/digest.h"

namespace shoal::runtime::image {
namespace {

// distribution/reference/regexp.go, spelled for std::regex (ECMAScript). Groups: 1 name,
// 2 tag, 3 digest.
const std::regex& reference_regex() {
  static const std::regex re = [] {
    const std::string path_component = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    const std::string domain_component = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    const std::string domain_name = domain_component + "(?:\\." + domain_component + ")*";
    const std::string ipv6 = "\\[(?:[a-fA-F0-9:]+)\\]";
    const std::string domain = "(?:" + domain_name + "|" + ipv6 + ")(?::[0-9]+)?";
    const std::string name =
        "(?:" + domain + "/)?" + path_component + "(?:/" + path_component + ")*";
    const std::string tag = "[\\w][\\w.-]{0,127}";
    const std::string digest =
        "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    return std::regex("^(" + name + ")(?::(" + tag + "))?(?:@(" + digest + "))?$");
  }();
  return re;
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && is_hex_prefix(s);
}

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
  if (is_hex64(text)) {
    return error(Code::kInvalidArgument,
                 "invalid repository name ({}), cannot specify 64-byte hexadecimal strings", text);
  }
  // splitDockerDomain
  Reference ref;
  std::string_view remainder = text;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = text.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
        has_upper(first)) {
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
  std::smatch m;
  if (!std::regex_match(full, m, reference_regex())) {
    return Status(Code::kInvalidArgument, "invalid reference format");
  }
  std::string name = m[1].str();
  if (name.size() > 255) {
    return Status(Code::kInvalidArgument, "repository name must not be more than 255 characters");
  }
  ref.path = name.substr(ref.domain.size() + 1);
  ref.tag = m[2].str();
  ref.digest = m[3].str();
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
