// ForwardClient: a follower manager's channel to its leader's Control service
// (proto/shoal/control.proto), over which it forwards the writes its own socket received.
// One TLS channel, presenting this manager's certificate, reused across requests.
//
// Thread safety: forward() from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "protocol/forward.h"
#include "rpc/tls.h"

namespace shoal::rpc {

class ForwardClient {
 public:
  ForwardClient(std::string leader_addr, TlsIdentity identity);
  ~ForwardClient();
  ForwardClient(const ForwardClient&) = delete;
  ForwardClient& operator=(const ForwardClient&) = delete;

  const std::string& leader_addr() const { return addr_; }

  // The leader's answer to `request` (any HTTP status: an error answer is still an answer).
  // Errors: kUnavailable when the leader cannot be reached within `timeout`; the leader's
  // refusal (kUnauthenticated, kPermissionDenied) when it does not take this manager's
  // certificate.
  Result<protocol::ForwardedResponse> forward(const protocol::ForwardedRequest& request,
                                              std::chrono::milliseconds timeout);

 private:
  class Impl;
  const std::string addr_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::rpc
