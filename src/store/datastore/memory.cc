#include "store/datastore/memory.h"

#include "common/mutex.h"

namespace shoal::store {

Result<uint64_t> MemoryDatastore::load(const LoadFn& fn) {
  {
    MutexLock lock(mu_);
    if (!load_fault_.is_ok()) return load_fault_;
  }
  MutexLock lock(disk_->mu);
  for (const auto& [key, value] : disk_->records) {
    SHOAL_RETURN_IF_ERROR(fn(Record{Mutation::Op::kPut, key.first, key.second, value}));
  }
  return disk_->revision;
}

Status MemoryDatastore::commit(const CommitBatch& batch) {
  {
    MutexLock lock(mu_);
    if (!commit_fault_.is_ok()) {
      if (commit_fault_skip_ == 0) return std::exchange(commit_fault_, Status::ok());
      --commit_fault_skip_;
    }
  }
  MutexLock lock(disk_->mu);
  if (batch.revision <= disk_->revision) {
    return error(Code::kFailedPrecondition, "store revision {} is not above the stored {}",
                 batch.revision, disk_->revision);
  }
  for (const Mutation& m : batch.mutations) {
    if (m.table.empty() || m.key.empty()) {
      return error(Code::kInvalidArgument, "store mutation without table or key");
    }
  }
  for (const Mutation& m : batch.mutations) {
    auto key = std::make_pair(std::string(m.table), std::string(m.key));
    if (m.op == Mutation::Op::kPut) {
      disk_->records[std::move(key)] = std::string(m.value);
    } else {
      disk_->records.erase(key);
    }
  }
  disk_->revision = batch.revision;
  MutexLock stats(mu_);
  ++commits_;
  ++commits_since_snapshot_;
  last_batch_size_ = batch.mutations.size();
  return Status::ok();
}

bool MemoryDatastore::wants_snapshot() const {
  MutexLock lock(mu_);
  return snapshot_every_ > 0 && pending_snapshot_ == 0 &&
         commits_since_snapshot_ >= snapshot_every_;
}

Status MemoryDatastore::begin_snapshot(uint64_t revision) {
  MutexLock lock(mu_);
  if (pending_snapshot_ != 0) return Status(Code::kFailedPrecondition, "snapshot in progress");
  pending_snapshot_ = revision;
  commits_since_snapshot_ = 0;
  return Status::ok();
}

Status MemoryDatastore::write_snapshot(uint64_t revision, const SnapshotFn& produce) {
  {
    MutexLock lock(mu_);
    if (pending_snapshot_ != revision) {
      return error(Code::kFailedPrecondition, "snapshot {} was not begun", revision);
    }
    pending_snapshot_ = 0;
    if (!snapshot_fault_.is_ok()) return std::exchange(snapshot_fault_, Status::ok());
  }
  Records snapshot;
  SHOAL_RETURN_IF_ERROR(
      produce([&](std::string_view table, std::string_view key, std::string_view value) {
        snapshot[{std::string(table), std::string(key)}] = std::string(value);
        return Status::ok();
      }));
  MutexLock lock(disk_->mu);
  disk_->snapshot = std::move(snapshot);
  disk_->snapshot_revision = revision;
  ++disk_->snapshots;
  return Status::ok();
}

void MemoryDatastore::fail_commit(Status status, int skip) {
  MutexLock lock(mu_);
  commit_fault_ = std::move(status);
  commit_fault_skip_ = skip;
}

void MemoryDatastore::fail_loads(Status status) {
  MutexLock lock(mu_);
  load_fault_ = std::move(status);
}

void MemoryDatastore::snapshot_every(int commits) {
  MutexLock lock(mu_);
  snapshot_every_ = commits;
}

void MemoryDatastore::fail_snapshot(Status status) {
  MutexLock lock(mu_);
  snapshot_fault_ = std::move(status);
}

int MemoryDatastore::commits() const {
  MutexLock lock(mu_);
  return commits_;
}

size_t MemoryDatastore::last_batch_size() const {
  MutexLock lock(mu_);
  return last_batch_size_;
}

}  // namespace shoal::store
