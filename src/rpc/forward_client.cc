#include "rpc/forward_client.h"

#include <grpcpp/grpcpp.h>

#include "rpc/channel.h"
#include "rpc/status_map.h"
#include "shoal/control.grpc.pb.h"

namespace shoal::rpc {

class ForwardClient::Impl {
 public:
  explicit Impl(std::unique_ptr<Control::Stub> stub) : stub(std::move(stub)) {}
  const std::unique_ptr<Control::Stub> stub;
};

ForwardClient::ForwardClient(std::string leader_addr, TlsIdentity identity)
    : addr_(std::move(leader_addr)),
      impl_(std::make_unique<Impl>(
          Control::NewStub(secure_channel(addr_, identity, std::chrono::seconds(1))))) {}

ForwardClient::~ForwardClient() = default;

Result<protocol::ForwardedResponse> ForwardClient::forward(
    const protocol::ForwardedRequest& request, std::chrono::milliseconds timeout) {
  ForwardRequest wire;
  wire.set_method(request.method);
  wire.set_target(request.target);
  for (const auto& [name, value] : request.headers) {
    auto* h = wire.add_headers();
    h->set_name(name);
    h->set_value(value);
  }
  wire.set_body(request.body);
  grpc::ClientContext context;
  context.set_deadline(deadline_in(timeout));
  ForwardResponse answer;
  Status status = from_grpc(impl_->stub->Forward(&context, wire, &answer));
  if (!status.is_ok()) {
    if (status.code() != Code::kUnavailable) return status;
    return error(Code::kUnavailable, "cannot reach the leader at {}: {}", addr_, status.message());
  }
  protocol::ForwardedResponse out;
  out.status = answer.status();
  for (const auto& h : answer.headers()) out.headers.emplace_back(h.name(), h.value());
  out.body = std::move(*answer.mutable_body());
  return out;
}

}  // namespace shoal::rpc
