// Where runc puts a shoal container's cgroups (/shoal/<container ID> under every cgroup v1
// hierarchy and the v2 mount), and their removal once the container's processes are gone.
// Used by the runc executor after `runc delete`, and by the netns provider for containers
// that died with their machine.
//
// Thread safety: functions; concurrent calls for different IDs are safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace shoal {

// The mount points of every cgroup v1 hierarchy and of the cgroup v2 mount.
std::vector<std::filesystem::path> cgroup_roots();

// Removes /shoal/<id> under every root. Returns whether none is left (a cgroup that still
// holds a process cannot be removed).
bool remove_container_cgroups(const std::string& id);

}  // namespace shoal
