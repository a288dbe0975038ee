#include "store/store.h"

#include <iterator>
#include <tuple>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace shoal::store {
namespace {

thread_local bool t_in_write = false;

// Marks the calling thread as running a write for the scope.
class WriteScope {
 public:
  WriteScope() { t_in_write = true; }
  ~WriteScope() { t_in_write = false; }
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;
};

Status check_thread() {
  if (t_in_write) {
    return Status(Code::kFailedPrecondition, "store write started inside another store write");
  }
  if (internal::read_txns_held_by_this_thread() > 0) {
    return Status(Code::kFailedPrecondition,
                  "store write started while this thread holds a read transaction");
  }
  return Status::ok();
}

}  // namespace

Store::Store(std::unique_ptr<Datastore> datastore, std::shared_ptr<const Clock> clock,
             StoreOptions options)
    : clock_(std::move(clock)),
      options_(options),
      hub_(std::make_shared<internal::WatchHub>()),
      datastore_(std::move(datastore)) {}

Store::~Store() { close(); }

Result<std::unique_ptr<Store>> Store::open(std::unique_ptr<Datastore> datastore,
                                           std::shared_ptr<const Clock> clock,
                                           StoreOptions options) {
  std::unique_ptr<Store> store(new Store(std::move(datastore), std::move(clock), options));
  SHOAL_RETURN_IF_ERROR(store->load());
  return store;
}

// ---------------------------------------------------------------------------------------------
// Loading.

template <typename T>
Status Store::replay_object(const Record& record) {
  Table<T>& table = tables_.of<T>();
  const std::shared_ptr<const T>* found = table.get(record.key);
  std::shared_ptr<const T> existing = found != nullptr ? *found : nullptr;
  if (existing) {
    if constexpr (std::is_same_v<T, api::Task>) specs_.release(existing->Spec.get());
  }
  if (record.op == Mutation::Op::kDelete) {
    if (!existing) {
      return error(Code::kInternal, "{} {} is deleted but was never stored",
                   kind_name(kind_of<T>), record.key);
    }
    table.erase(existing);
    return Status::ok();
  }
  T object;
  if constexpr (std::is_same_v<T, api::Task>) {
    SHOAL_RETURN_IF_ERROR(codec::decode(
        record.value, [this](std::string_view ref) { return specs_.resolve(ref); }, &object));
  } else {
    SHOAL_RETURN_IF_ERROR(TableTraits<T>::decode(record.value, &object));
  }
  if (object.ID != record.key) {
    return error(Code::kInternal, "{} record {} holds object {}", kind_name(kind_of<T>),
                 record.key, object.ID);
  }
  auto loaded = std::make_shared<const T>(std::move(object));
  if (existing) {
    table.replace(existing, loaded);
  } else {
    table.insert(loaded);
  }
  return Status::ok();
}

Status Store::replay(const Record& record) {
  if (record.table == kTaskSpecsTable) {
    return record.op == Mutation::Op::kPut ? specs_.load(record.key, record.value)
                                           : specs_.unload(record.key);
  }
  for (int k = 0; k < kKindCount; ++k) {
    Status status;
    bool matched = visit_kind(static_cast<Kind>(k), [&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      if (record.table != TableTraits<T>::kTable) return false;
      status = replay_object<T>(record);
      return true;
    });
    if (matched) return status;
  }
  return error(Code::kInternal, "datastore holds a record of unknown table {}", record.table);
}

Status Store::load() {
  std::lock_guard writer(writer_mu_);
  absl::MutexLock lock(&mu_);
  SHOAL_ASSIGN_OR_RETURN(uint64_t revision,
                         datastore_->load([this](const Record& r) { return replay(r); }));
  specs_.finish_load();
  revision_.store(revision, std::memory_order_release);
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Reading and watching.

ReadTxn Store::view() const {
  mu_.ReaderLock();
  return ReadTxn(tables_, revision(), &mu_);
}

Watch Store::watch(WatchFilter filter, WatchOptions options) {
  auto sub = std::make_shared<internal::Subscription>(std::move(filter), options);
  hub_->add(sub);
  return Watch(hub_, std::move(sub));
}

Result<Watch> Store::view_and_watch(const std::function<Status(const ReadTxn&)>& fn,
                                    WatchFilter filter, WatchOptions options) {
  // Subscribing under the shared lock: every commit not in the snapshot is applied (and
  // published, under the exclusive lock) after the subscription exists.
  ReadTxn snapshot = view();
  Watch w = watch(std::move(filter), options);
  SHOAL_RETURN_IF_ERROR(fn(snapshot));
  return w;
}

// ---------------------------------------------------------------------------------------------
// Writing.

Status Store::writable() const {
  if (closed_) return Status(Code::kUnavailable, "store is closed");
  return Status::ok();
}

std::unique_ptr<WriteTxn> Store::begin() {
  return std::unique_ptr<WriteTxn>(
      new WriteTxn(tables_, revision() + 1, clock_->now(), &specs_));
}

Status Store::update(const std::function<Status(WriteTxn&)>& fn) {
  SHOAL_RETURN_IF_ERROR(check_thread());
  std::lock_guard writer(writer_mu_);
  SHOAL_RETURN_IF_ERROR(writable());
  WriteScope scope;
  std::unique_ptr<WriteTxn> tx = begin();
  Status status = fn(*tx);
  if (!status.is_ok()) {
    specs_.sweep();
    return status;
  }
  return commit(*tx);
}

Status Store::batch(const std::function<Status(Batch&)>& fn) {
  SHOAL_RETURN_IF_ERROR(check_thread());
  std::lock_guard writer(writer_mu_);
  SHOAL_RETURN_IF_ERROR(writable());
  WriteScope scope;
  Batch batch(this);
  Status status = fn(batch);
  Status flushed = batch.flush();
  return status.is_ok() ? flushed : status;
}

// What one commit hands the datastore: the mutations, and the bytes their values view.
struct Store::Encoded {
  explicit Encoded(std::string& buffer) : arena(buffer) { arena.clear(); }
  std::vector<Mutation> mutations;
  std::vector<std::pair<size_t, size_t>> values;  // per mutation: (offset, size) in arena
  std::string& arena;                             // Store::arena_, reused between commits
};

template <typename T>
void Store::collect(const internal::PendingMap<T>& pending, std::string_view id,
                    Encoded* out, Changes* changes, SpecPool::Delta* delta) {
  const internal::Pending<T>& p = pending.find(internal::key_of(id))->second;
  if (!p.before && !p.after) return;  // created and deleted in the transaction
  Mutation m;
  m.table = TableTraits<T>::kTable;
  m.key = id;  // views the anchor's ID, alive until the transaction ends
  size_t offset = out->arena.size();
  if (p.after) {
    m.op = Mutation::Op::kPut;
    if constexpr (std::is_same_v<T, api::Task>) {
      SpecPool::Entry* entry = specs_.find(p.after->Spec.get());
      ++(*delta)[entry];
      codec::encode(*p.after, entry->ref, &out->arena);
    } else {
      TableTraits<T>::encode(*p.after, &out->arena);
    }
  } else {
    m.op = Mutation::Op::kDelete;
  }
  if constexpr (std::is_same_v<T, api::Task>) {
    if (p.before) --(*delta)[specs_.find(p.before->Spec.get())];
  }
  out->mutations.push_back(m);
  out->values.emplace_back(offset, out->arena.size() - offset);

  Event event;
  event.kind = kind_of<T>;
  event.action = !p.before ? Action::kCreate : !p.after ? Action::kDelete : Action::kUpdate;
  event.old_object = p.before;
  event.new_object = p.after;
  changes->kind_mask |= 1u << static_cast<int>(event.kind);
  changes->action_mask |= static_cast<uint8_t>(event.action);
  changes->events.push_back(std::move(event));
}

void Store::apply(const Event& event) {
  visit_kind(event.kind, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    Table<T>& table = tables_.of<T>();
    const auto& before = as<T>(event.old_object);
    const auto& after = as<T>(event.new_object);
    if (before && after) {
      table.replace(before, after);
    } else if (after) {
      table.insert(after);
    } else {
      table.erase(before);
    }
  });
}

Status Store::commit(WriteTxn& tx) {
  const internal::Overlay& overlay = tx.overlay_;
  if (overlay.order.empty()) {
    specs_.sweep();
    return Status::ok();
  }
  Encoded encoded(arena_);
  encoded.mutations.reserve(overlay.order.size());
  encoded.values.reserve(overlay.order.size());
  encoded.arena.reserve(overlay.order.size() * 256);
  auto changes = std::make_shared<Changes>();
  changes->revision = tx.revision();
  changes->events.reserve(overlay.order.size());
  SpecPool::Delta delta;
  for (const auto& [kind, id] : overlay.order) {
    visit_kind(kind, [&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      collect(overlay.of<T>(), id, &encoded, changes.get(), &delta);
    });
  }
  if (changes->events.empty()) {
    specs_.sweep();
    return Status::ok();
  }
  // New specs before the tasks that use them, so that a replay meets them first; specs no
  // longer used after them.
  CommitBatch batch;
  batch.revision = tx.revision();
  std::vector<Mutation> spec_deletes;
  specs_.add_mutations(delta, &batch.mutations, &spec_deletes);
  batch.mutations.reserve(batch.mutations.size() + encoded.mutations.size() + spec_deletes.size());
  std::string_view arena = encoded.arena;
  for (size_t i = 0; i < encoded.mutations.size(); ++i) {
    Mutation& m = encoded.mutations[i];
    m.value = arena.substr(encoded.values[i].first, encoded.values[i].second);
    batch.mutations.push_back(m);
  }
  batch.mutations.insert(batch.mutations.end(), spec_deletes.begin(), spec_deletes.end());

  Status status = datastore_->commit(batch);
  if (!status.is_ok()) {
    specs_.sweep();
    return status;
  }
  {
    absl::MutexLock lock(&mu_);
    for (const Event& event : changes->events) apply(event);
    revision_.store(batch.revision, std::memory_order_release);
    hub_->publish(changes);
  }
  specs_.apply(delta);
  if (arena_.capacity() > (size_t{64} << 20)) std::string().swap(arena_);  // do not hoard
  maybe_snapshot();
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
    std::lock_guard lock(snapshot_mu_);
    snapshot_status_ = begun;
    return;
  }
  // Only this writer changes the tables, so they can be copied without mu_.
  auto state = std::make_shared<SnapshotState>();
  state->specs = specs_.used();
  for (const auto& [ref, spec] : state->specs) state->spec_refs[spec.get()] = ref;
  for_each_kind([&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    auto& out = std::get<std::vector<std::shared_ptr<const T>>>(state->objects);
    const Table<T>& table = tables_.of<T>();
    out.reserve(table.size());
    table.for_each(by::All{}, [&](const std::shared_ptr<const T>& object) {
      out.push_back(object);
      return true;
    });
  });
  snapshot_running_ = true;
  snapshot_thread_ = std::thread([this, state, revision] {
    Status status = datastore_->write_snapshot(
        revision, [&](const RecordSink& sink) { return produce(*state, sink); });
    {
      std::lock_guard lock(snapshot_mu_);
      snapshot_status_ = status;
    }
    snapshot_running_ = false;
  });
}

Status Store::wait_for_snapshot() {
  std::lock_guard writer(writer_mu_);
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
  std::lock_guard lock(snapshot_mu_);
  return snapshot_status_;
}

void Store::close() {
  std::lock_guard writer(writer_mu_);
  closed_ = true;
  hub_->close_all();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

// ---------------------------------------------------------------------------------------------
// Batch.

Status Batch::update(const std::function<Status(WriteTxn&)>& fn) {
  if (!failed_.is_ok()) return failed_;
  if (!tx_) tx_ = store_->begin();
  tx_->begin_unit();
  Status status = fn(*tx_);
  if (!status.is_ok()) {
    tx_->rollback_unit();
    return status;
  }
  tx_->end_unit();
  if (tx_->changes() >= store_->options_.max_changes_per_commit) return flush();
  return Status::ok();
}

Status Batch::flush() {
  if (!tx_) return failed_;
  failed_ = store_->commit(*tx_);
  tx_.reset();
  return failed_;
}

}  // namespace shoal::store
