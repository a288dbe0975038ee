// Services: create, inspect, update (and manual rollback), remove, list (Docker's
// /services routes; moby daemon/cluster/services.go over swarmkit controlapi/service.go).
//
// The control API writes only the service (and, on remove, its tasks' DesiredState); the
// orchestrators create and replace tasks, the allocator fills Service.Endpoint
// (docs/control-plane.md). A stored spec is normalized (service_spec.h) and its network
// targets are full network IDs.
//
// References are resolved as Docker does (§3.1): exact ID, exact name, unique ID prefix;
// errors kNotFound "service <ref> not found", kInvalidArgument "service <ref> is ambiguous
// (<n> matches found)".
//
// Every function first checks that this node is an active manager (the 503 errors of
// errors.h manager_state_error).
//
// Thread safety: all functions are safe to call concurrently; each write is one store
// transaction, and on any error nothing changes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/service.h"
#include "common/status.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/filters.h"
#include "manager/controlapi/internal_fields.h"
#include "store/txn.h"

namespace shoal::manager::controlapi {

struct ServiceFilters {
  std::vector<std::string> names;  // prefixes of Spec.Name
  std::vector<std::string> id_prefixes;
  LabelFilter labels;                 // Spec.Labels
  std::vector<std::string> modes;     // replicated | global | replicated-job | global-job
  std::vector<std::string> runtimes;  // "container" matches every shoal service
};

bool service_matches(const api::Service& service, const ServiceFilters& filters);

// Creates a service from `spec` (normalized and validated first; service_spec.h) and
// returns its ID. Jobs start with JobStatus{JobIteration 0, LastExecution now}.
// Errors: the manager errors; normalize/validate errors; in the transaction:
//   kNotFound "network <target> not found" (TaskTemplate.Networks resolved by ID, name or
//   ID prefix to the full ID; ambiguous → kInvalidArgument);
//   kInvalidArgument `rpc error: code = InvalidArgument desc = Service cannot be explicitly
//   attached to the ingress network "ingress"`;
//   kInvalidArgument "... port '<p>' is already in use by service '<name>' (<id>) as an
//   ingress port" (or "as a host-published port");
//   kInvalidArgument "... secret not found: a" / "secrets not found: a, b" (and configs);
//   kFailedPrecondition "... service needs ingress network, but no ingress network is
//   present";
//   kAlreadyExists "rpc error: code = AlreadyExists desc = name conflicts with an existing
//   object: service <name> already exists".
// `registry_auth` (X-Registry-Auth of --with-registry-auth) is kept with the spec (any
// RegistryAuth in `spec` is ignored).
Result<api::ServiceCreateResponse> create_service(Context& ctx, api::ServiceSpec spec,
                                                  std::string registry_auth = {});

// The service (without registry credentials, as every answer here); with `insert_defaults`
// its spec shows every default (insert_defaults()).
// Errors: the manager and lookup errors.
Result<api::Service> get_service(const Context& ctx, std::string_view ref, bool insert_defaults);

// Updates the service `ref` at `version` (swarmkit UpdateService):
//   - plain update: PreviousSpec = the current spec, Spec = `spec`, UpdateStatus cleared;
//   - `rollback_previous`: Spec and PreviousSpec swap (the request's spec is validated but
//     not used), UpdateStatus = {rollback_started, "manually requested rollback", now};
//   - jobs: JobStatus.JobIteration.Index + 1, LastExecution = now (both cases).
// Errors: as create (except the name conflict), plus kOutOfSequence "rpc error: code =
// Unknown desc = update out of sequence"; kUnimplemented "... service mode change is not
// allowed", "... renaming services is not supported", "... networks must be migrated to
// TaskSpec before being changed"; kFailedPrecondition "rpc error: code = FailedPrecondition
// desc = service <id> does not have a previous spec".
// The new spec's registry credentials come from `auth` (by default the current spec's).
Result<api::ServiceUpdateResponse> update_service(Context& ctx, std::string_view ref,
                                                  uint64_t version, api::ServiceSpec spec,
                                                  bool rollback_previous,
                                                  const RegistryAuthSource& auth = {});

// Deletes the service and, in the same transaction, moves its tasks' DesiredState to
// `remove` (the task reaper deletes them once they stopped). Errors: the manager and lookup
// errors.
Status remove_service(Context& ctx, std::string_view ref);

// The services passing `filters`, by ID. With `with_status`, each carries ServiceStatus
// (service_status()). Errors: the manager errors.
Result<std::vector<std::shared_ptr<const api::Service>>> list_services(
    const Context& ctx, const ServiceFilters& filters, bool with_status);

// swarmkit ListServiceStatuses for one service: Desired = Replicas (replicated),
// MaxConcurrent (replicated job), or the tasks desired running plus those desired complete
// but not complete (global, global job); Running = tasks in state running; Completed (jobs)
// = tasks in state complete. Jobs count only tasks of the current JobIteration.
api::ServiceStatus service_status(const store::ReadTxn& tx, const api::Service& service);

}  // namespace shoal::manager::controlapi
