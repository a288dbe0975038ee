// The name rule services and networks share (swarmkit's validateAnnotations): a name must
// be usable as a DNS name component, since it becomes one in service discovery.
//
// Thread safety: pure function.
#pragma once

#include <string_view>

#include "common/status.h"

namespace shoal::manager::controlapi {

// OK for a non-empty name of at most 63 characters that starts with a letter or digit
// and ends with one, with letters, digits, '-' and '_' between. Errors (kInvalidArgument,
// swarmkit's texts): "meta: name must be provided", "name must be valid as a DNS name
// component", "name must be 63 characters or fewer".
Status validate_dns_name(std::string_view name);

}  // namespace shoal::manager::controlapi
