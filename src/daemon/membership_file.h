// MembershipFile: what a node remembers about its swarm membership across restarts, kept
// in <data-dir>/swarm.json (mode 0600): the node and cluster IDs, its role and addresses,
// the autolock unlock key, and a worker's managers. The cluster state itself lives in the store;
// this file only says which node of it this daemon is.
//
// Writes are atomic (temporary file, fsync, rename), so a crash leaves the old or the new
// file, never a torn one.
//
// Thread safety: free functions; callers serialise writes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "manager/controlapi/local_node.h"

namespace shoal::daemon {

struct SavedMembership {
  manager::controlapi::Membership membership;
  // "" when autolock is off.
  std::string unlock_key;
  // A worker's managers ("host:port", the join request's RemoteAddrs); empty on a manager.
  std::vector<std::string> manager_addrs;
};

// The membership saved in `data_dir`, or nullopt when there is none.
// Errors: kInternal for a file that cannot be read or parsed (named in the message).
Result<std::optional<SavedMembership>> load_membership(const std::string& data_dir);

// Replaces the saved membership. Errors: kInternal naming the file and the system error.
Status save_membership(const std::string& data_dir, const SavedMembership& saved);

// Forgets the membership. Idempotent. Errors: kInternal when the file exists and cannot go.
Status remove_membership(const std::string& data_dir);

// Writes `content` to `path` atomically with `mode`. Errors: kInternal.
Status write_file_atomically(const std::string& path, const std::string& content, int mode);

// The daemon's own ID (Docker's Info.ID), created in <data-dir>/engine-id on first use.
// Errors: kInternal.
Result<std::string> load_or_create_engine_id(const std::string& data_dir, const std::string& fresh);

}  // namespace shoal::daemon
