#include "scale/control_plane.h"

#include "manager/allocator/allocator.h"
#include "manager/scheduler/scheduler.h"

namespace shoal::scale {

ControlPlane::ControlPlane(store::Store& store, const Clock& clock, IdGenerator& ids,
                           manager::dispatcher::DispatcherOptions dispatcher)
    : store_(store), clock_(clock), ids_(ids), dispatcher_(store, clock, ids, dispatcher) {}

ControlPlane::~ControlPlane() { stop(); }

Status ControlPlane::start() {
  SHOAL_RETURN_IF_ERROR(dispatcher_.start());
  started_ = true;
  reconcilers_.push_back(manager::allocator::make_allocator({store_}));
  reconcilers_.push_back(manager::scheduler::make_scheduler({store_}));
  for (auto& reconciler : reconcilers_) {
    loops_.push_back(std::make_unique<manager::ReconcileLoop>(store_, clock_, *reconciler));
    loops_.back()->start();
  }
  orchestrators_ = std::make_unique<manager::orchestrator::Orchestrators>(
      manager::orchestrator::OrchestratorDeps{store_, clock_, ids_});
  orchestrators_->start();
  return Status::ok();
}

void ControlPlane::stop() {
  if (!started_) return;
  started_ = false;
  if (orchestrators_) orchestrators_->stop();
  for (auto it = loops_.rbegin(); it != loops_.rend(); ++it) (*it)->stop();
  dispatcher_.stop();
  orchestrators_.reset();
  loops_.clear();
  reconcilers_.clear();
}

}  // namespace shoal::scale
