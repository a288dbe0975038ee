// Secrets and configs: create, inspect, list, update (labels only) and remove (Docker's
// /secrets and /configs routes; swarmkit controlapi/secret.go and config.go). The two kinds
// follow the same rules, except that a secret's Data never leaves the store through this
// API (every secret returned has empty Spec.Data), while a config's does.
//
// References are resolved as Docker does (§3.1): exact ID, exact name, unique ID prefix;
// errors kNotFound "<kind> <ref> not found", kInvalidArgument "<kind> <ref> is ambiguous
// (<n> matches found)".
//
// Every function first checks that this node is an active manager (the 503 errors of
// errors.h manager_state_error).
//
// Thread safety: all functions are safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/config.h"
#include "api/secret.h"
#include "common/status.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/filters.h"

namespace shoal::manager::controlapi {

inline constexpr size_t kMaxSecretSize = 500 * 1024;
inline constexpr size_t kMaxConfigSize = 1000 * 1024;
// The one templating driver (Templating.Name) of a secret or config: Go templates.
inline constexpr std::string_view kTemplatingDriver = "golang";

struct SecretFilters {
  std::vector<std::string> names;          // exact names ("names")
  std::vector<std::string> name_prefixes;  // "name"
  std::vector<std::string> id_prefixes;
  LabelFilter labels;
};

// swarmkit validateConfigOrSecretAnnotations. Errors (rpc InvalidArgument): "name must be
// provided"; "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and
// end character must be [a-zA-Z0-9]".
Status validate_secret_or_config_name(std::string_view name);

// Errors: the manager errors; the name errors; rpc InvalidArgument `unrecognized template
// type "X": the templating driver must be "golang"` (Templating.Name); "secret data must be
// larger than 0 and less than 512000 bytes", "secret driver must have a name", a secret
// driver (shoal has no secret driver plugins); rpc AlreadyExists "secret <name> already
// exists".
Result<api::SecretCreateResponse> create_secret(Context& ctx, const api::SecretSpec& spec);
Result<api::Secret> get_secret(const Context& ctx, std::string_view ref);
Result<std::vector<api::Secret>> list_secrets(const Context& ctx, const SecretFilters& filters);
// Only Labels may change: `spec` must keep the name and carry no Data or the same Data.
// Errors: the manager and lookup errors; rpc InvalidArgument "only updates to Labels are
// allowed"; rpc Unknown "update out of sequence".
Status update_secret(Context& ctx, std::string_view ref, uint64_t version,
                     const api::SecretSpec& spec);
// Errors: the manager and lookup errors; rpc InvalidArgument "secret '<name>' is in use by
// the following service: <a>" (or "services: a, b").
Status remove_secret(Context& ctx, std::string_view ref);

struct ConfigFilters {
  std::vector<std::string> name_prefixes;
  std::vector<std::string> id_prefixes;
  LabelFilter labels;
};

// As the secret functions, with "config" in the texts, 1024000 bytes, and Data returned.
Result<api::ConfigCreateResponse> create_config(Context& ctx, const api::ConfigSpec& spec);
Result<api::Config> get_config(const Context& ctx, std::string_view ref);
Result<std::vector<api::Config>> list_configs(const Context& ctx, const ConfigFilters& filters);
Status update_config(Context& ctx, std::string_view ref, uint64_t version,
                     const api::ConfigSpec& spec);
Status remove_config(Context& ctx, std::string_view ref);

}  // namespace shoal::manager::controlapi
