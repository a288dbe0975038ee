// ManagerLoops: the manager's reconcilers that work from the store alone — the allocator,
// the scheduler and the orchestrators (with restart supervisor, updater and task reaper) —
// started in data-flow order and stopped in reverse. The daemon's ManagerRole and the
// scale bench's ControlPlane run them beside a dispatcher (started before them, so nodes
// can register before the first placement).
//
// Thread safety: start()/stop() from one thread; stop() is safe twice and joins.
#pragma once

#include <memory>
#include <vector>

#include "common/id.h"
#include "common/time.h"
#include "manager/orchestrator/orchestrator.h"
#include "manager/reconcile_loop.h"
#include "store/store.h"

namespace shoal::manager {

class ManagerLoops {
 public:
  // Every referent must outlive the loops; `clock` must be the store's.
  ManagerLoops(store::Store& store, const Clock& clock, IdGenerator& ids)
      : store_(store), clock_(clock), ids_(ids) {}
  ~ManagerLoops() { stop(); }
  ManagerLoops(const ManagerLoops&) = delete;
  ManagerLoops& operator=(const ManagerLoops&) = delete;

  // Allocator and scheduler loops, then the orchestrators. REQUIRES: not started.
  void start();
  void stop();

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::vector<std::unique_ptr<Reconciler>> reconcilers_;
  std::vector<std::unique_ptr<ReconcileLoop>> loops_;
  std::unique_ptr<orchestrator::Orchestrators> orchestrators_;
};

}  // namespace shoal::manager
