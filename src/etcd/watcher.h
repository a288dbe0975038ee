// Watcher: every change under a key prefix after a given etcd revision, in order, one etcd
// revision (one transaction, i.e. one store commit) at a time — how a follower manager keeps
// its in-memory store warm behind the leader's commits.
//
// A thread of the watcher's own reads etcd's watch stream and calls the callback for each
// revision in revision order, never twice and never out of order. When the stream breaks (a
// member restarts, the connection drops) it opens a new one from the revision after the last
// one delivered, so nothing is skipped. When etcd has compacted that revision away, the
// changes are lost to the watcher: it ends with kOutOfSequence and the owner must reload from
// a full read (EtcdDatastore::load).
//
// Thread safety: stop() from any thread but the callbacks'; callbacks run on the watcher's
// thread, one at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "etcd/client.h"

namespace grpc {
class ClientContext;
}

namespace shoal::etcd {

struct WatchedChange {
  enum class Op : uint8_t { kPut, kDelete };
  Op op = Op::kPut;
  std::string key;
  std::string value;  // kPut only
};

// The changes of one etcd revision, in the order the transaction made them.
struct WatchedRevision {
  int64_t revision = 0;
  std::vector<WatchedChange> changes;
};

class Watcher {
 public:
  using OnRevision = std::function<void(WatchedRevision)>;
  // Called once when the watcher ends by itself: kOutOfSequence (compacted past what was
  // delivered: reload), never after stop().
  using OnEnd = std::function<void(Status)>;

  // Starts watching keys under `prefix` changed after `after_revision`.
  Watcher(std::shared_ptr<Client> client, std::string prefix, int64_t after_revision,
          OnRevision on_revision, OnEnd on_end);
  ~Watcher();  // stop()

  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Ends the watch; no callback runs after it returns.
  void stop();
  // The last revision delivered (or the start point).
  int64_t delivered() const;

 private:
  void run();
  // One stream until it breaks or stop(); returns the reason it ended.
  Status watch_once();

  const std::shared_ptr<Client> client_;
  const std::string prefix_;
  const OnRevision on_revision_;
  const OnEnd on_end_;
  mutable Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  grpc::ClientContext* stream_ GUARDED_BY(mu_) = nullptr;
  int64_t delivered_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace shoal::etcd
