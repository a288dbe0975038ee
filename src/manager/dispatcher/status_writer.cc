#include "manager/dispatcher/status_writer.h"

#include <spdlog/spdlog.h>

#include "api/task_lifecycle.h"
#include "common/mutex.h"

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

std::optional<api::Task> plan_status_update(const api::Task& current, const api::TaskStatus& report,
                                            Timestamp now) {
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

std::shared_ptr<StatusWriter::Generation> StatusWriter::enqueue(
    const std::string& node_id, std::vector<protocol::TaskStatusUpdate>& updates) {
  for (protocol::TaskStatusUpdate& u : updates) {
    auto [it, inserted] = pending_.try_emplace(std::move(u.TaskID), Report{node_id, u.Status});
    if (!inserted && u.Status.State >= it->second.status.State) {
      it->second = Report{node_id, std::move(u.Status)};
    }
  }
  open_->joined = true;
  return open_;
}

void StatusWriter::commit_open() {
  std::unordered_map<std::string, Report> batch = std::move(pending_);
  pending_.clear();
  std::shared_ptr<Generation> generation = std::move(open_);
  open_ = std::make_shared<Generation>();
  mu_.unlock();
  Status result = batch.empty() ? Status::ok() : commit(batch);
  mu_.lock();
  commits_ += batch.empty() ? 0 : 1;
  generation->done = true;
  generation->result = result;
  cv_.notify_all();
  if (generation->callbacks.empty()) return;
  mu_.unlock();
  for (auto& done : generation->callbacks) done(result);
  mu_.lock();
}

Status StatusWriter::apply(const std::string& node_id,
                           std::vector<protocol::TaskStatusUpdate> updates) {
  MutexLock lock(mu_);
  std::shared_ptr<Generation> mine = enqueue(node_id, updates);
  while (!mine->done) {
    if (committing_) {
      cv_.wait(lock);
      continue;
    }
    // Become the committer for everything pending, this caller's reports included; then
    // for what apply_async callers left meanwhile (they wait for no one), but not for
    // other blocking callers: one of them takes over.
    committing_ = true;
    commit_open();
    while (!open_->callbacks.empty()) commit_open();
    committing_ = false;
    cv_.notify_all();
  }
  return mine->result;
}

void StatusWriter::apply_async(const std::string& node_id,
                               std::vector<protocol::TaskStatusUpdate> updates,
                               std::function<void(Status)> done) {
  MutexLock lock(mu_);
  enqueue(node_id, updates)->callbacks.push_back(std::move(done));
  if (committing_) return;  // the committer takes it with its next commit
  committing_ = true;
  while (open_->joined) commit_open();
  committing_ = false;
  cv_.notify_all();
}

uint64_t StatusWriter::commits() const {
  MutexLock lock(mu_);
  return commits_;
}

Status StatusWriter::commit(std::unordered_map<std::string, Report>& reports) {
  Timestamp now = clock_.now();
  Status result = store_.batch([&](store::Batch& batch) {
    for (auto& entry : reports) {
      const std::string& task_id = entry.first;
      const Report& report = entry.second;
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
