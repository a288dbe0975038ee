#include "manager/manager_loops.h"

#include "manager/allocator/allocator.h"
#include "manager/scheduler/scheduler.h"

namespace shoal::manager {

void ManagerLoops::start() {
  reconcilers_.push_back(allocator::make_allocator({store_}));
  reconcilers_.push_back(scheduler::make_scheduler({store_}));
  for (auto& reconciler : reconcilers_) {
    loops_.push_back(std::make_unique<ReconcileLoop>(store_, clock_, *reconciler));
    loops_.back()->start();
  }
  orchestrators_ = std::make_unique<orchestrator::Orchestrators>(
      orchestrator::OrchestratorDeps{store_, clock_, ids_});
  orchestrators_->start();
}

void ManagerLoops::stop() {
  if (orchestrators_) orchestrators_->stop();
  for (auto it = loops_.rbegin(); it != loops_.rend(); ++it) (*it)->stop();
  orchestrators_.reset();
  loops_.clear();
  reconcilers_.clear();
}

}  // namespace shoal::manager
