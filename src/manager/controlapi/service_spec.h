// Service specs before they are stored: the defaults and spellings moby's conversion
// gives them (normalize_service_spec), swarmkit's validation (validate_service_spec), and
// the defaults `GET /services/{id}?insertDefaults=true` shows (insert_defaults). All pure.
//
// A stored spec is always normalized, so the orchestrators read one spelling of each
// setting (Replicas set, Runtime "container", an UpdateConfig's FailureAction and Order
// set, ...), and a spec read back and sent again (what `docker service update` does)
// normalizes to itself.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "api/service.h"
#include "common/status.h"
#include "manager/controlapi/context.h"

namespace shoal::manager::controlapi {

enum class ModeKind { kReplicated, kGlobal, kReplicatedJob, kGlobalJob };

// The spec's mode. REQUIRES: a normalized spec (exactly one mode set).
ModeKind mode_kind(const api::ServiceSpec& spec);
// "replicated", "global", "replicated-job", "global-job" (the `mode` list filter's values).
std::string_view mode_name(ModeKind kind);
bool is_job(const api::ServiceSpec& spec);

// What moby's ServiceSpecToGRPC/FromGRPC round trip does to a request:
//   - Name "" → a generated name (names.h, drawn with `random`);
//   - Mode: none → Replicated{1}; Replicated without Replicas → 1; ReplicatedJob:
//     MaxConcurrent default 1, TotalCompletions default MaxConcurrent;
//   - TaskTemplate.Runtime "" → "container"; ContainerSpec.Isolation "" → "default";
//   - RestartPolicy: Condition "" → "any", MaxAttempts unset → 0;
//   - UpdateConfig/RollbackConfig: FailureAction "" → "pause", Order "" → "stop-first";
//   - EndpointSpec: Mode "" → "vip"; each port's Protocol "" → "tcp", PublishMode "" →
//     "ingress".
// Errors (kInvalidArgument, moby's plain texts): "must specify only one service mode";
// "mismatched Runtime and *Spec fields" (container runtime without ContainerSpec);
// "unsupported runtime" (plugin and attachment runtimes).
Result<api::ServiceSpec> normalize_service_spec(api::ServiceSpec spec, const RandomBytes& random);

// swarmkit's validateServiceSpec, on a normalized spec. Errors (kInvalidArgument unless
// said otherwise; texts prefixed "rpc error: code = InvalidArgument desc = "):
//   name: "name must be valid as a DNS name component", "name must be 63 characters or
//     fewer";
//   resources: "invalid cpu value 0.0001: Must be at least 0.001", "invalid memory value N:
//     Must be at least 4MiB";
//   restart: "TaskSpec: restart-delay cannot be negative", "TaskSpec: restart-window cannot
//     be negative";
//   placement: the constraint parser's texts (manager/constraint.h);
//   secret/config references: "malformed secret reference", "malformed file secret
//     reference, invalid target file name provided", "secret references 'a' and 'b' have a
//     conflicting target: 'f'" (and the config equivalents);
//   container: "ContainerSpec: image reference must be provided", `ContainerSpec: "<img>" is
//     not a valid repository/tag`, "ContainerSpec: duplicate mount point: <target>", the
//     HealthConfig minimum-duration and negative-retries texts, "ContainerSpec:
//     StopGracePeriod cannot be negative" (shoal's: Docker's CLI refuses one before sending);
//   mounts (plain texts of Docker's worker, task_validate.h): "invalid mount target, must be
//     an absolute path: <t>", "invalid bind mount source, must be an absolute path: <s>",
//     "invalid volume mount source, must not be an absolute path: <s>", "invalid tmpfs
//     source, source must be empty", `invalid MountType: ""`;
//   mode: "Number of replicas must be non-negative", "Maximum concurrent jobs must not be
//     negative", "Total completed jobs must not be negative" (counts past INT64_MAX, which
//     swarmkit reads as negative);
//   jobs: "Jobs may not have an update config"; others: "TaskSpec: update-delay cannot be
//     negative", "TaskSpec: update-monitor cannot be negative", "TaskSpec:
//     update-maxfailureratio cannot be less than 0 or bigger than 1";
//   endpoint: "EndpointSpec: port published with ingress mode can't be used with dnsrr
//     mode", "EndpointSpec: duplicate published ports provided".
// Unknown spellings of RestartPolicy.Condition, FailureAction, Order, EndpointSpec.Mode and
// mount types never get here: reading the request refuses them in moby's words
// (`invalid RestartCondition: "bogus"`, api/json/enum_errors.h).
Status validate_service_spec(const api::ServiceSpec& spec);

// swarmkit's InterpolateService: the spec with every unset setting shown at its default
// (StopGracePeriod 10 s, DNSConfig {}, Resources {}, RestartPolicy {any, 5 s} or just its
// Delay, Placement {}, UpdateConfig and RollbackConfig {1, pause, 5 s, stop-first} or just
// their Monitor).
api::ServiceSpec insert_defaults(api::ServiceSpec spec);

// True when the spec publishes a port through the routing mesh (needs `ingress`).
bool needs_ingress(const api::ServiceSpec& spec);

}  // namespace shoal::manager::controlapi
