#include "daemon/executor_factory.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "agent/executors.h"
#include "network/node_network.h"
#include "runtime/runc_executor.h"

namespace shoal::daemon {

std::vector<std::string_view> daemon_executor_names() { return {"runc", "hollow"}; }

Result<DaemonExecutor> make_daemon_executor(const ExecutorSettings& s) {
  DaemonExecutor made;
  if (s.name == "runc") {
    SHOAL_ASSIGN_OR_RETURN(made.network, network::make_node_network({.data_dir = s.data_dir}));
    runtime::RuncExecutorOptions options;
    options.data_dir = s.data_dir;
    options.oci_runtime = s.oci_runtime;
    options.monitor_binary = s.monitor_binary;
    options.images = s.images;
    options.network = made.network.get();
    SHOAL_ASSIGN_OR_RETURN(auto executor, runtime::RuncExecutor::create(std::move(options)));
    made.containers = executor.get();
    made.executor = std::move(executor);
    return made;
  }
  if (s.name == "hollow") {  // hollow tasks need no network
    SHOAL_ASSIGN_OR_RETURN(made.executor, agent::make_executor(s.name));
    return made;
  }
  return error(Code::kInvalidArgument, "unknown executor {} (known: {})", s.name,
               fmt::join(daemon_executor_names(), ", "));
}

}  // namespace shoal::daemon
