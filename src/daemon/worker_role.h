// WorkerRole: what a worker node runs while it is in a swarm (swarmkit's agent plus the
// node's certificate renewal): the agent — the same agent::Agent a manager runs for its
// own tasks — driving this daemon's executor through a ManagerLink to its manager
// (cluster_transport.h), and a ca::Renewer keeping the node certificate fresh (renewed
// material goes to <data-dir>/certificates, then to the link).
//
// Removal: when the manager answers a session request with kNotFound (the Node object is
// gone: `docker node rm`), the role stops the agent and the renewer, stops every task of
// this node (swarmkit's agent shuts down when its node is removed), and calls on_removed
// from its supervisor thread. It never restarts by itself after that.
//
// Thread safety: start()/stop() from one owner thread; stop() is safe twice and joins.
// wait_for_session(), removed() and last_error() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "agent/executor.h"
#include "ca/cert_dir.h"
#include "ca/renewer.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/time.h"
#include "daemon/cluster_transport.h"
#include "daemon/manager_links.h"

namespace shoal::daemon {

struct WorkerRoleOptions {
  std::string node_id;
  std::string manager_addr;  // "host:port", the first to talk to
  // Other managers known (e.g. saved at join); more are learnt from the managers' answers.
  std::vector<std::string> other_managers = {};
  std::string data_dir;  // holds certificates/
  ca::NodeCerts certs;
  agent::AgentOptions agent = {};  // agent.node_id is set from node_id
  // Called once, from the role's supervisor thread, after a removal stopped the role's
  // work (see the file comment). May be empty.
  std::function<void()> on_removed = {};
};

// Docker's text when the first session does not open in time (moby errSwarmJoinTimeoutReached).
inline constexpr std::string_view kJoinTimeoutText =
    "Timeout was reached before node joined. The attempt to join the swarm will continue in "
    "the background. Use the \"docker info\" command to see the current swarm status of your "
    "node.";
inline constexpr std::string_view kNodeRemovedText = "node is removed from the swarm";

class WorkerRole {
 public:
  // The referents must outlive the role.
  WorkerRole(ClusterTransport& transport, agent::Executor& executor, const Clock& clock,
             WorkerRoleOptions options);
  ~WorkerRole();  // stop()
  WorkerRole(const WorkerRole&) = delete;
  WorkerRole& operator=(const WorkerRole&) = delete;

  // Connects, starts the agent (its first session opens in the background) and the
  // renewer. Errors: the agent's start error; the renewer's kInvalidArgument for a
  // certificate that does not parse (nothing left running then).
  Status start();
  void stop();

  // Waits until the agent's first session is open. Errors: kNotFound kNodeRemovedText when
  // the manager does not know this node; kUnavailable kJoinTimeoutText (with the last
  // session error) when `timeout` passes first.
  Status wait_for_session(std::chrono::nanoseconds timeout);

  // True once the manager said this node is removed.
  bool removed() const;

 private:
  class WatchedClient;
  void supervise();
  void note_session_result(const Status& status);

  ClusterTransport& transport_;
  agent::Executor& executor_;
  const Clock& clock_;
  const WorkerRoleOptions options_;
  const ca::CertDir cert_dir_;

  std::unique_ptr<ManagerLinks> links_;
  std::unique_ptr<WatchedClient> client_;
  std::unique_ptr<agent::Agent> agent_;
  std::unique_ptr<ca::Renewer> renewer_;
  std::thread supervisor_;

  mutable Mutex mu_;
  CondVar cv_;
  bool started_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool removed_ GUARDED_BY(mu_) = false;
  bool work_stopped_ GUARDED_BY(mu_) = false;  // agent and renewer already stopped
  std::string last_error_ GUARDED_BY(mu_);
};

}  // namespace shoal::daemon
