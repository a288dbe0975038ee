// GET /info: the daemon-wide facts `docker info` prints, with the swarm section from the
// control API (controlapi/info.h). Shaped as moby's types.Info of API 1.41, so the docker
// CLI prints it cleanly: the capability flags its legacy (API < 1.42) warnings read are
// set from the host where shoal uses them.
//
// Thread safety: pure functions, plus host_facts() which reads /proc, /sys and /etc.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/swarm.h"
#include "common/time.h"

namespace shoal::http::engine {

// What the host and the node process say about themselves.
struct HostFacts {
  std::string id;                // the daemon's ID (LocalNode::engine_id)
  std::string name;              // hostname
  std::string server_version;    // shoal's version
  std::string kernel_version;    // uname -r
  std::string operating_system;  // /etc/os-release PRETTY_NAME
  std::string os_version;        // /etc/os-release VERSION_ID
  std::string architecture;      // uname -m ("x86_64")
  int64_t ncpu = 0;
  int64_t mem_total = 0;
  std::string root_dir;        // the data directory
  std::string cgroup_version;  // "2" or "1"
  bool ipv4_forwarding = false;
  int64_t containers = 0;
  int64_t containers_running = 0;
  int64_t containers_stopped = 0;
  Timestamp now;
};

// Reads uname, /etc/os-release, the cgroup layout and net.ipv4.ip_forward into `facts`
// (fields the caller set are kept when the host has nothing better).
void read_host_facts(HostFacts& facts);

// The /info body.
nlohmann::ordered_json info_body(const HostFacts& facts, const api::Info& swarm);

}  // namespace shoal::http::engine
