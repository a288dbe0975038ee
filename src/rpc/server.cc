#include "rpc/server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>

#include <chrono>
#include <mutex>

#include "api/codec.h"
#include "ca/certs.h"
#include "rpc/channel.h"
#include "rpc/server_streams.h"
#include "rpc/status_map.h"
#include "rpc/wire.h"
#include "shoal/ca.grpc.pb.h"
#include "shoal/control.grpc.pb.h"
#include "shoal/dispatcher.grpc.pb.h"

namespace shoal::rpc {
namespace {

using protocol::Peer;

// The verified client certificate's holder, checked against this cluster.
Result<ca::Identity> caller_identity(const grpc::ServerContextBase& context,
                                     const std::string& cluster_id) {
  auto auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) {
    return error(Code::kUnauthenticated, "a node certificate is required");
  }
  auto pems = auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) return error(Code::kUnauthenticated, "a node certificate is required");
  auto identity = ca::identity_of(std::string_view(pems.front().data(), pems.front().size()));
  if (!identity) return error(Code::kUnauthenticated, "{}", identity.status().message());
  if (identity->cluster_id != cluster_id) {
    return error(Code::kUnauthenticated, "certificate is not of this cluster");
  }
  return identity;
}

Result<Peer> caller_peer(const grpc::CallbackServerContext& context,
                         const std::string& cluster_id) {
  SHOAL_ASSIGN_OR_RETURN(ca::Identity identity, caller_identity(context, cluster_id));
  return Peer{identity.node_id, peer_ip(context.peer())};
}

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* context, const Status& status) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(to_grpc(status));
  return reactor;
}

template <class Msg>
grpc::ServerWriteReactor<Msg>* refuse_stream(const Status& status) {
  struct Refused final : grpc::ServerWriteReactor<Msg> {
    explicit Refused(const Status& s) { this->Finish(to_grpc(s)); }
    void OnDone() override { delete this; }
  };
  return new Refused(status);
}

}  // namespace

// The two services are outside the anonymous namespace: RpcServer::Impl, declared in the
// header, holds them.
class DispatcherService final : public Dispatcher::CallbackService {
 public:
  DispatcherService(protocol::Dispatcher& d, std::string cluster_id, Pump& pump)
      : d_(d), cluster_id_(std::move(cluster_id)), pump_(pump) {}

  grpc::ServerWriteReactor<SessionMessage>* Session(grpc::CallbackServerContext* context,
                                                    const SessionRequest* request) override {
    auto peer = caller_peer(*context, cluster_id_);
    if (!peer) return refuse_stream<SessionMessage>(peer.status());
    protocol::SessionRequest req;
    req.NodeID = peer->NodeID;
    req.SessionID = request->session_id();
    if (!request->description().empty()) {
      auto desc = api::decode<api::NodeDescription>(request->description());
      if (!desc) return refuse_stream<SessionMessage>(desc.status());
      req.Description = std::move(desc).value();
    }
    auto session = d_.session(*peer, req);
    if (!session) return refuse_stream<SessionMessage>(session.status());
    SessionMessage first;
    first.set_session_id(session->SessionID);
    first.set_node_id(session->NodeID);
    first.set_heartbeat_period_ns(session->HeartbeatPeriod.count());
    for (const std::string& addr : session->Managers) first.add_managers(addr);
    return new SessionReactor(std::move(first));
  }

  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const HeartbeatRequest* request,
                                      HeartbeatResponse* response) override {
    auto peer = caller_peer(*context, cluster_id_);
    if (!peer) return finish(context, peer.status());
    auto beat = d_.heartbeat(*peer, protocol::HeartbeatRequest{request->session_id()});
    if (!beat) return finish(context, beat.status());
    response->set_period_ns(beat->Period.count());
    return finish(context, Status::ok());
  }

  grpc::ServerUnaryReactor* UpdateTaskStatus(grpc::CallbackServerContext* context,
                                             const UpdateTaskStatusRequest* request,
                                             UpdateTaskStatusResponse*) override {
    auto peer = caller_peer(*context, cluster_id_);
    if (!peer) return finish(context, peer.status());
    auto req = from_proto(*request);
    if (!req) return finish(context, req.status());
    auto* reactor = context->DefaultReactor();
    d_.update_task_status_async(*peer, std::move(req).value(),
                                [reactor](Status s) { reactor->Finish(to_grpc(s)); });
    return reactor;
  }

  grpc::ServerWriteReactor<AssignmentsMessage>* Assignments(
      grpc::CallbackServerContext* context, const AssignmentsRequest* request) override {
    auto peer = caller_peer(*context, cluster_id_);
    if (!peer) return refuse_stream<AssignmentsMessage>(peer.status());
    auto stream = d_.assignments(*peer, protocol::AssignmentsRequest{request->session_id()});
    if (!stream) return refuse_stream<AssignmentsMessage>(stream.status());
    return new AssignmentsReactor(std::move(stream).value(), pump_);
  }

 private:
  protocol::Dispatcher& d_;
  const std::string cluster_id_;
  Pump& pump_;
};

class CAService final : public CA::CallbackService {
 public:
  CAService(ca::NodeCA& node_ca, std::string cluster_id)
      : ca_(node_ca), cluster_id_(std::move(cluster_id)) {}

  grpc::ServerUnaryReactor* GetRootCACertificate(grpc::CallbackServerContext* context,
                                                 const GetRootCACertificateRequest*,
                                                 GetRootCACertificateResponse* out) override {
    auto root = ca_.root_ca_pem();
    if (!root) return finish(context, root.status());
    out->set_certificate(*root);
    return finish(context, Status::ok());
  }

  grpc::ServerUnaryReactor* IssueNodeCertificate(grpc::CallbackServerContext* context,
                                                 const IssueNodeCertificateRequest* request,
                                                 IssueNodeCertificateResponse* out) override {
    auto availability = api::parse_enum<api::NodeAvailability>(request->availability());
    if (!availability) {
      return finish(context, error(Code::kInvalidArgument, "invalid availability \"{}\"",
                                   request->availability()));
    }
    ca::IssueRequest req{
        request->csr(),           request->token(),           *availability,
        peer_ip(context->peer()), request->etcd_cluster_id(), request->manager_addr()};
    auto issued = ca_.issue(req);
    if (!issued) return finish(context, issued.status());
    out->set_node_id(issued->node_id);
    out->set_certificate(issued->cert_chain_pem);
    out->set_data_key(issued->data_key);
    return finish(context, Status::ok());
  }

  grpc::ServerUnaryReactor* RenewNodeCertificate(grpc::CallbackServerContext* context,
                                                 const RenewNodeCertificateRequest* request,
                                                 RenewNodeCertificateResponse* out) override {
    auto identity = caller_identity(*context, cluster_id_);
    if (!identity) return finish(context, identity.status());
    auto cert = ca_.renew(identity->node_id, request->csr());
    if (!cert) return finish(context, cert.status());
    out->set_certificate(*cert);
    return finish(context, Status::ok());
  }

 private:
  ca::NodeCA& ca_;
  const std::string cluster_id_;
};

// Requests another manager forwards to this one; a synchronous service, since serving one
// blocks on the store (gRPC gives it its own threads).
class ControlService final : public Control::Service {
 public:
  ControlService(protocol::ForwardHandler handler, std::string cluster_id)
      : handler_(std::move(handler)), cluster_id_(std::move(cluster_id)) {}

  grpc::Status Forward(grpc::ServerContext* context, const ForwardRequest* request,
                       ForwardResponse* out) override {
    auto identity = caller_identity(*context, cluster_id_);
    if (!identity) return to_grpc(identity.status());
    if (identity->role != api::NodeRole::kManager) {
      return to_grpc(Status(Code::kPermissionDenied, "only a manager may forward requests"));
    }
    protocol::ForwardedRequest forwarded{request->method(), request->target(), {}, request->body()};
    for (const auto& h : request->headers()) forwarded.headers.emplace_back(h.name(), h.value());
    protocol::ForwardedResponse answer = handler_(forwarded);
    out->set_status(answer.status);
    for (auto& [name, value] : answer.headers) {
      auto* h = out->add_headers();
      h->set_name(name);
      h->set_value(value);
    }
    out->set_body(std::move(answer.body));
    return grpc::Status::OK;
  }

 private:
  const protocol::ForwardHandler handler_;
  const std::string cluster_id_;
};

class RpcServer::Impl {
 public:
  Impl(std::string addr, TlsIdentity identity, protocol::Dispatcher& d, ca::NodeCA& node_ca,
       protocol::ForwardHandler forward)
      : addr_(std::move(addr)),
        identity_(std::move(identity)),
        d_(d),
        ca_(node_ca),
        forward_(std::move(forward)) {}

  Status start() {
    if (server_) return error(Code::kFailedPrecondition, "rpc server already started");
    keep_grpc_alive();
    auto me = ca::identity_of(identity_.cert_pem);
    if (!me) return me.status();
    pump_ = std::make_unique<Pump>();
    dispatcher_service_ = std::make_unique<DispatcherService>(d_, me->cluster_id, *pump_);
    ca_service_ = std::make_unique<CAService>(ca_, me->cluster_id);
    if (forward_) control_service_ = std::make_unique<ControlService>(forward_, me->cluster_id);

    grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = identity_.ca_pem;
    options.pem_key_cert_pairs.push_back({identity_.key_pem, identity_.cert_pem});
    grpc::ServerBuilder builder;
    std::string addr = addr_;
    if (port_ != 0) addr = addr_.substr(0, addr_.rfind(':')) + ":" + std::to_string(port_);
    builder.AddListeningPort(addr, grpc::SslServerCredentials(options), &port_);
    // gRPC binds with SO_REUSEPORT by default: a second manager on the same address would
    // then share the port (and its joins and agents) with the first instead of failing.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.RegisterService(dispatcher_service_.get());
    builder.RegisterService(ca_service_.get());
    if (control_service_) builder.RegisterService(control_service_.get());
    // Agents keep their connection through idle periods (heartbeats are seconds apart).
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
      server_.reset();
      pump_.reset();
      return error(Code::kUnavailable, "cannot listen on {}", addr);
    }
    return Status::ok();
  }

  void stop() {
    if (!server_) return;
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    server_.reset();
    pump_->stop();
    pump_.reset();
    dispatcher_service_.reset();
    ca_service_.reset();
    control_service_.reset();
  }

  Status set_identity(TlsIdentity identity) {
    stop();
    identity_ = std::move(identity);
    return start();
  }

  int port() const { return server_ ? port_ : 0; }

 private:
  const std::string addr_;
  TlsIdentity identity_;
  protocol::Dispatcher& d_;
  ca::NodeCA& ca_;
  const protocol::ForwardHandler forward_;
  int port_ = 0;
  std::unique_ptr<Pump> pump_;
  std::unique_ptr<DispatcherService> dispatcher_service_;
  std::unique_ptr<CAService> ca_service_;
  std::unique_ptr<ControlService> control_service_;
  std::unique_ptr<grpc::Server> server_;
};

RpcServer::RpcServer(std::string listen_addr, TlsIdentity identity,
                     protocol::Dispatcher& dispatcher, ca::NodeCA& node_ca,
                     protocol::ForwardHandler forward)
    : impl_(std::make_unique<Impl>(std::move(listen_addr), std::move(identity), dispatcher, node_ca,
                                   std::move(forward))) {}

RpcServer::~RpcServer() { stop(); }

Status RpcServer::start() { return impl_->start(); }
void RpcServer::stop() { impl_->stop(); }
int RpcServer::port() const { return impl_->port(); }
Status RpcServer::set_identity(TlsIdentity identity) {
  return impl_->set_identity(std::move(identity));
}

}  // namespace shoal::rpc
