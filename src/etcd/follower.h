// Follower: keeps a manager's in-memory store level with the commits the leader makes in
// the etcd they share, so a follower serves reads from a warm store and can take over as
// leader without loading anything.
//
// The store is one opened on an EtcdDatastore (its load() is the starting point). A Watcher
// delivers every etcd revision after that load, in order; each is one leader commit, which
// the follower applies with Store::apply_replicated and then tells the datastore
// (EtcdDatastore::followed), so that a commit this manager makes once it leads is fenced on
// exactly what its store has seen. When the follower loses track — etcd compacted the
// history it needed, or a commit does not apply — it reloads the store (Store::reload: every
// store watch overflows and its consumer re-snapshots) and watches again from there.
//
// Thread safety: all methods from any thread; the watcher's and the reloading thread's work
// is the follower's own.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "etcd/client.h"
#include "etcd/datastore.h"
#include "etcd/watcher.h"
#include "store/store.h"

namespace shoal::etcd {

// What a store's datastore stack does to records on their way up, beyond the etcd layout
// (e.g. SealedDatastore::open_records): given the records of one commit, rewrites them in
// place, keeping any new bytes in `storage`.
using RecordOpener =
    std::function<Status(std::vector<store::Record>* records, std::deque<std::string>* storage)>;

class Follower {
 public:
  // `store` was opened on `datastore` (perhaps wrapped: `open` then does what the wrapper's
  // load() does); `client` reaches the same etcd. All must outlive the follower.
  Follower(store::Store& store, EtcdDatastore& datastore, std::shared_ptr<Client> client,
           std::string prefix, RecordOpener open = {});
  ~Follower();  // stop()
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Starts following from where the store is (EtcdDatastore::level_at).
  void start();
  // Stops; no commit is applied after it returns. Idempotent.
  void stop();

  // Waits until the store has applied every commit etcd held when this was called: before a
  // follower starts to lead, or to read what a forwarded write wrote.
  // Errors: kUnavailable (etcd unreachable; not started; not level within `timeout`).
  Status catch_up(std::chrono::milliseconds timeout);

  // The etcd revision the store is level with.
  int64_t applied() const;
  // How many times the follower reloaded the whole store (it lost track).
  int reloads() const;

 private:
  void on_revision(WatchedRevision watched);
  // Asks the reloading thread to reload (from the watcher's thread).
  void lost_track(const Status& why);
  void reload_loop();

  store::Store& store_;
  EtcdDatastore& datastore_;
  const std::shared_ptr<Client> client_;
  const std::string prefix_;
  const std::string revision_key_;
  const RecordOpener open_;

  mutable Mutex mu_;
  CondVar changed_;  // applied_, reload_, stopping_
  bool started_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool reload_ GUARDED_BY(mu_) = false;  // lost track: the watcher's callbacks do nothing
  int64_t applied_ GUARDED_BY(mu_) = 0;
  int reloads_ GUARDED_BY(mu_) = 0;
  std::unique_ptr<Watcher> watcher_ GUARDED_BY(mu_);
  std::thread reloader_;
};

}  // namespace shoal::etcd
