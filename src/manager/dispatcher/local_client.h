// LocalDispatcherClient: the in-process transport between this daemon's agent and its own
// dispatcher. It implements the agent's DispatcherClient by calling the Dispatcher directly,
// as the node `peer` (the daemon's own node ID and address), with no copying beyond what
// the messages carry. A remote transport replaces it without touching either side.
//
// Thread safety: thread-safe (the Dispatcher is).
#pragma once

#include "agent/protocol.h"
#include "manager/dispatcher/dispatcher.h"

namespace shoal::manager::dispatcher {

class LocalDispatcherClient final : public agent::DispatcherClient {
 public:
  // `dispatcher` must outlive the client.
  LocalDispatcherClient(Dispatcher& dispatcher, Peer peer)
      : dispatcher_(dispatcher), peer_(std::move(peer)) {}

  Result<agent::SessionMessage> session(const agent::SessionRequest& request) override {
    return dispatcher_.session(peer_, request);
  }
  Result<agent::HeartbeatResponse> heartbeat(const agent::HeartbeatRequest& request) override {
    return dispatcher_.heartbeat(peer_, request);
  }
  Status update_task_status(const agent::UpdateTaskStatusRequest& request) override {
    return dispatcher_.update_task_status(peer_, request);
  }
  void update_task_status_async(agent::UpdateTaskStatusRequest request,
                                std::function<void(Status)> done) override {
    dispatcher_.update_task_status_async(peer_, std::move(request), std::move(done));
  }
  Result<std::unique_ptr<agent::AssignmentStream>> assignments(
      const agent::AssignmentsRequest& request) override {
    return dispatcher_.assignments(peer_, request);
  }

 private:
  Dispatcher& dispatcher_;
  const Peer peer_;
};

}  // namespace shoal::manager::dispatcher
