#include "api/task_spec.h"

namespace shoal::api {

const std::shared_ptr<const TaskSpec>& TaskSpec::empty() {
  static const auto* const spec =
      new std::shared_ptr<const TaskSpec>(std::make_shared<const TaskSpec>());
  return *spec;
}

}  // namespace shoal::api
