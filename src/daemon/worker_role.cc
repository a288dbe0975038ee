#include "daemon/worker_role.h"

#include <spdlog/spdlog.h>

#include <functional>

#include "common/mutex.h"
#include "daemon/node_certs.h"

namespace shoal::daemon {
namespace {

constexpr auto kSessionPoll = std::chrono::milliseconds(50);

agent::AgentOptions agent_options(const WorkerRoleOptions& options) {
  agent::AgentOptions out = options.agent;
  out.node_id = options.node_id;
  return out;
}

uint64_t seed_of(const std::string& node_id) { return std::hash<std::string>{}(node_id); }

}  // namespace

// Forwards to the link's DispatcherClient and tells the role what session() answered.
class WorkerRole::WatchedClient final : public protocol::DispatcherClient {
 public:
  WatchedClient(protocol::DispatcherClient& inner, std::function<void(const Status&)> on_session)
      : inner_(inner), on_session_(std::move(on_session)) {}

  Result<protocol::SessionMessage> session(const protocol::SessionRequest& request) override {
    auto result = inner_.session(request);
    on_session_(result.status());
    return result;
  }
  Result<protocol::HeartbeatResponse> heartbeat(
      const protocol::HeartbeatRequest& request) override {
    return inner_.heartbeat(request);
  }
  Status update_task_status(const protocol::UpdateTaskStatusRequest& request) override {
    return inner_.update_task_status(request);
  }
  void update_task_status_async(protocol::UpdateTaskStatusRequest request,
                                std::function<void(Status)> done) override {
    inner_.update_task_status_async(std::move(request), std::move(done));
  }
  Result<std::unique_ptr<protocol::AssignmentStream>> assignments(
      const protocol::AssignmentsRequest& request) override {
    return inner_.assignments(request);
  }

 private:
  protocol::DispatcherClient& inner_;
  const std::function<void(const Status&)> on_session_;
};

WorkerRole::WorkerRole(ClusterTransport& transport, agent::Executor& executor, const Clock& clock,
                       WorkerRoleOptions options)
    : transport_(transport),
      executor_(executor),
      clock_(clock),
      options_(std::move(options)),
      cert_dir_(options_.data_dir) {}

WorkerRole::~WorkerRole() { stop(); }

Status WorkerRole::start() {
  std::vector<std::string> managers = {options_.manager_addr};
  for (const std::string& addr : options_.other_managers) {
    if (addr != options_.manager_addr) managers.push_back(addr);
  }
  links_ = std::make_unique<ManagerLinks>(transport_, std::move(managers), options_.certs);
  client_ = std::make_unique<WatchedClient>(*links_,
                                            [this](const Status& st) { note_session_result(st); });
  agent_ = std::make_unique<agent::Agent>(*client_, executor_, clock_, agent_options(options_));
  renewer_ = std::make_unique<ca::Renewer>(
      *links_, cert_dir_, clock_, seed_of(options_.node_id),
      [this](const ca::NodeCerts& certs) { links_->set_certs(certs); });
  Status st = agent_->start();
  if (st.is_ok()) st = renewer_->start(options_.certs);
  if (!st.is_ok()) {
    agent_->stop();
    return st;
  }
  {
    MutexLock lock(mu_);
    started_ = true;
  }
  supervisor_ = std::thread([this] { supervise(); });
  spdlog::info("worker role started: node {}, manager {}", options_.node_id, options_.manager_addr);
  return Status::ok();
}

void WorkerRole::stop() {
  {
    MutexLock lock(mu_);
    if (!started_) return;
    started_ = false;
    stopping_ = true;
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  if (renewer_) renewer_->stop();
  if (agent_) agent_->stop();
  spdlog::info("worker role stopped");
}

void WorkerRole::note_session_result(const Status& status) {
  MutexLock lock(mu_);
  if (status.is_ok()) {
    last_error_.clear();
    return;
  }
  last_error_ = status.message();
  if (status.code() == Code::kNotFound && !removed_) {
    removed_ = true;
    cv_.notify_all();
  }
}

void WorkerRole::supervise() {
  MutexLock lock(mu_);
  cv_.wait(lock, [&]() REQUIRES(mu_) { return stopping_ || removed_; });
  if (stopping_) return;
  lock.unlock();
  spdlog::warn("the manager no longer knows node {}: stopping its tasks", options_.node_id);
  renewer_->stop();
  agent_->stop();
  size_t stopped = stop_all_tasks(executor_);
  spdlog::info("stopped {} tasks of removed node {}", stopped, options_.node_id);
  if (options_.on_removed) options_.on_removed();
}

Status WorkerRole::wait_for_session(std::chrono::nanoseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (true) {
    if (removed_) return Status(Code::kNotFound, std::string(kNodeRemovedText));
    lock.unlock();
    bool opened = agent_ && agent_->sessions_opened() > 0;
    lock.lock();
    if (opened) return Status::ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string text(kJoinTimeoutText);
      if (!last_error_.empty()) text += " (last error: " + last_error_ + ")";
      return Status(Code::kUnavailable, text);
    }
    cv_.wait_for(lock, kSessionPoll);
  }
}

bool WorkerRole::removed() const {
  MutexLock lock(mu_);
  return removed_;
}

}  // namespace shoal::daemon
