// commit_plan: applies a Plan (plan.h) to the store.
//
// Order: the service update first (one transaction); then the task units through
// Store::batch, each unit atomic, many units per datastore commit. A unit is refused with
// kOutOfSequence when the service changed since the snapshot the plan was made from (so no
// task is ever created from a stale spec), or when a task it updates or deletes changed
// (Version.Index). Refused units leave nothing behind; the others still commit.
//
// Thread safety: as Store; call with no ReadTxn held by this thread.
#pragma once

#include <cstddef>

#include "common/status.h"
#include "manager/orchestrator/plan.h"
#include "store/store.h"

namespace shoal::manager::orchestrator {

struct CommitOutcome {
  size_t committed = 0;  // units (and the service update) applied
  size_t conflicts = 0;  // refused because the store changed: plan again from a snapshot
  Status error;          // the first other failure (the store closed, a datastore error)

  // Nothing was lost: every change is in the store.
  bool complete() const { return conflicts == 0 && error.is_ok(); }
};

CommitOutcome commit_plan(store::Store& store, const Plan& plan);

}  // namespace shoal::manager::orchestrator
