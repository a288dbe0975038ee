// ManagerLinks: a node's links to every manager it knows, and the one it talks to now — so
// that when its manager goes away (a leader killed, a follower that does not serve) the node
// moves to the manager that leads by itself, without losing its tasks.
//
// It is the DispatcherClient the agent uses and the CAClient the renewer uses. A session
// request goes to the current manager; when that one cannot be reached (kUnavailable), the
// others are tried in turn within the same call and the first that answers becomes current.
// Every session answer lists the managers (SessionMessage.Managers): the list grows with
// them. Calls within a session (heartbeats, reports, assignments) go to the manager that
// opened it; when it dies, they fail and the agent opens a new session, which moves.
//
// Thread safety: all calls from any thread. Links are created on first use and live as long
// as this object.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ca/renewer.h"
#include "common/mutex.h"
#include "daemon/cluster_transport.h"
#include "protocol/messages.h"

namespace shoal::daemon {

class ManagerLinks final : public protocol::DispatcherClient, public ca::CAClient {
 public:
  // `managers`: the addresses known so far, the first to be used first. REQUIRES: not
  // empty. The transport must outlive this object.
  ManagerLinks(ClusterTransport& transport, std::vector<std::string> managers, ca::NodeCerts certs);

  // The manager in use and every one known.
  std::string current() const;
  std::vector<std::string> managers() const;
  // Later calls present `certs` (after a renewal), on every link.
  void set_certs(const ca::NodeCerts& certs);

  // ---- protocol::DispatcherClient
  Result<protocol::SessionMessage> session(const protocol::SessionRequest& request) override;
  Result<protocol::HeartbeatResponse> heartbeat(const protocol::HeartbeatRequest& request) override;
  Status update_task_status(const protocol::UpdateTaskStatusRequest& request) override;
  void update_task_status_async(protocol::UpdateTaskStatusRequest request,
                                std::function<void(Status)> done) override;
  Result<std::unique_ptr<protocol::AssignmentStream>> assignments(
      const protocol::AssignmentsRequest& request) override;

  // ---- ca::CAClient (through the current manager)
  Result<std::string> root_ca() override;
  Result<std::string> renew(std::string_view csr_pem) override;

 private:
  // The link to managers_[index], made on first use.
  ManagerLink& link_locked(size_t index) REQUIRES(mu_);
  ManagerLink& current_link();

  ClusterTransport& transport_;
  mutable Mutex mu_;
  std::vector<std::string> managers_ GUARDED_BY(mu_);
  std::vector<std::unique_ptr<ManagerLink>> links_ GUARDED_BY(mu_);  // by index, may be null
  size_t current_ GUARDED_BY(mu_) = 0;
  ca::NodeCerts certs_ GUARDED_BY(mu_);
};

}  // namespace shoal::daemon
