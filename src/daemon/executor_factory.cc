#include "daemon/executor_factory.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "agent/executors.h"
#include "runtime/runc_executor.h"

namespace shoal::daemon {

std::vector<std::string_view> daemon_executor_names() { return {"runc", "hollow"}; }

Result<std::unique_ptr<agent::Executor>> make_daemon_executor(const ExecutorSettings& s) {
  if (s.name == "runc") {
    runtime::RuncExecutorOptions options;
    options.data_dir = s.data_dir;
    options.oci_runtime = s.oci_runtime;
    options.monitor_binary = s.monitor_binary;
    options.images = s.images;
    options.network = s.network;
    SHOAL_ASSIGN_OR_RETURN(auto executor, runtime::RuncExecutor::create(std::move(options)));
    return std::unique_ptr<agent::Executor>(std::move(executor));
  }
  if (s.name == "hollow") return agent::make_executor(s.name);
  return error(Code::kInvalidArgument, "unknown executor {} (known: {})", s.name,
               fmt::join(daemon_executor_names(), ", "));
}

}  // namespace shoal::daemon
