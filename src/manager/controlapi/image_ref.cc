#include "manager/controlapi/image_ref.h"

#include "common/image_reference.h"

namespace shoal::manager::controlapi {

bool is_valid_image_reference(std::string_view image) {
  if (image.empty() || is_hex_image_id(image)) return false;
  std::string_view remainder = image;
  if (size_t slash = image.find('/'); slash != std::string_view::npos) {
    if (is_registry_domain(image.substr(0, slash))) remainder = image.substr(slash + 1);
  }
  if (has_upper(remainder.substr(0, remainder.find_first_of(":@")))) {
    return false;  // "repository name must be lowercase"
  }
  auto match = match_reference(image);
  return match && match->name.size() <= 255;
}

}  // namespace shoal::manager::controlapi
