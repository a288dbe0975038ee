// The executors a daemon can run tasks with (`shoal daemon --executor=<name>`):
//
//   runc     real containers through an OCI runtime and shoal-monitor (the default;
//            runtime/runc_executor.h)
//   hollow   no containers: tasks walk their lifecycle at once (agent/hollow/)
//
// The choice lives here, not in src/agent: the agent module cannot depend on the runtime
// (agent/executors.h still builds the executors the agent has on its own, i.e. hollow).
// What an executor brings with it comes back with it, so that the daemon needs to know no
// executor by name or type: the runc executor's node network (network/node_network.h,
// namespaces under <data-dir>/netns) and its NodeContainers (the node-local routes).
//
// Thread safety: free functions.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/executor.h"
#include "common/status.h"
#include "network/attacher.h"

namespace shoal::runtime {
class NodeContainers;
}
namespace shoal::runtime::image {
class ImageSource;
}

namespace shoal::daemon {

struct ExecutorSettings {
  std::string name = "runc";
  std::filesystem::path data_dir;
  std::string oci_runtime = "runc";               // --oci-runtime: a name in PATH or a path
  std::string monitor_binary;                     // empty: shoal-monitor next to the shoal binary
  runtime::image::ImageSource* images = nullptr;  // required for runc
};

// An executor and what it brings. Destroy `executor` before `network` (the executor's
// controllers detach from it).
struct DaemonExecutor {
  std::unique_ptr<network::Attacher> network;  // null: tasks get no network (hollow)
  std::unique_ptr<agent::Executor> executor;
  runtime::NodeContainers* containers = nullptr;  // the executor's; null: it has none
};

// "runc", "hollow".
std::vector<std::string_view> daemon_executor_names();

// Errors: kInvalidArgument "unknown executor <name> (known: runc, hollow)"; the node
// network's errors; the runc executor's own errors (a missing OCI runtime or monitor binary).
Result<DaemonExecutor> make_daemon_executor(const ExecutorSettings& settings);

}  // namespace shoal::daemon
