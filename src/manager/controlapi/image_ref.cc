#include "manager/controlapi/image_ref.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <string>

namespace shoal::manager::controlapi {
namespace {

// distribution/reference/regexp.go, spelled for std::regex (ECMAScript).
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

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

bool is_valid_image_reference(std::string_view image) {
  if (image.empty() || is_hex64(image)) return false;
  // splitDockerDomain: the first component is a domain when it has '.' or ':', is
  // "localhost", or has upper-case letters; otherwise the image is on docker.io.
  std::string_view remainder = image;
  size_t slash = image.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = image.substr(0, slash);
    bool is_domain = first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                     std::any_of(first.begin(), first.end(), [](char c) {
                       return std::isupper(static_cast<unsigned char>(c));
                     });
    if (is_domain) remainder = image.substr(slash + 1);
  }
  std::string_view repository = remainder.substr(0, remainder.find_first_of(":@"));
  if (std::any_of(repository.begin(), repository.end(),
                  [](char c) { return std::isupper(static_cast<unsigned char>(c)); })) {
    return false;  // "repository name must be lowercase"
  }
  std::string text(image);
  std::smatch match;
  if (!std::regex_match(text, match, reference_regex())) return false;
  return match[1].length() <= 255;
}

}  // namespace shoal::manager::controlapi
