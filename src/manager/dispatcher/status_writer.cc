#include "manager/dispatcher/status_writer.h"

#include <spdlog/spdlog.h>

#include "api/task_lifecycle.h"

namespace shoal::manager::dispatcher {

namespace {

bool same_container(const std::optional<api::ContainerStatus>& a,
                    const std::optional<api::ContainerStatus>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->ContainerID == b->ContainerID && a->PID == b->PID && a->ExitCode == b->ExitCode;
}

bool same_status(const api::TaskStatus& a, const api::TaskStatus& b) {
  return a.State == b.State && a.Timestamp == b.Timestamp && a.Message == b.Message &&
         a.Err == b.Err && same_container(a.ContainerStatus, b.ContainerStatus) &&
         a.PortStatus.Ports.size() == b.PortStatus.Ports.size();
}

}  // namespace

std::optional<api::Task> plan_status_update(const api::Task& current,
                                            const api::TaskStatus& report, Timestamp now) {
  if (report.State < current.Status.State) return std::nullopt;
  if (same_status(current.Status, report)) return std::nullopt;
  api::Task task = current;
  Timestamp stamp = report.Timestamp.is_zero() ? now : report.Timestamp;
  if (!api::advance_task(task, report.State, report.Message, stamp, report.Err).is_ok()) {
    return std::nullopt;
  }
  if (report.ContainerStatus) task.Status.ContainerStatus = report.ContainerStatus;
  task.Status.PortStatus = report.PortStatus;
  return task;
}

Status StatusWriter::apply(const std::string& node_id,
                           std::vector<agent::TaskStatusUpdate> updates) {
  std::unique_lock lock(mu_);
  for (agent::TaskStatusUpdate& u : updates) {
    auto [it, inserted] = pending_.try_emplace(std::move(u.TaskID), Report{node_id, u.Status});
    if (!inserted && u.Status.State >= it->second.status.State) {
      it->second = Report{node_id, std::move(u.Status)};
    }
  }
  std::shared_ptr<Generation> mine = open_;
  while (!mine->done) {
    if (committing_) {
      cv_.wait(lock);
      continue;
    }
    // Become the committer for everything pending, this caller's reports included.
    committing_ = true;
    std::unordered_map<std::string, Report> batch = std::move(pending_);
    pending_.clear();
    std::shared_ptr<Generation> generation = std::move(open_);
    open_ = std::make_shared<Generation>();
    lock.unlock();
    Status result = batch.empty() ? Status::ok() : commit(batch);
    lock.lock();
    commits_ += batch.empty() ? 0 : 1;
    generation->done = true;
    generation->result = std::move(result);
    committing_ = false;
    cv_.notify_all();
  }
  return mine->result;
}

uint64_t StatusWriter::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

Status StatusWriter::commit(std::unordered_map<std::string, Report>& reports) {
  Timestamp now = clock_.now();
  Status result = store_.batch([&](store::Batch& batch) {
    for (auto& [task_id, report] : reports) {
      SHOAL_RETURN_IF_ERROR(batch.update([&](store::WriteTxn& tx) {
        auto task = tx.get<api::Task>(task_id);
        if (!task || task->NodeID != report.node_id) return Status::ok();
        auto next = plan_status_update(*task, report.status, now);
        if (!next) return Status::ok();
        return tx.update(std::move(*next));
      }));
    }
    return Status::ok();
  });
  if (!result.is_ok()) {
    spdlog::warn("dispatcher: applying {} task status reports failed: {}", reports.size(),
                 result.message());
  }
  return result;
}

}  // namespace shoal::manager::dispatcher
