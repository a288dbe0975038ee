// Store replication: a follower's store applies the commits another store made through the
// shared datastore (read back from it, e.g. by an etcd watch), and reloads when it has lost
// track of them.
#include <absl/container/flat_hash_set.h>

#include <string_view>
#include <utility>
#include <vector>

#include "store/record_decode.h"
#include "store/store.h"

namespace shoal::store {
namespace {

// The event one replicated record makes of the object `table` holds under its key.
template <typename T>
Status replicated_event(const Table<T>& table, SpecPool* specs, const Record& record,
                        Event* event) {
  const std::shared_ptr<const T>* found = table.get(record.key);
  event->kind = kind_of<T>;
  // Both sides typed, null where there is no object (AnyObject is a variant).
  event->old_object = found != nullptr ? *found : std::shared_ptr<const T>();
  event->new_object = std::shared_ptr<const T>();
  if (record.op == Mutation::Op::kDelete) {
    if (found == nullptr) {
      return error(Code::kInternal, "replicated delete of {} {}, which this store does not hold",
                   kind_name(kind_of<T>), record.key);
    }
    event->action = Action::kDelete;
    return Status::ok();
  }
  SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const T> decoded,
                         internal::decode_record<T>(record, specs));
  event->new_object = std::move(decoded);
  event->action = found != nullptr ? Action::kUpdate : Action::kCreate;
  return Status::ok();
}

}  // namespace

Status Store::apply_replicated(uint64_t revision, const std::vector<Record>& records) {
  SHOAL_RETURN_IF_ERROR(internal::check_write_thread());
  MutexLock writer(writer_mu_);
  if (closed_) return Status(Code::kUnavailable, "store is closed");
  if (revision <= this->revision()) {
    return error(Code::kFailedPrecondition,
                 "replicated commit {} is not after this store's revision {}", revision,
                 this->revision());
  }
  // Specs first, so that the tasks of this commit find theirs.
  for (const Record& record : records) {
    if (record.table == kTaskSpecsTable && record.op == Mutation::Op::kPut) {
      SHOAL_RETURN_IF_ERROR(specs_.load(record.key, record.value));
    }
  }
  auto changes = std::make_shared<Changes>();
  changes->revision = revision;
  changes->events.reserve(records.size());
  absl::flat_hash_set<std::pair<std::string_view, std::string_view>> seen;
  for (const Record& record : records) {
    if (record.table == kTaskSpecsTable) continue;
    if (!seen.emplace(record.table, record.key).second) {
      return error(Code::kInternal, "replicated commit {} changes {}/{} twice", revision,
                   record.table, record.key);
    }
    Event event;
    Status status =
        error(Code::kInternal, "replicated commit {} holds a record of unknown table {}", revision,
              record.table);
    for_each_kind([&](auto* type) {
      writer_mu_.assert_held();  // apply_replicated()'s (for_each_kind runs this at once)
      using T = std::remove_pointer_t<decltype(type)>;
      if (record.table != TableTraits<T>::kTable) return;
      status = replicated_event(writer_tables().of<T>(), &specs_, record, &event);
    });
    SHOAL_RETURN_IF_ERROR(status);
    changes->kind_mask |= 1u << static_cast<int>(event.kind);
    changes->action_mask |= static_cast<uint8_t>(event.action);
    changes->events.push_back(std::move(event));
  }
  // The specs replaced and deleted tasks no longer use, then the spec deletions (the writer
  // deletes a spec in the commit that drops its last task).
  for (const Event& event : changes->events) {
    if (event.kind != Kind::kTask) continue;
    if (const auto& old_task = event.old_as<api::Task>()) specs_.release(old_task->Spec.get());
  }
  for (const Record& record : records) {
    if (record.table == kTaskSpecsTable && record.op == Mutation::Op::kDelete) {
      SHOAL_RETURN_IF_ERROR(specs_.unload(record.key));
    }
  }
  absl::MutexLock lock(&mu_);
  apply_all(changes->events);
  revision_.store(revision, std::memory_order_release);
  hub_->publish(changes);
  return Status::ok();
}

Status Store::reload() {
  SHOAL_RETURN_IF_ERROR(internal::check_write_thread());
  MutexLock writer(writer_mu_);
  if (closed_) return Status(Code::kUnavailable, "store is closed");
  Tables tables;
  SpecPool specs;
  uint64_t revision = 0;
  SHOAL_RETURN_IF_ERROR(load_into(&tables, &specs, &revision));
  {
    absl::MutexLock lock(&mu_);
    std::swap(tables_, tables);
    revision_.store(revision, std::memory_order_release);
    hub_->overflow_all();
  }
  specs_ = std::move(specs);
  return Status::ok();  // the old tables go here, outside the lock
}

void Store::refuse_writes(Status why) {
  MutexLock writer(writer_mu_);
  refused_ = std::move(why);
}

void Store::accept_writes() {
  MutexLock writer(writer_mu_);
  refused_ = Status::ok();
}

}  // namespace shoal::store
