// ManagerRole: everything a swarm member runs while this daemon is in a swarm — the
// manager's reconcilers (allocator, scheduler, orchestrators with the restart supervisor,
// updater and task reaper), the dispatcher, and this node's agent driving the executor
// through the in-process dispatcher client (a single-node cluster is manager and worker).
//
// With a ClusterTransport, the role also serves other nodes (cluster_transport.h): it signs
// itself a fresh manager certificate with the cluster's root CA (node_certs.h) and serves
// the Dispatcher and the CA (ca::NodeCA) on its listen address. A ca::Renewer over the
// in-process CA (ca/local_client.h) then keeps that certificate fresh — before expiry and
// after a root rotation — and hands renewed material to the endpoint. A listen address that
// cannot be bound (another daemon on this host holds the port) is logged and leaves the
// node a working single-node manager that others cannot join; endpoint_error() says why.
//
// start() brings them up in data-flow order (dispatcher and agent first, so the node is
// READY before the first placement; then allocator, scheduler, orchestrators, then the
// endpoint); stop() takes them down in reverse. Running tasks survive stop(): the executor adopts
// them on the next start().
//
// REQUIRES before start(): the store holds the cluster and this node's Node object.
// Thread safety: start()/stop() from one thread at a time; stop() is safe twice and joins.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/executor.h"
#include "ca/cert_dir.h"
#include "ca/local_client.h"
#include "ca/node_ca.h"
#include "ca/renewer.h"
#include "common/id.h"
#include "common/status.h"
#include "common/time.h"
#include "daemon/cluster_transport.h"
#include "daemon/in_process_node.h"
#include "daemon/rotation_finisher.h"
#include "manager/manager_loops.h"
#include "manager/reconcile_loop.h"
#include "store/store.h"

namespace shoal::daemon {

struct ManagerRoleOptions {
  std::string node_id;
  // This node's address as the cluster sees it (its advertise IP).
  std::string addr;
  // Where to serve other nodes ("host:port"); "" = nowhere.
  std::string listen_addr = {};
  // Holds certificates/ (the manager's own node certificate).
  std::string data_dir = {};
  // null: no endpoint (a single-node daemon built without a transport).
  ClusterTransport* transport = nullptr;
  // The etcd cluster the store is in, shared with other managers (0: an embedded store):
  // only then does the CA honour the manager join token (ca::NodeCA).
  uint64_t etcd_cluster_id = 0;
  // With etcd_cluster_id: the data key a joining manager gets from the CA.
  std::optional<store::DataKey> data_key = std::nullopt;
  // Serves the requests follower managers forward (set with a shared store).
  protocol::ForwardHandler forward = {};
};

class ManagerRole {
 public:
  // Every referent must outlive the role.
  ManagerRole(store::Store& store, const Clock& clock, IdGenerator& ids, agent::Executor& executor,
              ManagerRoleOptions options);
  ~ManagerRole();  // stop()
  ManagerRole(const ManagerRole&) = delete;
  ManagerRole& operator=(const ManagerRole&) = delete;

  // Errors: the dispatcher's or the agent's start error (nothing left running).
  Status start();
  void stop();

  // Why the endpoint is not serving ("" when it is, or when there is no transport).
  std::string endpoint_error() const { return endpoint_error_; }

 private:
  // Starts endpoint_ (see the file comment); failures go to endpoint_error_.
  void start_endpoint();

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const ManagerRoleOptions options_;

  InProcessNode node_;           // dispatcher + agent
  manager::ManagerLoops loops_;  // allocator, scheduler, orchestrators
  std::unique_ptr<ca::NodeCA> node_ca_;
  std::unique_ptr<ManagerEndpoint> endpoint_;
  std::unique_ptr<ca::CertDir> cert_dir_;
  std::unique_ptr<ca::LocalCAClient> ca_client_;
  std::unique_ptr<ca::Renewer> renewer_;  // stopped before endpoint_ goes
  // Ends a root rotation that a down or removed node would hold up (with the endpoint).
  std::unique_ptr<RotationFinisher> rotation_finisher_;
  std::unique_ptr<manager::ReconcileLoop> rotation_loop_;
  std::string endpoint_error_;
  bool started_ = false;
};

}  // namespace shoal::daemon
