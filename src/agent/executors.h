// The executors a daemon can run tasks with, by name (`shoal daemon --executor=<name>`).
//
//   hollow   no containers: tasks walk their lifecycle instantly (hollow/hollow_executor.h)
// The runc executor joins this list when it exists.
//
// Thread safety: a free function.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "agent/executor.h"
#include "common/status.h"

namespace shoal::agent {

// The names make_executor() knows.
std::vector<std::string_view> executor_names();

// A new executor called `name`. Errors: kInvalidArgument "unknown executor <name> (known:
// hollow)".
Result<std::unique_ptr<Executor>> make_executor(std::string_view name);

}  // namespace shoal::agent
