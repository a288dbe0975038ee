// MemoryDatastore: a Datastore kept in memory, for tests of the store and of its users.
//
// Its records live in a `Disk` shared by pointer, so a test can drop a Store and reopen a
// new one on the same Disk to check recovery. load() replays the records in (table, key)
// order (so "task_specs" comes before "tasks", as the store needs). Faults are injected per
// call: a failed commit writes nothing, as the Datastore contract requires of clean failures.
// Snapshots, when asked for (snapshot_every), are kept beside the records so a test can
// compare what the store produced with what it committed.
//
// Thread safety: thread-safe (one mutex per object); fault injection may race with commits.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "common/mutex.h"
#include "store/datastore/datastore.h"

namespace shoal::store {

class MemoryDatastore final : public Datastore {
 public:
  using Records = std::map<std::pair<std::string, std::string>, std::string>;

  // What a durable medium would hold.
  struct Disk {
    Mutex mu;
    Records records GUARDED_BY(mu);
    uint64_t revision GUARDED_BY(mu) = 0;
    Records snapshot GUARDED_BY(mu);  // the last snapshot written
    uint64_t snapshot_revision GUARDED_BY(mu) = 0;
    int snapshots GUARDED_BY(mu) = 0;  // snapshots written
  };

  MemoryDatastore() : MemoryDatastore(std::make_shared<Disk>()) {}
  explicit MemoryDatastore(std::shared_ptr<Disk> disk) : disk_(std::move(disk)) {}

  Result<uint64_t> load(const LoadFn& fn) override;
  Status commit(const CommitBatch& batch) override;
  bool wants_snapshot() const override;
  Status begin_snapshot(uint64_t revision) override;
  Status write_snapshot(uint64_t revision, const SnapshotFn& produce) override;

  // The commit after `skip` more successful ones fails with `status` (not OK), once.
  void fail_commit(Status status, int skip = 0);
  // load() fails with `status` while it is not OK.
  void fail_loads(Status status);
  // Wants a snapshot after every `commits` commits (0: never, the default).
  void snapshot_every(int commits);
  // The next write_snapshot fails with `status`, once.
  void fail_snapshot(Status status);

  int commits() const;             // successful commits by this instance
  size_t last_batch_size() const;  // mutations in the last successful commit
  const std::shared_ptr<Disk>& disk() const { return disk_; }

 private:
  const std::shared_ptr<Disk> disk_;
  mutable Mutex mu_;
  Status commit_fault_ GUARDED_BY(mu_);
  int commit_fault_skip_ GUARDED_BY(mu_) = 0;
  Status load_fault_ GUARDED_BY(mu_);
  Status snapshot_fault_ GUARDED_BY(mu_);
  int snapshot_every_ GUARDED_BY(mu_) = 0;
  int commits_ GUARDED_BY(mu_) = 0;
  int commits_since_snapshot_ GUARDED_BY(mu_) = 0;
  uint64_t pending_snapshot_ GUARDED_BY(mu_) = 0;
  size_t last_batch_size_ GUARDED_BY(mu_) = 0;
};

}  // namespace shoal::store
