#include "etcd/leadership.h"

#include <grpcpp/client_context.h>
#include <spdlog/spdlog.h>

#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"

namespace shoal::etcd {
namespace {

template <class Fn>
Status with_deadline(const Client& client, std::string_view call, Fn&& fn) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + client.options().call_timeout);
  return status_of(fn(context), call);
}

}  // namespace

Result<std::unique_ptr<Lease>> Lease::grant(std::shared_ptr<Client> client,
                                            std::chrono::seconds ttl) {
  auto stub = etcdserverpb::Lease::NewStub(client->channel());
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl.count());
  etcdserverpb::LeaseGrantResponse response;
  SHOAL_RETURN_IF_ERROR(with_deadline(*client, "lease grant", [&](grpc::ClientContext& c) {
    return stub->LeaseGrant(&c, request, &response);
  }));
  if (!response.error().empty()) {
    return error(Code::kUnavailable, "etcd lease grant: {}", response.error());
  }
  return std::unique_ptr<Lease>(
      new Lease(std::move(client), response.id(), std::chrono::seconds(response.ttl())));
}

Lease::Lease(std::shared_ptr<Client> client, int64_t id, std::chrono::seconds ttl)
    : client_(std::move(client)), id_(id), ttl_(ttl) {
  renewed_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { keep_alive_loop(); });
}

Lease::~Lease() { revoke(); }

bool Lease::alive() const {
  MutexLock lock(mu_);
  return !lost_ && !stopping_ && std::chrono::steady_clock::now() - renewed_ < ttl_;
}

void Lease::revoke() {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  auto stub = etcdserverpb::Lease::NewStub(client_->channel());
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(id_);
  etcdserverpb::LeaseRevokeResponse response;
  Status s = with_deadline(*client_, "lease revoke", [&](grpc::ClientContext& c) {
    return stub->LeaseRevoke(&c, request, &response);
  });
  // An expired lease is already what revoking makes it.
  if (!s.is_ok()) spdlog::debug("etcd lease {:x}: {}", id_, s.message());
}

Result<std::chrono::seconds> Lease::remaining() const {
  auto stub = etcdserverpb::Lease::NewStub(client_->channel());
  etcdserverpb::LeaseTimeToLiveRequest request;
  request.set_id(id_);
  etcdserverpb::LeaseTimeToLiveResponse response;
  SHOAL_RETURN_IF_ERROR(with_deadline(*client_, "lease time-to-live", [&](grpc::ClientContext& c) {
    return stub->LeaseTimeToLive(&c, request, &response);
  }));
  if (response.ttl() < 0) return error(Code::kNotFound, "etcd lease {:x} has expired", id_);
  return std::chrono::seconds(response.ttl());
}

void Lease::keep_alive_loop() {
  auto stub = etcdserverpb::Lease::NewStub(client_->channel());
  const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(ttl_) / 3;
  while (true) {
    {
      MutexLock lock(mu_);
      if (wake_.wait_for(lock, period, [&] {
            mu_.assert_held();  // wait_for runs the predicate under the lock
            return stopping_;
          }))
        return;
    }
    // One keep-alive per stream: a stream that outlives a broken connection would hide it.
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + period);
    auto stream = stub->LeaseKeepAlive(&context);
    etcdserverpb::LeaseKeepAliveRequest request;
    request.set_id(id_);
    etcdserverpb::LeaseKeepAliveResponse response;
    bool answered = stream->Write(request) && stream->Read(&response);
    stream->WritesDone();
    context.TryCancel();
    stream->Finish();
    MutexLock lock(mu_);
    if (!answered) continue;  // etcd unreachable for now: alive() tells when it is too late
    if (response.ttl() <= 0) {
      lost_ = true;  // etcd says the lease has expired
      spdlog::warn("etcd lease {:x} expired", id_);
      return;
    }
    renewed_ = std::chrono::steady_clock::now();
  }
}

Election::Election(std::shared_ptr<Client> client, std::string name)
    : client_(std::move(client)), name_(std::move(name)) {}

Result<LeaderKey> Election::campaign(const Lease& lease, const std::string& value) {
  auto stub = v3electionpb::Election::NewStub(client_->channel());
  v3electionpb::CampaignRequest request;
  request.set_name(name_);
  request.set_lease(lease.id());
  request.set_value(value);
  v3electionpb::CampaignResponse response;
  grpc::ClientContext context;  // no deadline: a candidate waits as long as the leader lives
  {
    MutexLock lock(mu_);
    if (cancelled_) return error(Code::kUnavailable, "etcd campaign: cancelled");
    campaigning_ = &context;
  }
  grpc::Status status = stub->Campaign(&context, request, &response);
  {
    MutexLock lock(mu_);
    campaigning_ = nullptr;
  }
  SHOAL_RETURN_IF_ERROR(status_of(status, "campaign"));
  const auto& k = response.leader();
  return LeaderKey{k.name(), k.key(), k.rev(), k.lease()};
}

void Election::cancel() {
  MutexLock lock(mu_);
  cancelled_ = true;
  if (campaigning_ != nullptr) campaigning_->TryCancel();
}

Result<std::optional<Election::Current>> Election::current() {
  auto stub = v3electionpb::Election::NewStub(client_->channel());
  v3electionpb::LeaderRequest request;
  request.set_name(name_);
  v3electionpb::LeaderResponse response;
  Status s = with_deadline(*client_, "leader", [&](grpc::ClientContext& c) {
    return stub->Leader(&c, request, &response);
  });
  // When nobody leads, etcd answers the error "election: no leader" (gRPC code UNKNOWN in
  // etcd 3.4, NOT_FOUND in later versions).
  if (s.code() == Code::kNotFound || s.message().find("election: no leader") != std::string::npos)
    return std::optional<Current>();
  if (!s.is_ok()) return s;
  const auto& kv = response.kv();
  return std::optional<Current>(
      Current{kv.value(), LeaderKey{name_, kv.key(), kv.create_revision(), kv.lease()}});
}

Result<std::optional<std::string>> Election::leader() {
  SHOAL_ASSIGN_OR_RETURN(std::optional<Current> current, this->current());
  if (!current) return std::optional<std::string>();
  return std::optional<std::string>(std::move(current->value));
}

Status Election::depose(const LeaderKey& key) {
  auto stub = etcdserverpb::Lease::NewStub(client_->channel());
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(key.lease);
  etcdserverpb::LeaseRevokeResponse response;
  Status s = with_deadline(*client_, "lease revoke", [&](grpc::ClientContext& c) {
    return stub->LeaseRevoke(&c, request, &response);
  });
  if (s.code() == Code::kNotFound) return Status::ok();  // expired meanwhile
  return s;
}

Status Election::resign(const LeaderKey& key) {
  auto stub = v3electionpb::Election::NewStub(client_->channel());
  v3electionpb::ResignRequest request;
  auto* k = request.mutable_leader();
  k->set_name(key.name);
  k->set_key(key.key);
  k->set_rev(key.revision);
  k->set_lease(key.lease);
  v3electionpb::ResignResponse response;
  return with_deadline(*client_, "resign", [&](grpc::ClientContext& c) {
    return stub->Resign(&c, request, &response);
  });
}

}  // namespace shoal::etcd
