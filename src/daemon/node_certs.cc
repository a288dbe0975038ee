#include "daemon/node_certs.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "api/swarm.h"
#include "ca/certs.h"
#include "ca/root_ca.h"
#include "common/mutex.h"

namespace shoal::daemon {
namespace {

// How long stop_all_tasks waits for killed tasks to exit.
constexpr std::chrono::seconds kStopTimeout{15};

std::shared_ptr<const api::Swarm> find_cluster(const store::ReadTxn& tx) {
  auto clusters = tx.find<api::Swarm>(store::by::Name{"default"});
  if (clusters.empty()) clusters = tx.find<api::Swarm>();
  return clusters.empty() ? nullptr : clusters.front();
}

}  // namespace

Result<ca::NodeCerts> issue_manager_certs(const store::Store& store, const std::string& node_id,
                                          const ca::CertDir& dir, Timestamp now) {
  std::shared_ptr<const api::Swarm> cluster = find_cluster(store.view());
  if (!cluster) return Status(Code::kUnavailable, "this node is not part of a swarm");
  SHOAL_ASSIGN_OR_RETURN(ca::ClusterCA root, ca::cluster_ca(*cluster));
  SHOAL_ASSIGN_OR_RETURN(ca::KeyAndCsr fresh, ca::make_key_and_csr());
  ca::SignRequest request{.csr_pem = fresh.csr_pem,
                          .node_id = node_id,
                          .role = api::NodeRole::kManager,
                          .cluster_id = cluster->ID,
                          .validity = cluster->Spec.CAConfig.NodeCertExpiry};
  SHOAL_ASSIGN_OR_RETURN(std::string cert, ca::sign_csr(root.current, request, now));
  ca::NodeCerts certs{root.bundle_pem, root.chain(std::move(cert)), std::move(fresh.key_pem)};
  SHOAL_RETURN_IF_ERROR(dir.write(certs));
  return certs;
}

size_t stop_all_tasks(agent::Executor& executor) {
  auto recovered = executor.recover();
  if (!recovered.is_ok()) {
    spdlog::error("cannot list this node's tasks to stop them: {}", recovered.status().message());
    return 0;
  }
  // Kill every running task, wait for the exits (they arrive through wait()), then remove.
  struct Exits {
    Mutex mu;
    CondVar cv;
    size_t pending = 0;
  };
  auto exits = std::make_shared<Exits>();
  for (agent::RecoveredTask& task : *recovered) {
    if (!task.controller || task.state != agent::RecoveredTask::State::kRunning) continue;
    {
      MutexLock lock(exits->mu);
      ++exits->pending;
    }
    task.controller->wait([exits](Result<agent::ExitStatus>) {
      MutexLock lock(exits->mu);
      --exits->pending;
      exits->cv.notify_all();
    });
    if (Status st = task.controller->terminate(); !st.is_ok()) {
      spdlog::warn("cannot kill task {}: {}", task.TaskID, st.message());
    }
  }
  {
    MutexLock lock(exits->mu);
    if (!exits->cv.wait_for(lock, kStopTimeout,
                            [&]() REQUIRES(exits->mu) { return exits->pending == 0; })) {
      spdlog::warn("{} tasks did not exit within {} s", exits->pending, kStopTimeout.count());
    }
  }
  size_t stopped = 0;
  for (agent::RecoveredTask& task : *recovered) {
    if (!task.controller) continue;
    if (Status st = task.controller->remove(); !st.is_ok()) {
      spdlog::warn("cannot remove task {}: {}", task.TaskID, st.message());
      continue;
    }
    ++stopped;
  }
  return stopped;
}

}  // namespace shoal::daemon
