#include "daemon/ha_manager.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <utility>

#include "ca/cert_dir.h"

namespace shoal::daemon {
namespace {

constexpr auto kCatchUpTimeout = std::chrono::seconds(10);
// Followers ask etcd who leads every kPollEvery probes, and probe the leader's endpoint
// every kProbeInterval: kRefusalsToDepose refused connections in a row from a leader whose
// endpoint was seen accepting before (so not one still starting) end its leadership at once.
constexpr auto kProbeInterval = std::chrono::milliseconds(100);
constexpr int kPollEvery = 5;
constexpr int kRefusalsToDepose = 3;
constexpr auto kLeasePoll = std::chrono::milliseconds(100);  // Lease::alive() has no signal
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);

// The election's value: "<node ID> <address>".
std::string candidate_value(const std::string& node_id, const std::string& addr) {
  return node_id + " " + addr;
}

// The election beside the store's keys, not under them (a follower watches those): prefix
// "/shoal/" elects under "/shoal-leader".
std::string election_name(std::string_view prefix) {
  if (prefix.ends_with('/')) prefix.remove_suffix(1);
  return std::string(prefix) + "-leader";
}

std::string addr_of_value(const std::string& value) {
  size_t space = value.find(' ');
  return space == std::string::npos ? "" : value.substr(space + 1);
}

enum class Probe { kAccepted, kRefused, kUnknown };

// Whether something listens at `addr` ("ip:port", "[ip6]:port"): accepted, refused (the host
// answered, nothing listens), or unknown (no answer within a probe, which says nothing).
Probe probe_endpoint(const std::string& addr) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return Probe::kUnknown;
  std::string host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = std::atoi(addr.c_str() + colon + 1);
  sockaddr_storage storage{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    return Probe::kUnknown;
  }
  int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Probe::kUnknown;
  Probe result = Probe::kAccepted;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), len) != 0) {
    result = errno == ECONNREFUSED ? Probe::kRefused : Probe::kUnknown;
    if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 200) == 1) {
        int err = 0;
        socklen_t err_len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len);
        result = err == 0              ? Probe::kAccepted
                 : err == ECONNREFUSED ? Probe::kRefused
                                       : Probe::kUnknown;
      }
    }
  }
  ::close(fd);
  return result;
}

}  // namespace

HaManager::HaManager(store::Store& store, ReplicatedStore replicated, const Clock& clock,
                     IdGenerator& ids, agent::Executor& executor, HaManagerOptions options)
    : store_(store),
      replicated_(std::move(replicated)),
      clock_(clock),
      ids_(ids),
      executor_(executor),
      options_(std::move(options)),
      observer_(replicated_.client, election_name(replicated_.prefix)) {}

HaManager::~HaManager() { stop(); }

void HaManager::start() {
  refresh_leader();
  store_.refuse_writes(not_leader());
  thread_ = std::thread([this] { run(); });
  leader_watch_ = std::thread([this] { watch_leader(); });
}

void HaManager::stop() {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    if (campaign_) campaign_->cancel();
  }
  changed_.notify_all();
  if (leader_watch_.joinable()) leader_watch_.join();
  if (thread_.joinable()) thread_.join();
  std::unique_ptr<WorkerRole> worker;
  {
    MutexLock lock(worker_mu_);
    worker = std::move(worker_);
  }
  if (worker) worker->stop();
}

bool HaManager::leading() const {
  MutexLock lock(mu_);
  return leading_;
}

std::string HaManager::leader_addr() const {
  MutexLock lock(mu_);
  return leader_addr_;
}

std::string HaManager::endpoint_error() const {
  MutexLock lock(mu_);
  return endpoint_error_;
}

void HaManager::leader_unreachable() {
  {
    MutexLock lock(mu_);
    refresh_now_ = true;
  }
  changed_.notify_all();
}

Status HaManager::wait_leading(std::chrono::milliseconds timeout) {
  MutexLock lock(mu_);
  if (changed_.wait_for(lock, timeout,
                        [&] {
                          mu_.assert_held();  // wait_for runs the predicate under the lock
                          return serving_ || stopping_;
                        }) &&
      serving_) {
    return Status::ok();
  }
  return error(Code::kUnavailable, "this manager does not lead after {} ms", timeout.count());
}

Status HaManager::catch_up(std::chrono::milliseconds timeout) {
  std::shared_ptr<etcd::Follower> follower;
  {
    MutexLock lock(mu_);
    follower = follower_;
  }
  if (!follower) return Status(Code::kUnavailable, "this manager is not following a leader");
  return follower->catch_up(timeout);
}

Status HaManager::not_leader() const {
  MutexLock lock(mu_);
  return not_leader_locked();
}

Status HaManager::not_leader_locked() const {
  const std::string& leader = leader_addr_;
  return error(Code::kUnavailable,
               "this manager is not the swarm's leader and cannot change the swarm; {}",
               leader.empty() ? std::string("no manager leads right now (an election is under way)")
                              : "send changes to the leader at " + leader);
}

bool HaManager::stopping() const {
  MutexLock lock(mu_);
  return stopping_;
}

bool HaManager::pause(std::chrono::milliseconds* backoff) {
  MutexLock lock(mu_);
  bool stop = changed_.wait_for(lock, *backoff, [&] {
    mu_.assert_held();  // wait_for runs the predicate under the lock
    return stopping_;
  });
  *backoff =
      std::min(*backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBackoff));
  return !stop;
}

void HaManager::run() {
  while (true) {
    std::shared_ptr<etcd::Lease> lease;
    etcd::LeaderKey key;
    if (!follow_until_elected(&lease, &key)) return;
    lead(*lease, key);
    if (stopping()) return;
  }
}

bool HaManager::follow_until_elected(std::shared_ptr<etcd::Lease>* lease, etcd::LeaderKey* key) {
  store_.refuse_writes(not_leader());
  auto follower =
      std::make_shared<etcd::Follower>(store_, *replicated_.datastore, replicated_.client,
                                       replicated_.prefix, replicated_.open_records);
  follower->start();
  {
    MutexLock lock(mu_);
    follower_ = follower;
  }
  // However this term ends, the follower stops with it.
  struct StopFollowing {
    HaManager* self;
    std::shared_ptr<etcd::Follower> follower;
    ~StopFollowing() {
      {
        MutexLock lock(self->mu_);
        self->follower_.reset();
      }
      follower->stop();
    }
  } stop_following{this, follower};
  std::chrono::milliseconds backoff(200);
  const std::string value = candidate_value(options_.role.node_id, options_.manager_addr);
  while (!stopping()) {
    auto granted = etcd::Lease::grant(replicated_.client, options_.lease_ttl);
    if (!granted.is_ok()) {
      spdlog::warn("manager election: no lease from etcd: {}", granted.status().message());
      if (!pause(&backoff)) return false;
      continue;
    }
    std::shared_ptr<etcd::Lease> candidate(std::move(granted).value());
    auto election =
        std::make_shared<etcd::Election>(replicated_.client, election_name(replicated_.prefix));
    {
      MutexLock lock(mu_);
      if (stopping_) return false;
      campaign_ = election;
      campaign_lease_ = candidate;
    }
    auto won = election->campaign(*candidate, value);
    {
      MutexLock lock(mu_);
      campaign_.reset();
      campaign_lease_.reset();
      if (stopping_) return false;
    }
    if (!won.is_ok()) {
      spdlog::warn("manager election: {}", won.status().message());
      candidate->revoke();
      if (!pause(&backoff)) return false;
      continue;
    }
    // Everything the old leader committed, before this manager writes anything.
    Status level = follower->catch_up(kCatchUpTimeout);
    if (!level.is_ok()) {
      spdlog::warn("manager election won, but the store is behind: {}; resigning", level.message());
      candidate->revoke();
      if (!pause(&backoff)) return false;
      continue;
    }
    *lease = std::move(candidate);
    *key = *won;
    return true;
  }
  return false;
}

void HaManager::lead(etcd::Lease& lease, const etcd::LeaderKey& key) {
  {
    MutexLock lock(mu_);
    leading_ = true;
    leader_addr_ = options_.manager_addr;
  }
  std::unique_ptr<WorkerRole> worker;
  {
    MutexLock lock(worker_mu_);
    worker = std::move(worker_);
    worker_leader_.clear();
  }
  if (worker) worker->stop();  // the ManagerRole's own agent takes its tasks over

  replicated_.datastore->fence_on(key);
  store_.accept_writes();
  std::unique_ptr<ManagerRole> role;
  Status started = mark_leader();
  if (started.is_ok()) {
    role = std::make_unique<ManagerRole>(store_, clock_, ids_, executor_, options_.role);
    started = role->start();
  }
  if (started.is_ok()) {
    spdlog::info("leading the swarm's managers (etcd lease {:x})", lease.id());
    MutexLock lock(mu_);
    endpoint_error_ = role->endpoint_error();
    serving_ = true;
    changed_.notify_all();
    while (!changed_.wait_for(lock, kLeasePoll, [&] {
      mu_.assert_held();  // wait_for runs the predicate under the lock
      return stopping_ || !lease.alive();
    })) {
    }
  } else {
    spdlog::error("cannot lead the swarm's managers: {}", started.message());
  }
  {
    MutexLock lock(mu_);
    leading_ = false;
    serving_ = false;
    leader_addr_.clear();
    endpoint_error_.clear();
  }
  store_.refuse_writes(not_leader());
  if (role) role->stop();
  lease.revoke();  // resign: the next manager leads at once
  if (stopping()) return;
  spdlog::warn("no longer leading the swarm's managers{}",
               started.is_ok() ? " (the etcd lease was lost)" : "");
  std::chrono::milliseconds backoff(200);
  Status reloaded;
  while (!(reloaded = store_.reload()).is_ok()) {
    spdlog::warn("reloading the store after leading: {}", reloaded.message());
    if (!pause(&backoff)) return;
  }
}

Status HaManager::mark_leader() {
  return store_.update([&](store::WriteTxn& tx) {
    for (const auto& node : tx.find<api::Node>()) {
      if (!node->ManagerStatus) continue;
      bool me = node->ID == options_.role.node_id;
      if (node->ManagerStatus->Leader == me &&
          (!me || node->ManagerStatus->Addr == options_.manager_addr)) {
        continue;
      }
      api::Node updated = *node;
      updated.ManagerStatus->Leader = me;
      if (me) {
        updated.ManagerStatus->Addr = options_.manager_addr;
        updated.ManagerStatus->Reachability = api::Reachability::kReachable;
      }
      SHOAL_RETURN_IF_ERROR(tx.update(std::move(updated)));
    }
    return Status::ok();
  });
}

std::optional<std::string> HaManager::refresh_leader() {
  auto current = observer_.current();
  if (!current.is_ok()) return std::nullopt;
  std::string addr = current->has_value() ? addr_of_value((*current)->value) : "";
  MutexLock lock(mu_);
  if (leading_) return std::nullopt;
  leader_addr_ = addr;
  if (current->has_value()) {
    if (!leader_key_ || leader_key_->key != (*current)->key.key ||
        leader_key_->revision != (*current)->key.revision) {
      leader_accepted_ = false;
      leader_refusals_ = 0;
    }
    leader_key_ = (*current)->key;
  } else {
    leader_key_.reset();
  }
  return addr;
}

void HaManager::probe_leader() {
  std::optional<etcd::LeaderKey> key;
  std::string addr;
  {
    MutexLock lock(mu_);
    if (leading_ || !leader_key_ || leader_addr_.empty() || leader_addr_ == options_.manager_addr) {
      return;
    }
    key = leader_key_;
    addr = leader_addr_;
  }
  Probe probe = probe_endpoint(addr);
  {
    MutexLock lock(mu_);
    if (!leader_key_ || leader_key_->revision != key->revision) return;  // changed meanwhile
    if (probe != Probe::kRefused) {
      leader_refusals_ = 0;
      if (probe == Probe::kAccepted) leader_accepted_ = true;
      return;
    }
    if (!leader_accepted_ || ++leader_refusals_ < kRefusalsToDepose) return;
    leader_refusals_ = 0;
  }
  // Its process is gone (the host answers, nothing listens): its lease would keep it leader
  // for a whole TTL more. Fencing keeps this safe even if it were alive.
  spdlog::warn("the leader at {} refuses connections: ending its leadership now", addr);
  if (Status st = observer_.depose(*key); !st.is_ok()) {
    spdlog::warn("could not end the leadership of {}: {}", addr, st.message());
  }
}

void HaManager::watch_leader() {
  for (int tick = 0;; ++tick) {
    {
      MutexLock lock(mu_);
      if (changed_.wait_for(lock, kProbeInterval,
                            [&] {
                              mu_.assert_held();  // as above
                              return stopping_ || refresh_now_;
                            }) &&
          stopping_) {
        return;
      }
      if (refresh_now_) {
        refresh_now_ = false;
        tick = 0;  // ask etcd now
      }
      // A campaign whose lease is gone would wait forever: start again with a new lease.
      if (campaign_ && campaign_lease_ && !campaign_lease_->alive()) campaign_->cancel();
      if (leading_) continue;
    }
    probe_leader();
    if (tick % kPollEvery != 0) continue;
    auto addr = refresh_leader();
    if (!addr) continue;
    {
      // Under mu_, so that a manager that has just started to lead (leading_ is set before
      // its store accepts writes) is never refused writes again here.
      MutexLock lock(mu_);
      if (leading_) continue;
      store_.refuse_writes(not_leader_locked());  // names the new leader
    }
    if (addr->empty() || *addr == options_.manager_addr) continue;
    MutexLock worker_lock(worker_mu_);
    if (worker_leader_ == *addr || leading()) continue;
    if (worker_) worker_->stop();
    worker_.reset();
    worker_leader_.clear();
    auto certs = ca::CertDir(options_.role.data_dir).read();
    if (!certs.is_ok()) {
      spdlog::warn("cannot run this manager's tasks under the leader at {}: {}", *addr,
                   certs.status().message());
      continue;
    }
    auto worker = std::make_unique<WorkerRole>(*options_.role.transport, executor_, clock_,
                                               WorkerRoleOptions{.node_id = options_.role.node_id,
                                                                 .manager_addr = *addr,
                                                                 .data_dir = options_.role.data_dir,
                                                                 .certs = std::move(*certs)});
    if (Status st = worker->start(); !st.is_ok()) {
      spdlog::warn("cannot run this manager's tasks under the leader at {}: {}", *addr,
                   st.message());
      continue;
    }
    spdlog::info("following the leader at {}", *addr);
    worker_ = std::move(worker);
    worker_leader_ = *addr;
  }
}

}  // namespace shoal::daemon
