#include "manager/orchestrator/commit.h"

#include <spdlog/spdlog.h>

namespace shoal::manager::orchestrator {

namespace {

bool is_conflict(const Status& s) {
  return s.code() == Code::kOutOfSequence || s.code() == Code::kNotFound ||
         s.code() == Code::kAlreadyExists;
}

void record(CommitOutcome& out, const Status& s) {
  if (s.is_ok()) {
    out.committed++;
  } else if (is_conflict(s)) {
    out.conflicts++;
  } else if (out.error.is_ok()) {
    out.error = s;
  }
}

// Refuses the unit when the service moved on from `version`. Version 0: the plan was made
// for a deleted service (or for no service, with an empty ID), which must still be absent.
Status check_service(const store::WriteTxn& tx, const std::string& id, uint64_t version) {
  auto service = tx.get<api::Service>(id);
  if (version == 0) {
    return service == nullptr ? Status::ok() : Status(Code::kOutOfSequence, "service reappeared");
  }
  if (service == nullptr || service->Version.Index != version) {
    return Status(Code::kOutOfSequence, "service changed since the plan was made");
  }
  return Status::ok();
}

Status apply_unit(store::WriteTxn& tx, const Unit& unit) {
  for (const TaskPtr& task : unit.updates) SHOAL_RETURN_IF_ERROR(tx.update(*task));
  for (const Deletion& d : unit.deletes) {
    auto current = tx.get<api::Task>(d.id);
    if (current == nullptr) continue;  // already gone: the goal is reached
    if (current->Version != d.version)
      return Status(Code::kOutOfSequence, "update out of sequence");
    SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>(d.id));
  }
  for (const TaskPtr& task : unit.creates) SHOAL_RETURN_IF_ERROR(tx.create(*task));
  return Status::ok();
}

}  // namespace

CommitOutcome commit_plan(store::Store& store, const Plan& plan) {
  CommitOutcome out;
  uint64_t service_version = plan.service_version();
  if (const auto& service = plan.service_update()) {
    uint64_t written_at = 0;
    Status s = store.update([&](store::WriteTxn& tx) {
      SHOAL_RETURN_IF_ERROR(check_service(tx, service->ID, service_version));
      written_at = tx.revision();
      return tx.update(*service);
    });
    record(out, s);
    if (!s.is_ok()) return out;  // the task changes were planned with this service update
    service_version = written_at;
  }

  bool any = false;
  Status s = store.batch([&](store::Batch& batch) {
    // Units are built one at a time: a plan of 100,000 creations is not copied whole.
    plan.for_each_unit([&](Unit&& unit) {
      any = true;
      Status unit_status = batch.update([&](store::WriteTxn& tx) {
        SHOAL_RETURN_IF_ERROR(check_service(tx, plan.service_id(), service_version));
        return apply_unit(tx, unit);
      });
      record(out, unit_status);
    });
    return Status::ok();
  });
  if (!any) return out;
  if (!s.is_ok() && out.error.is_ok() && !is_conflict(s)) out.error = s;
  if (!out.error.is_ok()) {
    spdlog::warn("orchestrator: committing the plan for service {} failed: {}", plan.service_id(),
                 out.error.to_string());
  }
  return out;
}

}  // namespace shoal::manager::orchestrator
