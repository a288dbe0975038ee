#include "daemon/grpc_transport.h"

#include "common/mutex.h"
#include "rpc/ca_client.h"
#include "rpc/dispatcher_client.h"
#include "rpc/forward_client.h"
#include "rpc/server.h"

namespace shoal::daemon {
namespace {

rpc::TlsIdentity identity_of(const ca::NodeCerts& certs) {
  return rpc::TlsIdentity{certs.ca_pem, certs.cert_pem, certs.key_pem};
}

class GrpcLink final : public ManagerLink {
 public:
  GrpcLink(const std::string& addr, const ca::NodeCerts& certs)
      : dispatcher_(addr, identity_of(certs)), ca_(addr, identity_of(certs)) {}
  protocol::DispatcherClient& dispatcher() override { return dispatcher_; }
  ca::CAClient& ca() override { return ca_; }
  void set_certs(const ca::NodeCerts& certs) override {
    dispatcher_.set_identity(identity_of(certs));
    ca_.set_identity(identity_of(certs));
  }

 private:
  rpc::GrpcDispatcherClient dispatcher_;
  rpc::GrpcCAClient ca_;
};

class GrpcEndpoint final : public ManagerEndpoint {
 public:
  explicit GrpcEndpoint(std::unique_ptr<rpc::RpcServer> server) : server_(std::move(server)) {}
  ~GrpcEndpoint() override { server_->stop(); }
  Status set_certs(const ca::NodeCerts& certs) override {
    return server_->set_identity(identity_of(certs));
  }

 private:
  std::unique_ptr<rpc::RpcServer> server_;
};

class GrpcTransport final : public ClusterTransport {
 public:
  Result<JoinedNode> join(const JoinParams& params) override {
    SHOAL_ASSIGN_OR_RETURN(rpc::JoinResult joined,
                           rpc::join_cluster({.remote_addr = params.remote_addr,
                                              .join_token = params.join_token,
                                              .availability = params.availability,
                                              .advertise_addr = params.advertise_addr,
                                              .timeout = params.timeout,
                                              .etcd_cluster_id = params.etcd_cluster_id,
                                              .manager_addr = params.manager_addr}));
    return JoinedNode{
        joined.node_id, joined.data_key,
        ca::NodeCerts{joined.identity.ca_pem, joined.identity.cert_pem, joined.identity.key_pem}};
  }

  std::unique_ptr<ManagerLink> connect(const std::string& manager_addr,
                                       const ca::NodeCerts& certs) override {
    return std::make_unique<GrpcLink>(manager_addr, certs);
  }

  Result<std::unique_ptr<ManagerEndpoint>> serve(const std::string& listen_addr,
                                                 const ca::NodeCerts& certs,
                                                 manager::dispatcher::Dispatcher& dispatcher,
                                                 ca::NodeCA& node_ca,
                                                 protocol::ForwardHandler forward) override {
    auto server = std::make_unique<rpc::RpcServer>(listen_addr, identity_of(certs), dispatcher,
                                                   node_ca, std::move(forward));
    SHOAL_RETURN_IF_ERROR(server->start());
    return std::unique_ptr<ManagerEndpoint>(std::make_unique<GrpcEndpoint>(std::move(server)));
  }

  Result<protocol::ForwardedResponse> forward(const std::string& manager_addr,
                                              const ca::NodeCerts& certs,
                                              const protocol::ForwardedRequest& request,
                                              std::chrono::milliseconds timeout) override {
    std::shared_ptr<rpc::ForwardClient> client;
    {
      MutexLock lock(mu_);
      // One channel per leader and certificate, kept while both stay the same.
      if (!forward_client_ || forward_client_->leader_addr() != manager_addr ||
          forward_cert_ != certs.cert_pem) {
        forward_client_ = std::make_shared<rpc::ForwardClient>(manager_addr, identity_of(certs));
        forward_cert_ = certs.cert_pem;
      }
      client = forward_client_;
    }
    return client->forward(request, timeout);
  }

 private:
  Mutex mu_;
  std::shared_ptr<rpc::ForwardClient> forward_client_ GUARDED_BY(mu_);
  std::string forward_cert_ GUARDED_BY(mu_);
};

}  // namespace

std::shared_ptr<ClusterTransport> make_grpc_transport() {
  return std::make_shared<GrpcTransport>();
}

}  // namespace shoal::daemon
