// Dispatcher: the manager's side of the manager–agent protocol (messages.h says what each
// call returns). The manager implements it (manager/dispatcher/dispatcher.h); transports
// call it for a caller they vouch for — LocalDispatcherClient (local_client.h) for this
// daemon's own agent, the gRPC server (rpc/server.h) for remote nodes, naming the peer from
// the client certificate and the connection.
//
// Thread safety: implementations are thread-safe; every method may be called from many
// threads at once.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "protocol/messages.h"

namespace shoal::protocol {

// The caller of an RPC, as the transport vouches for it.
struct Peer {
  std::string NodeID;
  std::string Addr;  // the node's address as seen by the manager; "" = unknown
};

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;

  // Errors: kPermissionDenied when request.NodeID is set and is not peer.NodeID;
  // kNotFound "node <id> not found"; kUnavailable when the dispatcher is stopped; store errors.
  virtual Result<SessionMessage> session(const Peer& peer, const SessionRequest& request) = 0;
  virtual Result<HeartbeatResponse> heartbeat(const Peer& peer,
                                              const HeartbeatRequest& request) = 0;
  virtual Status update_task_status(const Peer& peer, const UpdateTaskStatusRequest& request) = 0;
  // update_task_status() for a transport that completes calls asynchronously: `done` gets
  // its result exactly once, on any thread (possibly this one, before this returns).
  virtual void update_task_status_async(const Peer& peer, UpdateTaskStatusRequest request,
                                        std::function<void(Status)> done) = 0;
  virtual Result<std::unique_ptr<AssignmentStream>> assignments(
      const Peer& peer, const AssignmentsRequest& request) = 0;
};

}  // namespace shoal::protocol
