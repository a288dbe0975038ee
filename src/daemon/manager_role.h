// ManagerRole: everything a swarm member runs while this daemon is in a swarm — the
// manager's reconcilers (allocator, scheduler, orchestrators with the restart supervisor,
// updater and task reaper), the dispatcher, and this node's agent driving the executor
// through the in-process dispatcher client (a single-node cluster is manager and worker).
//
// start() brings them up in data-flow order (dispatcher and agent first, so the node is
// READY before the first placement; then allocator, scheduler, orchestrators); stop()
// takes them down in reverse. Running tasks survive stop(): the executor adopts them on
// the next start().
//
// REQUIRES before start(): the store holds the cluster and this node's Node object.
// Thread safety: start()/stop() from one thread at a time; stop() is safe twice and joins.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/executor.h"
#include "common/id.h"
#include "common/status.h"
#include "common/time.h"
#include "manager/dispatcher/local_node.h"
#include "manager/orchestrator/orchestrator.h"
#include "manager/reconcile_loop.h"
#include "store/store.h"

namespace shoal::daemon {

struct ManagerRoleOptions {
  std::string node_id;
  // This node's address as the cluster sees it (its advertise IP).
  std::string addr;
};

class ManagerRole {
 public:
  // Every referent must outlive the role.
  ManagerRole(store::Store& store, const Clock& clock, IdGenerator& ids,
              agent::Executor& executor, ManagerRoleOptions options);
  ~ManagerRole();  // stop()
  ManagerRole(const ManagerRole&) = delete;
  ManagerRole& operator=(const ManagerRole&) = delete;

  // Errors: the dispatcher's or the agent's start error (nothing left running).
  Status start();
  void stop();

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;

  manager::dispatcher::LocalNode node_;  // dispatcher + agent
  std::vector<std::unique_ptr<manager::Reconciler>> reconcilers_;
  std::vector<std::unique_ptr<manager::ReconcileLoop>> loops_;
  std::unique_ptr<manager::orchestrator::Orchestrators> orchestrators_;
  bool started_ = false;
};

}  // namespace shoal::daemon
