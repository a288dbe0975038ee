#include "rpc/ca_client.h"

#include <mutex>

#include "ca/certs.h"
#include "common/mutex.h"
#include "rpc/channel.h"
#include "rpc/status_map.h"
#include "shoal/ca.grpc.pb.h"

namespace shoal::rpc {

class GrpcCAClient::Impl {
 public:
  Impl(std::string addr, TlsIdentity identity, std::chrono::milliseconds timeout)
      : addr_(std::move(addr)), timeout_(timeout) {
    set_identity(std::move(identity));
  }

  void set_identity(TlsIdentity identity) {
    auto stub = CA::NewStub(secure_channel(addr_, identity, std::chrono::seconds(2)));
    MutexLock lock(mu_);
    stub_ = std::move(stub);
  }

  std::shared_ptr<CA::Stub> stub() {
    MutexLock lock(mu_);
    return stub_;
  }

  const std::string addr_;
  const std::chrono::milliseconds timeout_;

 private:
  Mutex mu_;
  std::shared_ptr<CA::Stub> stub_;
};

GrpcCAClient::GrpcCAClient(std::string manager_addr, TlsIdentity identity,
                           std::chrono::milliseconds call_timeout)
    : impl_(std::make_unique<Impl>(std::move(manager_addr), std::move(identity), call_timeout)) {}

GrpcCAClient::~GrpcCAClient() = default;

Result<std::string> GrpcCAClient::root_ca() {
  grpc::ClientContext context;
  context.set_deadline(deadline_in(impl_->timeout_));
  GetRootCACertificateResponse response;
  SHOAL_RETURN_IF_ERROR(from_grpc(
      impl_->stub()->GetRootCACertificate(&context, GetRootCACertificateRequest(), &response)));
  return response.certificate();
}

Result<std::string> GrpcCAClient::renew(std::string_view csr_pem) {
  grpc::ClientContext context;
  context.set_deadline(deadline_in(impl_->timeout_));
  RenewNodeCertificateRequest request;
  request.set_csr(std::string(csr_pem));
  RenewNodeCertificateResponse response;
  SHOAL_RETURN_IF_ERROR(
      from_grpc(impl_->stub()->RenewNodeCertificate(&context, request, &response)));
  return response.certificate();
}

void GrpcCAClient::set_identity(TlsIdentity identity) { impl_->set_identity(std::move(identity)); }

namespace {

Status unreachable(const std::string& addr, const Status& status) {
  if (status.code() != Code::kUnavailable) return status;
  return error(Code::kUnavailable, "could not connect to {}: {}", addr, status.message());
}

}  // namespace

Result<JoinResult> join_cluster(const JoinRequest& request) {
  SHOAL_RETURN_IF_ERROR(ca::parse_join_token(request.join_token).status());
  // 1. The root CA, from a server we cannot verify yet.
  std::string root;
  {
    auto stub = CA::NewStub(unverified_channel(request.remote_addr));
    grpc::ClientContext context;
    context.set_deadline(deadline_in(request.timeout));
    // Fail fast: a refused or unreachable address answers at once instead of after the
    // whole timeout (an idle channel still makes its first connection attempt).
    GetRootCACertificateResponse response;
    Status status =
        from_grpc(stub->GetRootCACertificate(&context, GetRootCACertificateRequest(), &response));
    if (!status) return unreachable(request.remote_addr, status);
    root = response.certificate();
  }
  // 2. Trust it only if the token says so.
  SHOAL_RETURN_IF_ERROR(ca::check_token_digest(request.join_token, root));
  // 3. A certificate for a fresh key, over TLS verified with that root.
  SHOAL_ASSIGN_OR_RETURN(ca::KeyAndCsr key, ca::make_key_and_csr());
  auto stub = CA::NewStub(
      secure_channel(request.remote_addr, TlsIdentity{root, "", ""}, std::chrono::seconds(1)));
  grpc::ClientContext context;
  context.set_deadline(deadline_in(request.timeout));
  context.set_wait_for_ready(true);
  IssueNodeCertificateRequest issue;
  issue.set_csr(key.csr_pem);
  issue.set_token(request.join_token);
  issue.set_availability(std::string(api::to_string(request.availability)));
  issue.set_etcd_cluster_id(request.etcd_cluster_id);
  issue.set_manager_addr(request.manager_addr);
  IssueNodeCertificateResponse response;
  Status status = from_grpc(stub->IssueNodeCertificate(&context, issue, &response));
  if (!status) return unreachable(request.remote_addr, status);
  JoinResult out;
  out.node_id = response.node_id();
  out.data_key = response.data_key();
  out.identity = TlsIdentity{root, response.certificate(), key.key_pem};
  return out;
}

}  // namespace shoal::rpc
