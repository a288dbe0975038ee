#include "common/image_reference.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "common/pattern.h"

namespace shoal {
namespace {

// distribution/reference/regexp.go (RE2 syntax, as Go's). Groups: 1 name, 2 tag,
// 3 digest.
const Pattern& reference_pattern() {
  static const Pattern re = [] {
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
    return Pattern::must("^(" + name + ")(?::(" + tag + "))?(?:@(" + digest + "))?$");
  }();
  return re;
}

}  // namespace

std::optional<ReferenceMatch> match_reference(std::string_view text) {
  // RE2 needs no bound for safety; no valid reference comes near this one, and refusing
  // longer text early keeps the work per request small.
  if (text.size() > kMaxReferenceLength) return std::nullopt;
  ReferenceMatch m;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), reference_pattern().re2(),
                      &m.name, &m.tag, &m.digest)) {
    return std::nullopt;
  }
  return m;
}

bool is_registry_domain(std::string_view first) {
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
         has_upper(first);
}

bool has_upper(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

bool is_hex_image_id(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace shoal
