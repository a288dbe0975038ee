// GrpcDispatcherClient: protocol::DispatcherClient (protocol/messages.h) over the Dispatcher gRPC
// service, with mutual TLS (the node's TlsIdentity; the server must present a certificate
// signed by identity.ca_pem).
//
// Every unary call has a deadline (call_timeout); a call the manager does not answer in
// time, or a manager that cannot be reached, gives kUnavailable, and the agent's session
// loop retries. The channel reconnects by itself (gRPC backoff capped at max_backoff), so a
// manager restart needs no agent restart: the next session() call succeeds once the
// manager listens again.
//
// session(): opens the Session stream and returns its first message; the stream stays open
// in the background (callback API, no thread), and its end is noted: the next heartbeat
// of that session fails fast with kInvalidArgument "session invalid" without a round trip.
// assignments(): an AssignmentStream over the Assignments stream (callback API; recv()
// waits on a condition variable; set_ready_callback() supported).
// update_task_status_async(): a callback-API unary call; many may be in flight.
//
// Thread safety: thread-safe; set_identity() may be called while calls run (new calls use
// the new material; calls in flight finish on the old channel).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "protocol/messages.h"
#include "rpc/tls.h"

namespace shoal::rpc {

struct ClientOptions {
  std::chrono::milliseconds call_timeout{10000};
  // Not used yet: while the channel is not connected, calls fail fast with kUnavailable.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds max_backoff{2000};
};

class GrpcDispatcherClient final : public protocol::DispatcherClient {
 public:
  // `manager_addr` is "host:port".
  GrpcDispatcherClient(std::string manager_addr, TlsIdentity identity, ClientOptions options = {});
  ~GrpcDispatcherClient() override;

  Result<protocol::SessionMessage> session(const protocol::SessionRequest& request) override;
  Result<protocol::HeartbeatResponse> heartbeat(const protocol::HeartbeatRequest& request) override;
  Status update_task_status(const protocol::UpdateTaskStatusRequest& request) override;
  void update_task_status_async(protocol::UpdateTaskStatusRequest request,
                                std::function<void(Status)> done) override;
  Result<std::unique_ptr<protocol::AssignmentStream>> assignments(
      const protocol::AssignmentsRequest& request) override;

  // New TLS material (after a renewal): later calls use a new channel.
  void set_identity(TlsIdentity identity);

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace shoal::rpc
