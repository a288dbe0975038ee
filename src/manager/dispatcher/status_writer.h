// Applying agents' task status reports to the store.
//
// plan_status_update() is the rule for one report (pure); StatusWriter applies many reports
// from many nodes with group commit: reports that arrive while a commit is in flight wait
// and go together in the next one, one Store::batch for all, so 10,000 reports cost one
// datastore commit and a caller learns the outcome only once its reports are durable.
//
// The committer is a caller: the one that finds no commit in flight commits everything
// pending, and goes on committing what arrived meanwhile until nothing is left, completing
// each commit's callers (apply_async's `done`) after it. No thread of its own; an
// apply_async caller that becomes the committer is held for those commits, the others
// return at once.
//
// The rule (swarmkit's dispatcher.processUpdates): a report for a task that no longer exists,
// that is now on another node, that is identical to the stored status, or that would move
// the task backwards (a stale or duplicated report) is ignored. Otherwise the task's
// Status moves through api::advance_task to the reported state, message and error, stamped
// with the agent's timestamp (or now when the report has none), and takes the reported
// ContainerStatus and PortStatus. DesiredState and everything else are never touched.
//
// Thread safety: StatusWriter::apply is thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "common/time.h"
#include "protocol/messages.h"
#include "store/store.h"

namespace shoal::manager::dispatcher {

// The task after applying `report`, or nullopt when the report must be ignored.
std::optional<api::Task> plan_status_update(const api::Task& current, const api::TaskStatus& report,
                                            Timestamp now);

class StatusWriter {
 public:
  // `store` and `clock` must outlive the writer.
  StatusWriter(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Applies `updates` reported by node `node_id` (tasks of other nodes are ignored), merged
  // with the reports of concurrent callers (for one task the furthest state wins). Returns
  // OK once they are durable (or ignored). Errors: the store's batch error (the reports of
  // that commit are lost; the agent sends them again).
  Status apply(const std::string& node_id, std::vector<protocol::TaskStatusUpdate> updates);
  // apply() without waiting: `done` gets apply()'s result once the commit holding these
  // reports is over, on the committing thread (this one if it becomes the committer), with
  // no lock held. `done` may call apply_async again (it is queued for the next commit).
  void apply_async(const std::string& node_id, std::vector<protocol::TaskStatusUpdate> updates,
                   std::function<void(Status)> done);

  // Datastore commits made so far (for tests and benchmarks).
  uint64_t commits() const;

 private:
  struct Report {
    std::string node_id;
    api::TaskStatus status;
  };
  // The callers whose reports go in one commit.
  struct Generation {
    bool joined = false;  // some caller waits for it
    bool done = false;
    Status result;
    std::vector<std::function<void(Status)>> callbacks;  // apply_async callers
  };

  // Merges `updates` into pending_ and joins the open generation, which it returns.
  std::shared_ptr<Generation> enqueue(const std::string& node_id,
                                      std::vector<protocol::TaskStatusUpdate>& updates)
      REQUIRES(mu_);
  // Commits the open generation and completes its callers (the commit and the callbacks
  // run with mu_ released). REQUIRES: this thread is the committer (committing_).
  void commit_open() REQUIRES(mu_);
  Status commit(std::unordered_map<std::string, Report>& reports);

  store::Store& store_;
  const Clock& clock_;

  mutable Mutex mu_;
  CondVar cv_;
  std::unordered_map<std::string, Report> pending_ GUARDED_BY(mu_);
  std::shared_ptr<Generation> open_ GUARDED_BY(mu_) = std::make_shared<Generation>();
  bool committing_ GUARDED_BY(mu_) = false;
  uint64_t commits_ GUARDED_BY(mu_) = 0;
};

}  // namespace shoal::manager::dispatcher
