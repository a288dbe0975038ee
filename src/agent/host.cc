#include "agent/host.h"

#include <limits.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shoal/version.h"

namespace shoal::agent {

Result<api::NodeDescription> describe_host() {
  api::NodeDescription description;
  char hostname[HOST_NAME_MAX + 1] = {};
  if (gethostname(hostname, sizeof(hostname) - 1) != 0) {
    return error(Code::kInternal, "cannot read the hostname: {}", std::strerror(errno));
  }
  description.Hostname = hostname;

  struct utsname uts {};
  if (uname(&uts) != 0) {
    return error(Code::kInternal, "cannot read the platform: {}", std::strerror(errno));
  }
  description.Platform.Architecture = uts.machine;
  description.Platform.OS = "linux";

  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus <= 0) return error(Code::kInternal, "cannot count the processors");
  description.Resources.NanoCPUs = static_cast<int64_t>(cpus) * 1'000'000'000;
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) {
    description.Resources.MemoryBytes = static_cast<int64_t>(pages) * page_size;
  }

  description.Engine.EngineVersion = kVersion;
  return description;
}

}  // namespace shoal::agent
