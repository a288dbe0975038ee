// HaManager: the manager role of a daemon whose store lives in an etcd that other managers
// share (--etcd-endpoints; docs/ha.md). Every such manager campaigns for leadership on the
// etcd election "<prefix>-leader" (beside the store's keys), bound to a lease this process keeps
// alive:
//
//   - The leader fences its datastore on its election key (a deposed leader cannot write),
//     marks itself Leader in the Node objects, and runs the ManagerRole: reconcilers,
//     dispatcher, CA endpoint and its own agent.
//   - A follower keeps its in-memory store level with the leader's commits (etcd::Follower)
//     and serves reads from it; its store refuses writes (WriteForwarder sends the API's
//     writes to the leader). Its own tasks run under a WorkerRole connected to the leader's
//     dispatcher.
//   - A follower that wins the election first applies every commit the old leader made
//     (Follower::catch_up), then leads. A leader whose lease is lost (etcd unreachable for a
//     TTL) stops leading at once, reloads its store and follows again.
//
// Failover: a stopped daemon resigns, so the next manager leads at once. A killed one is
// noticed by the followers, which probe the leader's endpoint every 100 ms: once it has
// been seen listening and then refuses connections three times in a row (its process is
// gone), a follower revokes its lease (etcd::Election::depose) instead of waiting out the
// TTL; fencing keeps that safe even if the leader were alive. A leader whose host is gone
// (no answer at all) loses its key when its lease expires (lease_ttl).
//
// Thread safety: start()/stop() from one owner thread; the rest from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "agent/executor.h"
#include "common/id.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/time.h"
#include "daemon/cluster_transport.h"
#include "daemon/manager_role.h"
#include "daemon/worker_role.h"
#include "etcd/datastore.h"
#include "etcd/follower.h"
#include "etcd/leadership.h"
#include "store/datastore/sealed.h"
#include "store/store.h"

namespace shoal::daemon {

// A store opened on an EtcdDatastore (possibly wrapped), and what following it needs.
struct ReplicatedStore {
  etcd::EtcdDatastore* datastore = nullptr;  // under the store's datastore stack
  store::SealedDatastore* sealed = nullptr;  // the stack's top: seals with the swarm's key
  etcd::RecordOpener open_records = {};      // what the wrappers above it do on load
  std::shared_ptr<etcd::Client> client = {};
  std::string prefix = "/shoal/";
};

struct HaManagerOptions {
  ManagerRoleOptions role;   // the ManagerRole this manager runs while it leads
  std::string manager_addr;  // where other nodes reach this manager ("host:port")
  std::chrono::seconds lease_ttl{2};
};

class HaManager {
 public:
  // Every referent must outlive the manager; options.role.transport must not be null.
  HaManager(store::Store& store, ReplicatedStore replicated, const Clock& clock, IdGenerator& ids,
            agent::Executor& executor, HaManagerOptions options);
  ~HaManager();  // stop()
  HaManager(const HaManager&) = delete;
  HaManager& operator=(const HaManager&) = delete;

  // Starts following and campaigning in the background.
  void start();
  // Stops leading (resigning) or following; tasks keep running. Idempotent.
  void stop();

  bool leading() const;
  // Waits until this manager leads with its manager role started (after swarm init: the
  // only manager, it leads at once). Errors: kUnavailable when `timeout` passes first.
  Status wait_leading(std::chrono::milliseconds timeout);
  // The leader did not answer (a forwarded write failed): ask etcd who leads now instead of
  // at the next poll.
  void leader_unreachable();
  // While following: waits until the store holds every commit the leader has made (after a
  // forwarded write, so that the next read sees it). Errors: kUnavailable (not following,
  // etcd unreachable, not level within `timeout`).
  Status catch_up(std::chrono::milliseconds timeout);
  // The leader's address as the election says ("" when none is known).
  std::string leader_addr() const;
  // Why the endpoint does not serve, while leading ("" otherwise).
  std::string endpoint_error() const;

 private:
  void run();
  // One term as a follower, until this manager wins the election (true) or stops (false).
  bool follow_until_elected(std::shared_ptr<etcd::Lease>* lease, etcd::LeaderKey* key);
  // One term as the leader, until the lease is lost or stop().
  void lead(etcd::Lease& lease, const etcd::LeaderKey& key);
  // While following: asks etcd who leads and records it. nullopt when etcd does not answer
  // or this manager leads now.
  std::optional<std::string> refresh_leader();
  // While following: ends the leadership of a leader whose endpoint keeps refusing
  // connections (its process is gone) instead of waiting out its lease.
  void probe_leader();
  // Keeps this node's WorkerRole connected to the current leader, while following.
  void watch_leader();
  // Sets Leader on this node's ManagerStatus and clears it on the others.
  Status mark_leader();
  Status not_leader() const;
  Status not_leader_locked() const REQUIRES(mu_);
  bool stopping() const;
  // Waits `backoff` (doubling it for next time) unless stop() comes first; false then.
  bool pause(std::chrono::milliseconds* backoff);

  store::Store& store_;
  const ReplicatedStore replicated_;
  const Clock& clock_;
  IdGenerator& ids_;
  agent::Executor& executor_;
  const HaManagerOptions options_;
  etcd::Election observer_;  // reads who leads; never campaigns

  // Held while the store is told to refuse writes (store::Store::refuse_writes takes its
  // writer lock): nothing the store calls takes mu_.
  mutable Mutex mu_;
  CondVar changed_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool leading_ GUARDED_BY(mu_) = false;
  bool serving_ GUARDED_BY(mu_) = false;  // leading, with the manager role started
  std::string leader_addr_ GUARDED_BY(mu_);
  std::optional<etcd::LeaderKey> leader_key_ GUARDED_BY(mu_);  // while following
  bool leader_accepted_ GUARDED_BY(mu_) = false;               // its endpoint was seen listening
  int leader_refusals_ GUARDED_BY(mu_) = 0;                    // refused probes in a row
  bool refresh_now_ GUARDED_BY(mu_) = false;                   // leader_unreachable() was called
  std::string endpoint_error_ GUARDED_BY(mu_);
  // The running campaign and its lease (for stop(), and to restart one whose lease died).
  std::shared_ptr<etcd::Election> campaign_ GUARDED_BY(mu_);
  std::shared_ptr<etcd::Lease> campaign_lease_ GUARDED_BY(mu_);
  std::shared_ptr<etcd::Follower> follower_ GUARDED_BY(mu_);  // while following

  // Taken before mu_ when both are held.
  Mutex worker_mu_;
  std::unique_ptr<WorkerRole> worker_ GUARDED_BY(worker_mu_);  // while following
  std::string worker_leader_ GUARDED_BY(worker_mu_);           // where worker_ connects
  std::thread thread_;
  std::thread leader_watch_;
};

}  // namespace shoal::daemon
