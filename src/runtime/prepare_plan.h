// The decisions of preparing a task (prepare.cc), apart from the writes: what its task.json
// starts as, its identity files (hostname, hosts, resolv.conf) and its container's labels.
// Pure functions of the task, its expanded spec, its image and its sandbox; prepare.cc makes
// the dirs, mounts and files they describe.
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "api/task.h"
#include "common/time.h"
#include "network/attacher.h"
#include "runtime/image/image.h"
#include "runtime/task_meta.h"

namespace shoal::runtime {

// task.json before anything is made: IDs, image, stop signal and grace period (the spec's,
// else the image's), the healthcheck (spec over image), Prepared false.
TaskMeta plan_task_meta(const api::Task& task, const api::ContainerSpec& spec,
                        const image::Image& image, bool network_attached, Timestamp created);

// The files a container's identity is bind-mounted from.
struct IdentityFiles {
  std::string hostname;  // without the newline the file ends with
  std::string hosts;
  std::string resolv_conf;
};

// The spec's hostname, else the sandbox's, else the task ID's first 12 characters; the
// sandbox's hosts file (which already holds ContainerSpec.Hosts) or a default one; the
// sandbox's resolv.conf (else `host_resolv_conf`) with the spec's DNSConfig applied.
IdentityFiles plan_identity_files(const api::Task& task, const api::ContainerSpec& spec,
                                  const network::Sandbox& sandbox,
                                  std::string_view host_resolv_conf);

// The swarm labels Docker puts on a task's container, over the spec's labels.
std::map<std::string, std::string> container_labels(const api::Task& task);

}  // namespace shoal::runtime
