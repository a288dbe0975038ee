// Sorting many tasks, fast: the orders the scheduler, the allocator and the control API's
// task list put hundreds of thousands of tasks in.
//
// Comparing tasks through their shared pointers costs a cache miss and a string compare
// per comparison (1,000,000 tasks: ~20 compares each). These sorts read each task once to
// build integer keys — a service ordinal, the slot, an 8-byte prefix of the ID — sort the
// keys, and look at the strings only to break ties between equal prefixes. The results are
// exactly the orders the comparisons name.
//
// Thread safety: pure functions.
#pragma once

#include <memory>
#include <vector>

#include "api/task.h"

namespace shoal::manager {

// By (ServiceID, Slot, ID), each ascending.
void sort_by_service_slot_id(std::vector<std::shared_ptr<const api::Task>>& tasks);

// By ID, ascending.
void sort_by_id(std::vector<std::shared_ptr<const api::Task>>& tasks);

}  // namespace shoal::manager
