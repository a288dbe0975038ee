// SealedDatastore: a Datastore wrapper that seals (datastore/seal.h) the records of the
// sensitive tables — secrets, configs (their Data) and clusters (the CA's signing key) — on
// their way to the wrapped datastore, and opens them on load. Only the persisted form changes:
// the store above sees plain records, so memory and API behaviour are those of the wrapped
// datastore.
//
// Older plain records (written before sealing existed) still load. When load() met any, the
// wrapper asks for a snapshot (wants_snapshot), so the whole state is rewritten sealed soon
// after start and the old log segments holding the plain records are deleted.
//
// Thread safety: as Datastore; the wrapper adds only an atomic flag.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "store/datastore/data_key.h"
#include "store/datastore/datastore.h"

namespace shoal::store {

class SealedDatastore final : public Datastore {
 public:
  // The tables whose records are sealed by default.
  static const std::set<std::string, std::less<>>& default_tables();

  // REQUIRES: inner is not null.
  SealedDatastore(std::unique_ptr<Datastore> inner, DataKey key,
                  std::set<std::string, std::less<>> tables = default_tables());

  // The wrapped datastore's records, the sealed ones opened.
  // Errors: the wrapped datastore's; fn's; kInternal when a sealed record does not open (see
  // seal::open: a wrong data key, a corrupt or altered record).
  Result<uint64_t> load(const LoadFn& fn) override;
  // Errors: the wrapped datastore's; kInternal when sealing fails (nothing is written then).
  Status commit(const CommitBatch& batch) override;
  // The wrapped datastore's wish, or true while plain records of a sealed table remain on disk.
  bool wants_snapshot() const override;
  Status begin_snapshot(uint64_t revision) override;
  // The snapshot's records pass through sealed. Once it succeeded, no plain record remains.
  Status write_snapshot(uint64_t revision, const SnapshotFn& produce) override;

  // Records of the wrapped datastore read some other way than load() (a follower's watch of
  // a shared datastore): opens those of sealed tables in place, their opened values kept in
  // `opened`. Errors: kInternal as load() (records then partly opened: drop them).
  Status open_records(std::vector<Record>* records, std::deque<std::string>* opened) const;

  // Seals and opens with `key` from now on (a manager that joined a swarm whose managers
  // share the store takes the swarm's key).
  void set_key(DataKey key);
  // The key records are sealed with now.
  DataKey key() const;

  // While on, a sealed record that does not open is left out of load() (and of
  // open_records) instead of failing it: for a daemon that shares the store of a swarm it has
  // not joined yet, which holds records sealed with a key it does not have. Off by default.
  void set_skip_unopenable(bool skip) { skip_unopenable_ = skip; }
  // Sealed records the last load() left out.
  size_t records_skipped() const { return skipped_.load(); }

  // Plain records of sealed tables met by the last load().
  size_t plain_records_loaded() const { return plain_loaded_.load(); }

 private:
  bool sealed_table(std::string_view table) const { return tables_.contains(table); }

  const std::unique_ptr<Datastore> inner_;
  mutable Mutex key_mu_;
  DataKey key_ GUARDED_BY(key_mu_);
  const std::set<std::string, std::less<>> tables_;
  std::atomic<size_t> plain_loaded_{0};
  std::atomic<bool> plain_on_disk_{false};
  std::atomic<bool> skip_unopenable_{false};
  std::atomic<size_t> skipped_{0};
};

}  // namespace shoal::store
