// MemoryDatastore: a Datastore kept in memory, for tests of the store and of its users.
//
// Its records live in a `Disk` shared by pointer, so a test can drop a Store and reopen a
// new one on the same Disk to check recovery. Faults are injected per commit: a failed
// commit writes nothing, as the Datastore contract requires of clean failures.
//
// Thread safety: thread-safe (one mutex); fault injection may race with commits.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "store/datastore/datastore.h"

namespace shoal::store {

class MemoryDatastore final : public Datastore {
 public:
  // What a durable medium would hold.
  struct Disk {
    std::mutex mu;
    std::map<std::pair<std::string, std::string>, std::string> records;  // GUARDED_BY(mu)
    uint64_t revision = 0;                                                // GUARDED_BY(mu)
  };

  MemoryDatastore() : MemoryDatastore(std::make_shared<Disk>()) {}
  explicit MemoryDatastore(std::shared_ptr<Disk> disk) : disk_(std::move(disk)) {}

  Result<uint64_t> revision() override;
  Status scan(std::string_view table, const ScanFn& fn) override;
  Status commit(const CommitBatch& batch) override;

  // The commit after `skip` more successful ones fails with `status` (not OK), once.
  void fail_commit(Status status, int skip = 0);
  // Every scan fails with `status` while it is not OK.
  void fail_scans(Status status);

  int commits() const;          // successful commits by this instance
  size_t last_batch_size() const;  // mutations in the last successful commit
  const std::shared_ptr<Disk>& disk() const { return disk_; }

 private:
  const std::shared_ptr<Disk> disk_;
  mutable std::mutex mu_;
  Status commit_fault_;     // GUARDED_BY(mu_)
  int commit_fault_skip_ = 0;  // GUARDED_BY(mu_)
  Status scan_fault_;       // GUARDED_BY(mu_)
  int commits_ = 0;         // GUARDED_BY(mu_)
  size_t last_batch_size_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace shoal::store
