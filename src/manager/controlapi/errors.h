// Errors of the control API in the shapes the docker CLI shows (docker-cli-api.md §14).
//
// swarmkit's control API answers gRPC errors, and moby passes their text through, so a
// user sees e.g. `rpc error: code = InvalidArgument desc = ContainerSpec: image reference
// must be provided`. rpc_error() builds such a Status; its Code still decides the HTTP
// status (common/status.h). Errors that moby itself raises (not-found lookups, the 503
// membership errors, `invalid filter`) carry no prefix.
//
// Thread safety: pure functions.
#pragma once

#include <fmt/format.h>

#include <string_view>

#include "api/swarm.h"
#include "common/status.h"

namespace shoal::manager::controlapi {

// The gRPC code name swarmkit's errors carry for a Code: kInvalidArgument →
// "InvalidArgument", kOutOfSequence → "Unknown" (swarmkit's plain store error), ...
std::string_view grpc_code_name(Code code);

// "rpc error: code = <grpc name> desc = <message>" with `code`.
Status rpc_status(Code code, std::string_view message);

template <typename... Args>
Status rpc_error(Code code, fmt::format_string<Args...> format, Args&&... args) {
  return rpc_status(code, fmt::format(format, std::forward<Args>(args)...));
}

// A store error as swarmkit reports it: kOutOfSequence → `rpc error: code = Unknown desc =
// update out of sequence` (HTTP 500), kAlreadyExists → `rpc error: code = AlreadyExists
// desc = ...`; not-found and ambiguous lookups keep moby's plain text. OK stays OK.
Status from_store(Status status);

// The Docker texts of the membership errors, all kUnavailable (503).
inline constexpr std::string_view kNotInSwarmText =
    "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to "
    "connect this node to swarm and try again.";
inline constexpr std::string_view kWorkerText =
    "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster "
    "state. Please run this command on a manager node or promote the current node to a "
    "manager.";
inline constexpr std::string_view kManagerNotReadyText =
    "This node is not a swarm manager. Manager is being prepared or has trouble connecting to "
    "the cluster.";
inline constexpr std::string_view kLockedText =
    "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker "
    "swarm unlock\" to unlock it.";
inline constexpr std::string_view kAlreadyInSwarmText =
    "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and "
    "join another one.";
inline constexpr std::string_view kNotPartOfSwarmText = "This node is not part of a swarm";

// OK when a node in `state` (manager or not per `is_manager`) can serve cluster calls, i.e.
// it is an active manager; otherwise the kUnavailable error Docker answers in that state
// (moby's errNoManager): not in a swarm, locked, manager not ready, or a worker.
Status manager_state_error(api::LocalNodeState state, bool is_manager);

}  // namespace shoal::manager::controlapi
