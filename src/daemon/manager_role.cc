#include "daemon/manager_role.h"

#include <spdlog/spdlog.h>

#include "manager/allocator/allocator.h"
#include "manager/scheduler/scheduler.h"

namespace shoal::daemon {

ManagerRole::ManagerRole(store::Store& store, const Clock& clock, IdGenerator& ids,
                         agent::Executor& executor, ManagerRoleOptions options)
    : store_(store),
      clock_(clock),
      ids_(ids),
      node_(store, clock, ids, executor,
            manager::dispatcher::LocalNodeOptions{.node_id = options.node_id,
                                                  .addr = options.addr}) {}

ManagerRole::~ManagerRole() { stop(); }

Status ManagerRole::start() {
  SHOAL_RETURN_IF_ERROR(node_.start());
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
  spdlog::info("manager role started");
  return Status::ok();
}

void ManagerRole::stop() {
  if (!started_) return;
  started_ = false;
  if (orchestrators_) orchestrators_->stop();
  for (auto it = loops_.rbegin(); it != loops_.rend(); ++it) (*it)->stop();
  node_.stop();
  orchestrators_.reset();
  loops_.clear();
  reconcilers_.clear();
  spdlog::info("manager role stopped");
}

}  // namespace shoal::daemon
