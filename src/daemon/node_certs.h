// A node's own certificates, as the daemon manages them:
//   - a manager signs its own node certificate with the cluster's root CA (it holds the
//     key in its store) every time its role starts, so it never serves an expired or
//     stale-root certificate after a restart or a root rotation (swarmkit's managers renew
//     through their own CA the same way);
//   - a worker keeps what it got at join time in <data-dir>/certificates (ca/cert_dir.h)
//     and renews through ca::Renewer.
// Also: stopping every task this node runs, for `docker swarm leave` and a node that was
// removed from its swarm (Docker stops a leaving node's containers).
//
// Thread safety: free functions; callers serialise use of one data dir.
#pragma once

#include <string>

#include "agent/executor.h"
#include "ca/cert_dir.h"
#include "common/status.h"
#include "common/time.h"
#include "store/store.h"

namespace shoal::daemon {

// A fresh manager certificate for `node_id`, signed by the current root of the cluster in
// `store` and valid for its Spec.CAConfig.NodeCertExpiry, written to `dir`.
// Errors: kUnavailable "this node is not part of a swarm" without a cluster;
// ca::cluster_ca's kFailedPrecondition "the cluster has no root CA" / kInternal; signing
// and CertDir::write errors.
Result<ca::NodeCerts> issue_manager_certs(const store::Store& store, const std::string& node_id,
                                          const ca::CertDir& dir, Timestamp now);

// Kills (SIGKILL) every running task the executor knows of (its recover() list), waits up
// to 15 s for their exits, then removes every task's resources. Returns how many were
// removed; failures are logged and the rest still stopped. REQUIRES: no agent is running
// on `executor`.
size_t stop_all_tasks(agent::Executor& executor);

}  // namespace shoal::daemon
