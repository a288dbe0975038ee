// LocalDispatcherClient: the in-process transport between a daemon's agent and its own
// dispatcher. It implements the agent's DispatcherClient by calling a Dispatcher directly,
// as the node `peer` (the daemon's own node ID and address), with no copying beyond what
// the messages carry. The gRPC transport (src/rpc) replaces it without touching either side.
//
// Thread safety: thread-safe (a Dispatcher is).
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "protocol/dispatcher.h"
#include "protocol/messages.h"

namespace shoal::protocol {

class LocalDispatcherClient final : public DispatcherClient {
 public:
  // `dispatcher` must outlive the client.
  LocalDispatcherClient(Dispatcher& dispatcher, Peer peer)
      : dispatcher_(dispatcher), peer_(std::move(peer)) {}

  Result<SessionMessage> session(const SessionRequest& request) override {
    return dispatcher_.session(peer_, request);
  }
  Result<HeartbeatResponse> heartbeat(const HeartbeatRequest& request) override {
    return dispatcher_.heartbeat(peer_, request);
  }
  Status update_task_status(const UpdateTaskStatusRequest& request) override {
    return dispatcher_.update_task_status(peer_, request);
  }
  void update_task_status_async(UpdateTaskStatusRequest request,
                                std::function<void(Status)> done) override {
    dispatcher_.update_task_status_async(peer_, std::move(request), std::move(done));
  }
  Result<std::unique_ptr<AssignmentStream>> assignments(
      const AssignmentsRequest& request) override {
    return dispatcher_.assignments(peer_, request);
  }

 private:
  Dispatcher& dispatcher_;
  const Peer peer_;
};

}  // namespace shoal::protocol
