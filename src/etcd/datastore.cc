#include "etcd/datastore.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <unordered_map>

namespace shoal::etcd {
namespace {

using store::CommitBatch;
using store::Mutation;

Result<uint64_t> parse_revision(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return error(Code::kInternal, "etcd datastore: the revision record is not a number: {:?}",
                 std::string(text.substr(0, 40)));
  }
  return value;
}

// What etcd's refusals mean for whoever runs it: the two limits a store batch meets.
Status explain_refusal(const Status& status, size_t ops, size_t bytes) {
  const std::string& m = status.message();
  if (m.find("too many operations") != std::string::npos) {
    return error(Code::kInvalidArgument,
                 "{}: a commit of {} operations is over the server's --max-txn-ops", m, ops);
  }
  if (m.find("too large") != std::string::npos || m.find("larger than max") != std::string::npos) {
    return error(Code::kInvalidArgument,
                 "{}: a commit of {} bytes is over the server's --max-request-bytes", m, bytes);
  }
  return status;
}

}  // namespace

EtcdDatastore::EtcdDatastore(EtcdDatastoreOptions options)
    : options_(std::move(options)),
      records_prefix_(options_.prefix + "r/"),
      revision_key_(options_.prefix + "revision"),
      client_(options_.client) {}

Result<uint64_t> EtcdDatastore::load(const store::LoadFn& fn) {
  MutexLock lock(mu_);
  // The revision record first: its answer's header fixes the etcd revision every page is
  // read at, so the pages and the revision are one consistent view.
  auto head = client_.range(revision_key_, "", 0, 1);
  if (!head.is_ok()) {
    return error(head.status().code(), "etcd datastore: cannot read the store from etcd at {}: {}",
                 fmt::join(options_.client.endpoints, ","), head.status().message());
  }
  const int64_t at = head->header().revision();
  uint64_t store_revision = 0;
  int64_t fence = 0;
  if (head->kvs_size() > 0) {
    SHOAL_ASSIGN_OR_RETURN(store_revision, parse_revision(head->kvs(0).value()));
    fence = head->kvs(0).mod_revision();
  }

  const std::string end = prefix_end(records_prefix_);
  std::string from = records_prefix_;
  while (true) {
    auto page = client_.range(from, end, at, options_.load_page_keys);
    if (!page.is_ok()) {
      if (page.status().code() == Code::kOutOfSequence) {
        return error(Code::kUnavailable,
                     "etcd datastore: the state was compacted while it was being loaded "
                     "(etcd revision {}); load again: {}",
                     at, page.status().message());
      }
      return page.status();
    }
    for (const auto& kv : page->kvs()) {
      std::string_view rest = std::string_view(kv.key()).substr(records_prefix_.size());
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
        return error(Code::kInternal, "etcd datastore: a key that is not a record: {:?}", kv.key());
      }
      SHOAL_RETURN_IF_ERROR(fn(store::Record{Mutation::Op::kPut, rest.substr(0, slash),
                                             rest.substr(slash + 1), kv.value()}));
    }
    if (!page->more() || page->kvs_size() == 0) break;
    from = page->kvs(page->kvs_size() - 1).key();
    from.push_back('\0');  // the next key after the last one read
  }
  last_revision_ = store_revision;
  fence_ = fence;
  loaded_at_ = at;
  etcd_cluster_id_ = head->header().cluster_id();
  failed_.clear();
  return store_revision;
}

uint64_t EtcdDatastore::etcd_cluster_id() const {
  MutexLock lock(mu_);
  return etcd_cluster_id_;
}

int64_t EtcdDatastore::level_at() const {
  MutexLock lock(mu_);
  return std::max(loaded_at_, fence_);
}

Status EtcdDatastore::decode_commit(const WatchedRevision& watched, uint64_t* store_revision,
                                    std::vector<store::Record>* records) const {
  bool has_revision = false;
  records->clear();
  records->reserve(watched.changes.size());
  for (const WatchedChange& change : watched.changes) {
    std::string_view key = change.key;
    if (key == revision_key_) {
      if (change.op != WatchedChange::Op::kPut) {
        return error(Code::kInternal, "etcd datastore: the revision record was deleted at {}",
                     watched.revision);
      }
      SHOAL_ASSIGN_OR_RETURN(*store_revision, parse_revision(change.value));
      has_revision = true;
      continue;
    }
    if (!key.starts_with(records_prefix_)) {
      return error(Code::kInternal, "etcd datastore: a key that is not a record: {:?}",
                   std::string(key.substr(0, 200)));
    }
    std::string_view rest = key.substr(records_prefix_.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
      return error(Code::kInternal, "etcd datastore: a key that is not a record: {:?}",
                   std::string(key.substr(0, 200)));
    }
    records->push_back(store::Record{
        change.op == WatchedChange::Op::kPut ? Mutation::Op::kPut : Mutation::Op::kDelete,
        rest.substr(0, slash), rest.substr(slash + 1), change.value});
  }
  if (!has_revision) {
    return error(Code::kInternal,
                 "etcd datastore: etcd revision {} changes records without the revision record "
                 "(a writer that is not shoal's)",
                 watched.revision);
  }
  return Status::ok();
}

void EtcdDatastore::followed(uint64_t store_revision, int64_t etcd_revision) {
  MutexLock lock(mu_);
  if (etcd_revision <= fence_) return;
  last_revision_ = store_revision;
  fence_ = etcd_revision;
}

Status EtcdDatastore::commit(const CommitBatch& batch) {
  MutexLock lock(mu_);
  if (!failed_.empty()) return Status(Code::kUnavailable, failed_);
  if (batch.revision <= last_revision_) {
    return error(Code::kFailedPrecondition,
                 "etcd datastore: revision {} is not after the last committed {}", batch.revision,
                 last_revision_);
  }
  // etcd refuses a transaction that names a key twice: the last mutation of each key is the
  // batch's effect on it.
  std::unordered_map<std::string, size_t> last_of_key;
  std::vector<std::string> keys;
  keys.reserve(batch.mutations.size());
  for (size_t i = 0; i < batch.mutations.size(); ++i) {
    const Mutation& m = batch.mutations[i];
    if (m.table.empty() || m.key.empty() || m.table.find('/') != std::string_view::npos) {
      return error(Code::kInvalidArgument, "etcd datastore: a mutation needs a table and a key");
    }
    keys.push_back(records_prefix_ + std::string(m.table) + "/" + std::string(m.key));
    last_of_key[keys.back()] = i;
  }

  etcdserverpb::TxnRequest request;
  auto* compare = request.add_compare();
  compare->set_key(revision_key_);
  compare->set_target(etcdserverpb::Compare::MOD);
  compare->set_result(etcdserverpb::Compare::EQUAL);
  compare->set_mod_revision(fence_);
  if (leader_) {
    auto* still_leader = request.add_compare();
    still_leader->set_key(leader_->key);
    still_leader->set_target(etcdserverpb::Compare::CREATE);
    still_leader->set_result(etcdserverpb::Compare::EQUAL);
    still_leader->set_create_revision(leader_->revision);
  }
  size_t bytes = 0;
  for (size_t i = 0; i < batch.mutations.size(); ++i) {
    if (last_of_key[keys[i]] != i) continue;
    const Mutation& m = batch.mutations[i];
    auto* op = request.add_success();
    if (m.op == Mutation::Op::kPut) {
      auto* put = op->mutable_request_put();
      put->set_key(std::move(keys[i]));
      put->set_value(std::string(m.value));
      bytes += put->key().size() + put->value().size();
    } else {
      auto* del = op->mutable_request_delete_range();
      del->set_key(std::move(keys[i]));
      bytes += del->key().size();
    }
  }
  auto* put_revision = request.add_success()->mutable_request_put();
  put_revision->set_key(revision_key_);
  put_revision->set_value(std::to_string(batch.revision));

  auto response = client_.txn(request);
  if (!response.is_ok()) {
    if (outcome_unknown(response.status())) return resolve_unknown(batch, response.status());
    return explain_refusal(response.status(), static_cast<size_t>(request.success_size()), bytes);
  }
  if (!response->succeeded()) {
    failed_ = leadership_ended()
                  ? "etcd datastore: this manager is no longer the leader (its election key "
                    "is gone); it may not write"
                  : "etcd datastore: another writer committed since this manager last loaded "
                    "the store (it is no longer the only writer); reload";
    return Status(Code::kUnavailable, failed_);
  }
  last_revision_ = batch.revision;
  fence_ = response->header().revision();
  maybe_compact(fence_);
  return Status::ok();
}

Status EtcdDatastore::resolve_unknown(const CommitBatch& batch, const Status& cause) {
  // The revision key says what happened: still at our fence, the transaction was not applied
  // (and, fenced, never will be); at this batch's revision, it was; anything else, another
  // writer has been there.
  auto now = client_.range(revision_key_, "", 0, 1);
  if (!now.is_ok()) {
    failed_ = fmt::format(
        "etcd datastore: a commit's outcome is unknown ({}) and etcd cannot be read to learn it "
        "({}); reload",
        cause.message(), now.status().message());
    return Status(Code::kInternal, failed_);
  }
  const int64_t mod = now->kvs_size() > 0 ? now->kvs(0).mod_revision() : 0;
  if (mod == fence_) return cause;  // not applied: the datastore stays usable
  if (now->kvs_size() > 0 && now->kvs(0).value() == std::to_string(batch.revision)) {
    last_revision_ = batch.revision;
    fence_ = mod;
    spdlog::info("etcd datastore: commit {} landed although its answer was lost ({})",
                 batch.revision, cause.message());
    return Status::ok();
  }
  failed_ =
      "etcd datastore: another writer committed while this manager's commit was in flight; "
      "reload";
  return Status(Code::kUnavailable, failed_);
}

void EtcdDatastore::fence_on(const LeaderKey& leader) {
  MutexLock lock(mu_);
  leader_ = leader;
}

bool EtcdDatastore::leadership_ended() {
  if (!leader_) return false;
  auto now = client_.range(leader_->key, "", 0, 1);
  return now.is_ok() &&
         (now->kvs_size() == 0 || now->kvs(0).create_revision() != leader_->revision);
}

void EtcdDatastore::maybe_compact(int64_t etcd_revision) {
  if (options_.compact_every <= 0) return;
  const int64_t target = etcd_revision - options_.keep_revisions;
  if (target <= 0 || target - compacted_ < options_.compact_every) return;
  Status s = client_.compact(target);
  // A failed compaction costs only disk until the next one; a compacted one is fine too.
  if (!s.is_ok() && s.code() != Code::kOutOfSequence) {
    spdlog::warn("etcd datastore: compaction to revision {}: {}", target, s.message());
    return;
  }
  compacted_ = target;
}

}  // namespace shoal::etcd
