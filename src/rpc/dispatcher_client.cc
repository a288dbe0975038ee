#include "rpc/dispatcher_client.h"

#include <mutex>
#include <unordered_map>

#include "api/codec.h"
#include "common/mutex.h"
#include "rpc/channel.h"
#include "rpc/client_streams.h"
#include "rpc/status_map.h"
#include "rpc/wire.h"

namespace shoal::rpc {
namespace {

// The agent's handle on an assignments call: ends the call when dropped.
class StreamHandle final : public protocol::AssignmentStream {
 public:
  explicit StreamHandle(std::shared_ptr<AssignmentsCall> call) : call_(std::move(call)) {}
  ~StreamHandle() override { call_->cancel(); }
  Result<std::optional<protocol::AssignmentsMessage>> recv(
      std::chrono::nanoseconds timeout) override {
    return call_->recv(timeout);
  }
  void cancel() override { call_->cancel(); }
  bool set_ready_callback(std::function<void()> notify) override {
    return call_->set_ready_callback(std::move(notify));
  }

 private:
  std::shared_ptr<AssignmentsCall> call_;
};

}  // namespace

class GrpcDispatcherClient::Impl {
 public:
  Impl(std::string addr, TlsIdentity identity, ClientOptions options)
      : addr_(std::move(addr)), options_(options) {
    set_identity(std::move(identity));
  }

  ~Impl() {
    MutexLock lock(mu_);
    if (session_) session_->cancel();
  }

  void set_identity(TlsIdentity identity) {
    auto stub = Dispatcher::NewStub(secure_channel(addr_, identity, options_.max_backoff));
    MutexLock lock(mu_);
    stub_ = std::move(stub);
  }

  std::shared_ptr<Dispatcher::Stub> stub() {
    MutexLock lock(mu_);
    return stub_;
  }

  Result<protocol::SessionMessage> session(const protocol::SessionRequest& request) {
    SessionRequest req;
    req.set_description(api::encode(request.Description));
    req.set_session_id(request.SessionID);
    auto call = SessionCall::start(*stub(), req);
    auto first = call->first(options_.call_timeout);
    std::shared_ptr<SessionCall> previous;
    {
      MutexLock lock(mu_);
      previous = std::move(session_);
      if (first) {
        session_ = call;
        session_id_ = first->SessionID;
      }
    }
    if (previous) previous->cancel();
    return first;
  }

  // kInvalidArgument "session invalid" when the server already ended this session's stream.
  Status check_session(const std::string& session_id) {
    MutexLock lock(mu_);
    if (session_ && session_id == session_id_ && session_->ended()) {
      return Status(Code::kInvalidArgument, protocol::kSessionInvalid);
    }
    return Status::ok();
  }

  const std::string addr_;
  const ClientOptions options_;

 private:
  Mutex mu_;
  std::shared_ptr<Dispatcher::Stub> stub_ GUARDED_BY(mu_);
  std::shared_ptr<SessionCall> session_ GUARDED_BY(mu_);
  std::string session_id_ GUARDED_BY(mu_);
};

GrpcDispatcherClient::GrpcDispatcherClient(std::string manager_addr, TlsIdentity identity,
                                           ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(manager_addr), std::move(identity), options)) {}

GrpcDispatcherClient::~GrpcDispatcherClient() = default;

Result<protocol::SessionMessage> GrpcDispatcherClient::session(
    const protocol::SessionRequest& request) {
  return impl_->session(request);
}

Result<protocol::HeartbeatResponse> GrpcDispatcherClient::heartbeat(
    const protocol::HeartbeatRequest& request) {
  SHOAL_RETURN_IF_ERROR(impl_->check_session(request.SessionID));
  grpc::ClientContext context;
  context.set_deadline(deadline_in(impl_->options_.call_timeout));
  HeartbeatRequest req;
  req.set_session_id(request.SessionID);
  HeartbeatResponse response;
  SHOAL_RETURN_IF_ERROR(from_grpc(impl_->stub()->Heartbeat(&context, req, &response)));
  return protocol::HeartbeatResponse{std::chrono::nanoseconds(response.period_ns())};
}

Status GrpcDispatcherClient::update_task_status(const protocol::UpdateTaskStatusRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(deadline_in(impl_->options_.call_timeout));
  UpdateTaskStatusRequest req;
  to_proto(request, req);
  UpdateTaskStatusResponse response;
  return from_grpc(impl_->stub()->UpdateTaskStatus(&context, req, &response));
}

void GrpcDispatcherClient::update_task_status_async(protocol::UpdateTaskStatusRequest request,
                                                    std::function<void(Status)> done) {
  struct Call {
    grpc::ClientContext context;
    UpdateTaskStatusRequest request;
    UpdateTaskStatusResponse response;
    std::function<void(Status)> done;
  };
  auto* call = new Call;
  call->context.set_deadline(deadline_in(impl_->options_.call_timeout));
  to_proto(request, call->request);
  call->done = std::move(done);
  impl_->stub()->async()->UpdateTaskStatus(&call->context, &call->request, &call->response,
                                           [call](grpc::Status status) {
                                             auto done = std::move(call->done);
                                             delete call;
                                             done(from_grpc(status));
                                           });
}

Result<std::unique_ptr<protocol::AssignmentStream>> GrpcDispatcherClient::assignments(
    const protocol::AssignmentsRequest& request) {
  AssignmentsRequest req;
  req.set_session_id(request.SessionID);
  auto call = AssignmentsCall::start(*impl_->stub(), req);
  SHOAL_RETURN_IF_ERROR(call->wait_first(impl_->options_.call_timeout));
  return std::unique_ptr<protocol::AssignmentStream>(std::make_unique<StreamHandle>(call));
}

void GrpcDispatcherClient::set_identity(TlsIdentity identity) {
  impl_->set_identity(std::move(identity));
}

}  // namespace shoal::rpc
