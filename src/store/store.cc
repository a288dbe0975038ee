#include "store/store.h"

#include <utility>

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
Status Store::load_table() {
  Table<T>& table = tables_.of<T>();
  codec::SpecResolver resolve = [this](std::string_view ref) { return specs_.resolve(ref); };
  return datastore_->scan(
      TableTraits<T>::kTable, [&](std::string_view key, std::string_view record) -> Status {
        T object;
        if constexpr (std::is_same_v<T, api::Task>) {
          SHOAL_RETURN_IF_ERROR(codec::decode(record, resolve, &object));
        } else {
          SHOAL_RETURN_IF_ERROR(TableTraits<T>::decode(record, &object));
        }
        if (object.ID != key || table.get(key) != nullptr) {
          return error(Code::kInternal, "{} record {} holds object {}", kind_name(kind_of<T>),
                       key, object.ID);
        }
        table.insert(std::make_shared<const T>(std::move(object)));
        return Status::ok();
      });
}

Status Store::load() {
  std::lock_guard writer(writer_mu_);
  absl::MutexLock lock(&mu_);
  SHOAL_ASSIGN_OR_RETURN(uint64_t revision, datastore_->revision());
  SHOAL_RETURN_IF_ERROR(datastore_->scan(kTaskSpecsTable, [&](std::string_view ref,
                                                              std::string_view record) {
    return specs_.load(ref, record);
  }));
  Status status;
  for_each_kind([&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    if (status.is_ok()) status = load_table<T>();
  });
  SHOAL_RETURN_IF_ERROR(status);
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

template <typename T>
void Store::collect(const internal::PendingMap<T>& pending, std::string_view id,
                    CommitBatch* batch, Changes* changes, SpecPool::Delta* delta) {
  const internal::Pending<T>& p = pending.find(internal::key_of(id))->second;
  if (!p.before && !p.after) return;  // created and deleted in the transaction
  Mutation m;
  m.table = TableTraits<T>::kTable;
  m.key = std::string(id);
  if (p.after) {
    m.op = Mutation::Op::kPut;
    if constexpr (std::is_same_v<T, api::Task>) {
      SpecPool::Entry* entry = specs_.find(p.after->Spec.get());
      ++(*delta)[entry];
      codec::encode(*p.after, entry->ref, &m.value);
    } else {
      TableTraits<T>::encode(*p.after, &m.value);
    }
  } else {
    m.op = Mutation::Op::kDelete;
  }
  if constexpr (std::is_same_v<T, api::Task>) {
    if (p.before) --(*delta)[specs_.find(p.before->Spec.get())];
  }
  batch->mutations.push_back(std::move(m));

  Event event;
  event.kind = kind_of<T>;
  event.action = !p.before ? Action::kCreate : !p.after ? Action::kDelete : Action::kUpdate;
  event.old_object = p.before;
  event.new_object = p.after;
  changes->kind_mask |= 1u << static_cast<int>(event.kind);
  changes->action_mask |= static_cast<uint8_t>(event.action);
  changes->events.push_back(std::move(event));
}

template <typename T>
void Store::apply(const internal::PendingMap<T>& pending, std::string_view id) {
  const internal::Pending<T>& p = pending.find(internal::key_of(id))->second;
  Table<T>& table = tables_.of<T>();
  if (p.before && p.after) {
    table.replace(p.before, p.after);
  } else if (p.after) {
    table.insert(p.after);
  } else if (p.before) {
    table.erase(p.before);
  }
}

Status Store::commit(WriteTxn& tx) {
  const internal::Overlay& overlay = tx.overlay_;
  if (overlay.order.empty()) {
    specs_.sweep();
    return Status::ok();
  }
  CommitBatch batch;
  batch.revision = tx.revision();
  batch.mutations.reserve(overlay.order.size());
  auto changes = std::make_shared<Changes>();
  changes->revision = tx.revision();
  changes->events.reserve(overlay.order.size());
  SpecPool::Delta delta;
  for (const auto& [kind, id] : overlay.order) {
    visit_kind(kind, [&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      collect(overlay.of<T>(), id, &batch, changes.get(), &delta);
    });
  }
  specs_.add_mutations(delta, &batch.mutations);
  if (changes->events.empty()) {
    specs_.sweep();
    return Status::ok();
  }

  Status status = datastore_->commit(batch);
  if (!status.is_ok()) {
    specs_.sweep();
    return status;
  }
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [kind, id] : overlay.order) {
      visit_kind(kind, [&](auto* type) {
        using T = std::remove_pointer_t<decltype(type)>;
        apply(overlay.of<T>(), id);
      });
    }
    revision_.store(batch.revision, std::memory_order_release);
    hub_->publish(changes);
  }
  specs_.apply(delta);
  return Status::ok();
}

void Store::close() {
  std::lock_guard writer(writer_mu_);
  closed_ = true;
  hub_->close_all();
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
