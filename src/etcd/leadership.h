// Leadership among managers through etcd: a lease this process keeps alive, and a campaign
// on an election name with etcd's election service (v3election), whose leader key is bound
// to the lease.
//
// A manager campaigns with its lease; etcd makes it leader when its key is the oldest under
// the name. If the manager dies or loses etcd, it stops renewing, the lease expires after its
// TTL, the key goes and the next candidate becomes leader. The leader key's create revision
// is the leadership's fencing token: EtcdDatastore::fence_on() conditions every commit on it,
// so a deposed leader that has not noticed yet cannot write.
//
// Thread safety: Lease and Campaign are safe from any thread; stop() may race a blocked
// campaign() (it cancels it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "common/status.h"
#include "etcd/client.h"

namespace grpc {
class ClientContext;
}

namespace shoal::etcd {

// An etcd lease renewed by a thread of this process every third of its TTL.
class Lease {
 public:
  // Errors: as Client calls.
  static Result<std::unique_ptr<Lease>> grant(std::shared_ptr<Client> client,
                                              std::chrono::seconds ttl);
  ~Lease();  // stops renewing and revokes the lease (best effort)

  int64_t id() const { return id_; }
  // False once etcd answered that the lease is gone, or a renewal has failed for a whole
  // TTL: whatever was bound to it may be gone (a leader must stop leading).
  bool alive() const;
  // Stops renewing and revokes: keys bound to the lease go at once.
  void revoke();
  // What etcd says is left of the lease's TTL (it grows back at each renewal).
  // Errors: kNotFound when etcd no longer has the lease; as Client calls.
  Result<std::chrono::seconds> remaining() const;

 private:
  Lease(std::shared_ptr<Client> client, int64_t id, std::chrono::seconds ttl);
  void keep_alive_loop();

  const std::shared_ptr<Client> client_;
  const int64_t id_;
  const std::chrono::seconds ttl_;
  mutable Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool lost_ GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point renewed_ GUARDED_BY(mu_);
  std::thread thread_;
};

// A won election: the key etcd made for this candidate under the election name.
struct LeaderKey {
  std::string name;
  std::string key;
  int64_t revision = 0;  // the key's create revision: the fencing token
  int64_t lease = 0;
};

class Election {
 public:
  Election(std::shared_ptr<Client> client, std::string name);

  // Blocks until this candidate (its `value`, e.g. the node ID and address) leads, bound to
  // `lease`. Errors: kUnavailable (etcd unreachable, or cancel() was called).
  Result<LeaderKey> campaign(const Lease& lease, const std::string& value);
  // Stops a blocked campaign().
  void cancel();
  // The current leader's value, or nullopt when there is none.
  Result<std::optional<std::string>> leader();
  // The current leader's value and key (with its lease), or nullopt when there is none.
  struct Current {
    std::string value;
    LeaderKey key;
  };
  Result<std::optional<Current>> current();
  // Ends the leadership of `key` by revoking its lease — for a candidate that knows the
  // leader's process is gone (its endpoint refuses connections) and need not wait for the
  // lease's TTL. Errors: as Client calls (an already expired lease is no error).
  Status depose(const LeaderKey& key);
  // Gives up a won leadership (its key is deleted; the next candidate leads).
  Status resign(const LeaderKey& key);

 private:
  const std::shared_ptr<Client> client_;
  const std::string name_;
  Mutex mu_;
  grpc::ClientContext* campaigning_ GUARDED_BY(mu_) = nullptr;
  bool cancelled_ GUARDED_BY(mu_) = false;
};

}  // namespace shoal::etcd
