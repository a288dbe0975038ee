// Store recovery and snapshots: replaying the datastore at open, and handing it a copy of
// the state in the background when its log has grown.
#include <absl/container/flat_hash_map.h>
#include <pthread.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "store/record_decode.h"
#include "store/store.h"

namespace shoal::store {

// ---------------------------------------------------------------------------------------------
// Loading.

namespace {

// Applies one loaded record to `tables` (ID index only; indexes are built at the end) and
// `specs`.
template <typename T>
Status replay_object(const Record& record, Tables* tables, SpecPool* specs) {
  Table<T>& table = tables->of<T>();
  const std::shared_ptr<const T>* found = table.get(record.key);
  std::shared_ptr<const T> existing = found != nullptr ? *found : nullptr;
  if (existing) {
    if constexpr (std::is_same_v<T, api::Task>) specs->release(existing->Spec.get());
  }
  if (record.op == Mutation::Op::kDelete) {
    if (!existing) {
      return error(Code::kInternal, "{} {} is deleted but was never stored", kind_name(kind_of<T>),
                   record.key);
    }
    table.load_erase(existing);
    return Status::ok();
  }
  SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const T> loaded,
                         internal::decode_record<T>(record, specs));
  if (existing) {
    table.load_replace(loaded);
  } else {
    table.load_insert(loaded);
  }
  return Status::ok();
}

Status replay(const Record& record, Tables* tables, SpecPool* specs) {
  if (record.table == kTaskSpecsTable) {
    return record.op == Mutation::Op::kPut ? specs->load(record.key, record.value)
                                           : specs->unload(record.key);
  }
  for (int k = 0; k < kKindCount; ++k) {
    Status status;
    bool matched = visit_kind(static_cast<Kind>(k), [&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      if (record.table != TableTraits<T>::kTable) return false;
      status = replay_object<T>(record, tables, specs);
      return true;
    });
    if (matched) return status;
  }
  return error(Code::kInternal, "datastore holds a record of unknown table {}", record.table);
}

}  // namespace

Status Store::load_into(Tables* tables, SpecPool* specs, uint64_t* revision) {
  SHOAL_ASSIGN_OR_RETURN(*revision, datastore_->load([&](const Record& r) {
    return replay(r, tables, specs);  // runs inside load()
  }));
  for_each_kind([&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    tables->of<T>().build_indexes();
  });
  specs->finish_load();
  return Status::ok();
}

Status Store::load() {
  MutexLock writer(writer_mu_);
  Tables tables;
  SpecPool specs;
  uint64_t revision = 0;
  SHOAL_RETURN_IF_ERROR(load_into(&tables, &specs, &revision));
  absl::MutexLock lock(&mu_);
  std::swap(tables_, tables);  // tables_ is empty: open() loads once
  specs_ = std::move(specs);
  revision_.store(revision, std::memory_order_release);
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Snapshots.

namespace {

// What a snapshot writes: the store's objects at one revision, held by pointer.
struct SnapshotState {
  std::vector<std::pair<std::string, std::shared_ptr<const api::TaskSpec>>> specs;
  absl::flat_hash_map<const api::TaskSpec*, std::string_view> spec_refs;
  std::tuple<std::vector<std::shared_ptr<const api::Swarm>>,
             std::vector<std::shared_ptr<const api::Node>>,
             std::vector<std::shared_ptr<const api::Service>>,
             std::vector<std::shared_ptr<const api::Task>>,
             std::vector<std::shared_ptr<const api::Network>>,
             std::vector<std::shared_ptr<const api::Secret>>,
             std::vector<std::shared_ptr<const api::Config>>>
      objects;
};

Status produce(const SnapshotState& state, const RecordSink& sink) {
  std::string record;
  for (const auto& [ref, spec] : state.specs) {
    record.clear();
    codec::encode(*spec, &record);
    SHOAL_RETURN_IF_ERROR(sink(kTaskSpecsTable, ref, record));
  }
  Status status;
  for_each_kind([&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    for (const auto& object : std::get<std::vector<std::shared_ptr<const T>>>(state.objects)) {
      if (!status.is_ok()) return;
      record.clear();
      if constexpr (std::is_same_v<T, api::Task>) {
        codec::encode(*object, state.spec_refs.at(object->Spec.get()), &record);
      } else {
        TableTraits<T>::encode(*object, &record);
      }
      status = sink(TableTraits<T>::kTable, object->ID, record);
    }
  });
  return status;
}

}  // namespace

void Store::maybe_snapshot() {
  if (snapshot_running_.load() || !datastore_->wants_snapshot()) return;
  if (snapshot_thread_.joinable()) snapshot_thread_.join();  // finished: running_ is false
  uint64_t revision = this->revision();
  Status begun = datastore_->begin_snapshot(revision);
  if (!begun.is_ok()) {
    MutexLock lock(snapshot_mu_);
    snapshot_status_ = begun;
    return;
  }
  // Only this writer changes the tables, so they can be copied without mu_.
  auto state = std::make_shared<SnapshotState>();
  state->specs = specs_.used();
  for (const auto& [ref, spec] : state->specs) state->spec_refs[spec.get()] = ref;
  for_each_kind([&](auto* type) {
    writer_mu_.assert_held();  // maybe_snapshot()'s (for_each_kind runs this at once)
    using T = std::remove_pointer_t<decltype(type)>;
    auto& out = std::get<std::vector<std::shared_ptr<const T>>>(state->objects);
    const Table<T>& table = writer_tables().of<T>();
    out.reserve(table.size());
    table.for_each(by::All{}, [&](const std::shared_ptr<const T>& object) {
      out.push_back(object);
      return true;
    });
  });
  snapshot_running_ = true;
  snapshot_thread_ = std::thread([this, state, revision] {
    pthread_setname_np(pthread_self(), "store snapshot");
    Status status = datastore_->write_snapshot(
        revision, [&](const RecordSink& sink) { return produce(*state, sink); });
    {
      MutexLock lock(snapshot_mu_);
      snapshot_status_ = status;
    }
    snapshot_running_ = false;
  });
}

}  // namespace shoal::store
