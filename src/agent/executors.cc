#include "agent/executors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "agent/hollow/hollow_executor.h"

namespace shoal::agent {

std::vector<std::string_view> executor_names() { return {"hollow"}; }

Result<std::unique_ptr<Executor>> make_executor(std::string_view name) {
  if (name == "hollow") {
    return std::unique_ptr<Executor>(std::make_unique<hollow::HollowExecutor>());
  }
  return error(Code::kInvalidArgument, "unknown executor {} (known: {})", name,
               fmt::join(executor_names(), ", "));
}

}  // namespace shoal::agent
