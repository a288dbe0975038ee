// What the orchestrator's loops read from a store snapshot before they plan.
//
// Thread safety: as ReadTxn (the caller's snapshot).
#pragma once

#include "manager/orchestrator/inputs.h"
#include "store/store.h"

namespace shoal::manager::orchestrator {

// Every node of the snapshot, by ID.
NodeMap all_nodes(const store::ReadTxn& snapshot);

}  // namespace shoal::manager::orchestrator
