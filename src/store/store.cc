// Store: lifecycle, reads, watches, and the entry points of writes (store.h). The commit
// path is in commit.cc; loading and snapshots are in recovery.cc.
#include "store/store.h"

#include <utility>

#include "common/mutex.h"

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

}  // namespace

Status internal::check_write_thread() {
  if (t_in_write) {
    return Status(Code::kFailedPrecondition, "store write started inside another store write");
  }
  if (internal::read_txns_held_by_this_thread() > 0) {
    return Status(Code::kFailedPrecondition,
                  "store write started while this thread holds a read transaction");
  }
  return Status::ok();
}

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
// Reading and watching.

// The ReadTxn takes mu_ shared before it reads the tables (the analysis cannot see inside).
ReadTxn Store::view() const NO_THREAD_SAFETY_ANALYSIS { return ReadTxn(tables_, &mu_, &revision_); }

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
  return refused_;
}

std::unique_ptr<WriteTxn> Store::begin() {
  return std::unique_ptr<WriteTxn>(
      new WriteTxn(writer_tables(), revision() + 1, clock_->now(), &specs_));
}

Status Store::update(const std::function<Status(WriteTxn&)>& fn) {
  SHOAL_RETURN_IF_ERROR(internal::check_write_thread());
  MutexLock writer(writer_mu_);
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
  SHOAL_RETURN_IF_ERROR(internal::check_write_thread());
  MutexLock writer(writer_mu_);
  SHOAL_RETURN_IF_ERROR(writable());
  WriteScope scope;
  Batch batch(this);
  Status status = fn(batch);
  Status flushed = batch.flush();
  return status.is_ok() ? flushed : status;
}

Status Store::wait_for_snapshot() {
  SHOAL_RETURN_IF_ERROR(internal::check_write_thread());
  MutexLock writer(writer_mu_);
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
  MutexLock lock(snapshot_mu_);
  return snapshot_status_;
}

void Store::close() {
  MutexLock writer(writer_mu_);
  closed_ = true;
  hub_->close_all();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

// ---------------------------------------------------------------------------------------------
// Batch.

Status Batch::update(const std::function<Status(WriteTxn&)>& fn) {
  store_->writer_mu_.assert_held();  // a Batch lives inside Store::batch(), which holds it
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
  store_->writer_mu_.assert_held();  // as in update()
  if (!tx_) return failed_;
  failed_ = store_->commit(*tx_);
  tx_.reset();
  return failed_;
}

}  // namespace shoal::store
