#include "store/datastore/sealed.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "store/datastore/seal.h"

namespace shoal::store {

const std::set<std::string, std::less<>>& SealedDatastore::default_tables() {
  static const std::set<std::string, std::less<>> tables = {"clusters", "configs", "secrets"};
  return tables;
}

SealedDatastore::SealedDatastore(std::unique_ptr<Datastore> inner, DataKey key,
                                 std::set<std::string, std::less<>> tables)
    : inner_(std::move(inner)), key_(std::move(key)), tables_(std::move(tables)) {}

void SealedDatastore::set_key(DataKey key) {
  MutexLock lock(key_mu_);
  key_ = std::move(key);
}

DataKey SealedDatastore::key() const {
  MutexLock lock(key_mu_);
  return key_;
}

Result<uint64_t> SealedDatastore::load(const LoadFn& fn) {
  size_t plain = 0;
  size_t skipped = 0;
  const DataKey key = this->key();
  const bool skip = skip_unopenable_.load();
  auto revision = inner_->load([&](const Record& record) -> Status {
    if (record.op != Mutation::Op::kPut || !sealed_table(record.table)) return fn(record);
    if (!seal::is_sealed(record.value)) {
      ++plain;  // written before sealing existed: still readable, rewritten by a snapshot
      return fn(record);
    }
    Result<std::string> opened = seal::open(key, record.table, record.key, record.value);
    if (!opened.is_ok() && skip) {
      ++skipped;
      return Status::ok();
    }
    SHOAL_RETURN_IF_ERROR(opened.status());
    Record out = record;
    out.value = *opened;
    return fn(out);
  });
  plain_loaded_ = plain;
  skipped_ = skipped;
  if (skipped > 0) {
    spdlog::info(
        "store: left out {} sealed records this node has no key for (a swarm it has "
        "not joined)",
        skipped);
  }
  if (plain > 0) {
    spdlog::info(
        "store: {} records of sealed tables are not encrypted yet; a snapshot will "
        "rewrite them encrypted",
        plain);
    plain_on_disk_ = true;
  }
  return revision;
}

Status SealedDatastore::open_records(std::vector<Record>* records,
                                     std::deque<std::string>* opened) const {
  const DataKey key = this->key();
  for (Record& record : *records) {
    if (record.op != Mutation::Op::kPut || !sealed_table(record.table)) continue;
    if (!seal::is_sealed(record.value)) continue;  // as load(): an older plain record
    SHOAL_ASSIGN_OR_RETURN(std::string plain,
                           seal::open(key, record.table, record.key, record.value));
    record.value = opened->emplace_back(std::move(plain));
  }
  return Status::ok();
}

Status SealedDatastore::commit(const CommitBatch& batch) {
  CommitBatch out;
  out.revision = batch.revision;
  out.mutations.reserve(batch.mutations.size());
  std::deque<std::string> sealed;  // stable addresses for the views in `out`
  const DataKey key = this->key();
  for (const Mutation& m : batch.mutations) {
    Mutation copy = m;
    if (m.op == Mutation::Op::kPut && sealed_table(m.table)) {
      std::string& s = sealed.emplace_back();
      SHOAL_RETURN_IF_ERROR(seal::seal(key, m.table, m.key, m.value, &s));
      copy.value = s;
    }
    out.mutations.push_back(copy);
  }
  return inner_->commit(out);
}

bool SealedDatastore::wants_snapshot() const {
  return plain_on_disk_.load() || inner_->wants_snapshot();
}

Status SealedDatastore::begin_snapshot(uint64_t revision) {
  return inner_->begin_snapshot(revision);
}

Status SealedDatastore::write_snapshot(uint64_t revision, const SnapshotFn& produce) {
  const DataKey key = this->key();
  Status status = inner_->write_snapshot(revision, [&](const RecordSink& sink) {
    std::string sealed;
    return produce(
        [&](std::string_view table, std::string_view record_key, std::string_view value) {
          if (!sealed_table(table)) return sink(table, record_key, value);
          sealed.clear();
          SHOAL_RETURN_IF_ERROR(seal::seal(key, table, record_key, value, &sealed));
          return sink(table, record_key, sealed);
        });
  });
  if (status.is_ok()) plain_on_disk_ = false;
  return status;
}

}  // namespace shoal::store
