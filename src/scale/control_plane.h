// ControlPlane: a manager's parts in process, without an agent of its own — the dispatcher,
// the allocator, the scheduler, the orchestrators (with restart supervisor, updater and
// task reaper) — over a store: what a dedicated manager node runs. The daemon's
// ManagerRole (src/daemon) runs the same parts plus the local agent.
//
// start() brings them up in data-flow order (dispatcher first, so nodes can register
// before the first placement); stop() takes them down in reverse.
//
// Thread safety: start()/stop() from one thread; stop() is safe twice and joins.
#pragma once

#include <memory>
#include <vector>

#include "common/id.h"
#include "common/status.h"
#include "common/time.h"
#include "manager/dispatcher/dispatcher.h"
#include "manager/manager_loops.h"
#include "store/store.h"

namespace shoal::scale {

class ControlPlane {
 public:
  // Every referent must outlive the control plane; `clock` must be the store's.
  ControlPlane(store::Store& store, const Clock& clock, IdGenerator& ids,
               manager::dispatcher::DispatcherOptions dispatcher = {});
  ~ControlPlane();  // stop()
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // Errors: the dispatcher's start error (nothing left running). REQUIRES: not started.
  Status start();
  void stop();

  manager::dispatcher::Dispatcher& dispatcher() { return dispatcher_; }

 private:
  manager::dispatcher::Dispatcher dispatcher_;
  manager::ManagerLoops loops_;
  bool started_ = false;
};

}  // namespace shoal::scale
