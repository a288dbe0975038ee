#include "common/cgroups.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>

namespace shoal {

std::vector<std::filesystem::path> cgroup_roots() {
  std::vector<std::filesystem::path> roots;
  std::ifstream mounts("/proc/self/mounts");
  std::string dev, dir, type, rest;
  while (mounts >> dev >> dir >> type && std::getline(mounts, rest)) {
    if (type == "cgroup" || type == "cgroup2") roots.emplace_back(dir);
  }
  return roots;
}

bool remove_container_cgroups(const std::string& id) {
  bool gone = true;
  for (const auto& root : cgroup_roots()) {
    auto dir = root / "shoal" / id;
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) gone = false;
  }
  return gone;
}

}  // namespace shoal
