#include "store/datastore/memory.h"

namespace shoal::store {

Result<uint64_t> MemoryDatastore::revision() {
  std::lock_guard lock(disk_->mu);
  return disk_->revision;
}

Status MemoryDatastore::scan(std::string_view table, const ScanFn& fn) {
  {
    std::lock_guard lock(mu_);
    if (!scan_fault_.is_ok()) return scan_fault_;
  }
  std::lock_guard lock(disk_->mu);
  std::string t(table);
  for (auto it = disk_->records.lower_bound({t, std::string()});
       it != disk_->records.end() && it->first.first == t; ++it) {
    SHOAL_RETURN_IF_ERROR(fn(it->first.second, it->second));
  }
  return Status::ok();
}

Status MemoryDatastore::commit(const CommitBatch& batch) {
  {
    std::lock_guard lock(mu_);
    if (!commit_fault_.is_ok()) {
      if (commit_fault_skip_ == 0) return std::exchange(commit_fault_, Status::ok());
      --commit_fault_skip_;
    }
  }
  std::lock_guard lock(disk_->mu);
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
    auto key = std::make_pair(std::string(m.table), m.key);
    if (m.op == Mutation::Op::kPut) {
      disk_->records[std::move(key)] = m.value;
    } else {
      disk_->records.erase(key);
    }
  }
  disk_->revision = batch.revision;
  std::lock_guard stats(mu_);
  ++commits_;
  last_batch_size_ = batch.mutations.size();
  return Status::ok();
}

void MemoryDatastore::fail_commit(Status status, int skip) {
  std::lock_guard lock(mu_);
  commit_fault_ = std::move(status);
  commit_fault_skip_ = skip;
}

void MemoryDatastore::fail_scans(Status status) {
  std::lock_guard lock(mu_);
  scan_fault_ = std::move(status);
}

int MemoryDatastore::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

size_t MemoryDatastore::last_batch_size() const {
  std::lock_guard lock(mu_);
  return last_batch_size_;
}

}  // namespace shoal::store
