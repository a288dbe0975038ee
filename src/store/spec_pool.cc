#include "store/spec_pool.h"

#include <openssl/evp.h>

#include "store/codec.h"

namespace shoal::store {
namespace {

// First 128 bits of SHA-256, as 32 hex digits.
std::string content_ref(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace

SpecPool::Entry* SpecPool::intern(const std::shared_ptr<const api::TaskSpec>& spec,
                                  Aliases* aliases) {
  if (Entry* entry = find(spec.get())) return entry;
  if (auto it = aliases->find(spec.get()); it != aliases->end()) return it->second.second;
  std::string record;
  codec::encode(*spec, &record);
  std::string ref = content_ref(record);
  auto [it, inserted] = by_ref_.try_emplace(ref);
  Entry& entry = it->second;
  if (inserted) {
    entry.spec = spec;
    entry.ref = std::move(ref);
    entry.record = std::move(record);
    by_ptr_[spec.get()] = &entry;
    fresh_.push_back(entry.ref);
  } else {
    (*aliases)[spec.get()] = {spec, &entry};
  }
  return &entry;
}

SpecPool::Entry* SpecPool::find(const api::TaskSpec* spec) const {
  auto it = by_ptr_.find(spec);
  return it == by_ptr_.end() ? nullptr : it->second;
}

Status SpecPool::load(std::string_view ref, std::string_view record) {
  if (by_ref_.contains(absl::string_view(ref.data(), ref.size()))) return Status::ok();
  auto spec = std::make_shared<api::TaskSpec>();
  SHOAL_RETURN_IF_ERROR(codec::decode(record, spec.get()));
  auto [it, inserted] = by_ref_.try_emplace(std::string(ref));
  if (!inserted) return Status::ok();  // the same content: refs are content hashes
  Entry& entry = it->second;
  entry.spec = std::move(spec);
  entry.ref = std::string(ref);
  entry.persisted = true;
  by_ptr_[entry.spec.get()] = &entry;
  return Status::ok();
}

Result<std::shared_ptr<const api::TaskSpec>> SpecPool::resolve(std::string_view ref) {
  auto it = by_ref_.find(absl::string_view(ref.data(), ref.size()));
  if (it == by_ref_.end()) return error(Code::kInternal, "task spec {} is missing", ref);
  ++it->second.refs;
  return it->second.spec;
}

Status SpecPool::unload(std::string_view ref) {
  auto it = by_ref_.find(absl::string_view(ref.data(), ref.size()));
  if (it == by_ref_.end()) return Status::ok();
  if (it->second.refs > 0) {
    return error(Code::kInternal, "task spec {} is deleted while {} tasks use it", ref,
                 it->second.refs);
  }
  by_ptr_.erase(it->second.spec.get());
  by_ref_.erase(it);
  return Status::ok();
}

void SpecPool::release(const api::TaskSpec* spec) {
  if (Entry* entry = find(spec)) --entry->refs;
}

std::vector<std::pair<std::string, std::shared_ptr<const api::TaskSpec>>> SpecPool::used() const {
  std::vector<std::pair<std::string, std::shared_ptr<const api::TaskSpec>>> out;
  for (const auto& [ref, entry] : by_ref_) {
    if (entry.refs > 0) out.emplace_back(ref, entry.spec);
  }
  return out;
}

void SpecPool::finish_load() {
  for (const auto& [ref, entry] : by_ref_) {
    if (entry.refs == 0) orphans_.push_back(ref);
  }
}

void SpecPool::add_mutations(const Delta& delta, std::vector<Mutation>* puts,
                             std::vector<Mutation>* deletes) const {
  for (const auto& [entry, change] : delta) {
    int64_t refs = entry->refs + change;
    if (refs > 0 && !entry->persisted) {
      puts->push_back(Mutation{Mutation::Op::kPut, kTaskSpecsTable, entry->ref, entry->record});
    } else if (refs == 0 && entry->persisted) {
      deletes->push_back(Mutation{Mutation::Op::kDelete, kTaskSpecsTable, entry->ref, {}});
    }
  }
  for (const std::string& ref : orphans_) {
    auto it = by_ref_.find(ref);
    if (it == by_ref_.end() || it->second.refs > 0 || delta.contains(&it->second)) continue;
    deletes->push_back(Mutation{Mutation::Op::kDelete, kTaskSpecsTable, ref, {}});
  }
}

void SpecPool::apply(const Delta& delta) {
  std::vector<std::string> dead;
  for (const auto& [entry, change] : delta) {
    entry->refs += change;
    if (entry->refs > 0 && !entry->persisted) {
      entry->persisted = true;
      std::string().swap(entry->record);  // the datastore has it now
    } else if (entry->refs == 0) {
      dead.push_back(entry->ref);
    }
  }
  for (const std::string& ref : orphans_) dead.push_back(ref);
  orphans_.clear();
  for (const std::string& ref : dead) erase_unused(ref);
  sweep();
}

void SpecPool::sweep() {
  for (const std::string& ref : fresh_) erase_unused(ref);
  fresh_.clear();
}

void SpecPool::erase_unused(const std::string& ref) {
  auto it = by_ref_.find(ref);
  if (it == by_ref_.end() || it->second.refs > 0) return;
  by_ptr_.erase(it->second.spec.get());
  by_ref_.erase(it);
}

}  // namespace shoal::store
