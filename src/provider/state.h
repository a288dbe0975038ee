// ClusterState: what a cluster is and what was made for it, kept on disk as
// <state-dir>/state.json (default state dir /var/lib/shoal/clusters/<name>/).
//
// Invariant: every host object (bridge, nft table, namespace, veth, dir, mount, pid) is
// appended to `made` and the file saved BEFORE the object is created, so the file
// always names a superset of what exists; cleanup (cleanup.h) tolerates absent objects.
//
// Thread safety: values; save/load are not safe against a concurrent writer of the
// same file (one CLI per cluster).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace shoal::provider {

enum class ResourceKind { kNftTable, kBridge, kNetns, kVeth, kDir, kMount, kPid };

const char* kind_name(ResourceKind kind);

struct Resource {
  ResourceKind kind = ResourceKind::kDir;
  std::string name;     // table/link/namespace name, path, or pid as decimal text
  std::string machine;  // owning machine; empty for the cluster's shared parts
  bool operator==(const Resource&) const = default;
};

struct MachineState {
  std::string name;
  std::string ip;
  std::string role;  // "manager" | "worker"
  std::string data_dir;
  std::string socket;
  bool operator==(const MachineState&) const = default;
};

struct ClusterState {
  std::string name;
  std::string provider;
  std::string subnet;  // "10.213.4.0/24"
  std::string bridge;
  std::string executor = "runc";
  std::vector<MachineState> machines;
  std::vector<Resource> made;  // in order of making
  bool operator==(const ClusterState&) const = default;
};

std::string to_json(const ClusterState& state);
// kInvalidArgument on malformed text.
Result<ClusterState> from_json(const std::string& text);

// Writes <dir>/state.json atomically (temp file + fsync + rename), creating dir.
// kInternal with the path and errno text on failure.
Status save_state(const std::string& dir, const ClusterState& state);
// kNotFound when <dir>/state.json does not exist; kInvalidArgument when malformed.
Result<ClusterState> load_state(const std::string& dir);

}  // namespace shoal::provider
