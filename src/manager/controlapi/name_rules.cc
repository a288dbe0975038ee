#include "manager/controlapi/name_rules.h"

#include "common/pattern.h"
#include "manager/controlapi/errors.h"

namespace shoal::manager::controlapi {

Status validate_dns_name(std::string_view name) {
  static const Pattern dns_name = Pattern::must("^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$");
  if (name.empty()) return rpc_status(Code::kInvalidArgument, "meta: name must be provided");
  if (!dns_name.full_match(name)) {
    return rpc_status(Code::kInvalidArgument, "name must be valid as a DNS name component");
  }
  if (name.size() > 63) {
    return rpc_status(Code::kInvalidArgument, "name must be 63 characters or fewer");
  }
  return Status::ok();
}

}  // namespace shoal::manager::controlapi
