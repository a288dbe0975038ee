#include "daemon/manager_links.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace shoal::daemon {

ManagerLinks::ManagerLinks(ClusterTransport& transport, std::vector<std::string> managers,
                           ca::NodeCerts certs)
    : transport_(transport), managers_(std::move(managers)), certs_(std::move(certs)) {
  links_.resize(managers_.size());
}

std::string ManagerLinks::current() const {
  MutexLock lock(mu_);
  return managers_[current_];
}

std::vector<std::string> ManagerLinks::managers() const {
  MutexLock lock(mu_);
  return managers_;
}

void ManagerLinks::set_certs(const ca::NodeCerts& certs) {
  MutexLock lock(mu_);
  certs_ = certs;
  for (auto& link : links_) {
    if (link) link->set_certs(certs);
  }
}

ManagerLink& ManagerLinks::link_locked(size_t index) {
  if (!links_[index]) links_[index] = transport_.connect(managers_[index], certs_);
  return *links_[index];
}

ManagerLink& ManagerLinks::current_link() {
  MutexLock lock(mu_);
  return link_locked(current_);
}

Result<protocol::SessionMessage> ManagerLinks::session(const protocol::SessionRequest& request) {
  size_t first = 0;
  size_t count = 0;
  {
    MutexLock lock(mu_);
    first = current_;
    count = managers_.size();
  }
  Result<protocol::SessionMessage> answer = Status(Code::kUnavailable, "no manager known");
  for (size_t tried = 0; tried < count; ++tried) {
    size_t index = (first + tried) % count;
    ManagerLink* link = nullptr;
    std::string addr;
    {
      MutexLock lock(mu_);
      link = &link_locked(index);
      addr = managers_[index];
    }
    answer = link->dispatcher().session(request);
    // Only an unreachable manager sends the node elsewhere: any other answer is the
    // swarm's (a removed node, a refused certificate).
    if (answer.is_ok() || answer.status().code() != Code::kUnavailable) {
      MutexLock lock(mu_);
      if (index != current_) {
        spdlog::info("agent: now talking to the manager at {} ({} did not answer)", addr,
                     managers_[current_]);
      }
      current_ = index;
      break;
    }
  }
  if (answer.is_ok()) {
    MutexLock lock(mu_);
    for (const std::string& addr : answer->Managers) {
      if (std::find(managers_.begin(), managers_.end(), addr) == managers_.end()) {
        managers_.push_back(addr);
        links_.emplace_back();
      }
    }
  }
  return answer;
}

Result<protocol::HeartbeatResponse> ManagerLinks::heartbeat(
    const protocol::HeartbeatRequest& request) {
  return current_link().dispatcher().heartbeat(request);
}

Status ManagerLinks::update_task_status(const protocol::UpdateTaskStatusRequest& request) {
  return current_link().dispatcher().update_task_status(request);
}

void ManagerLinks::update_task_status_async(protocol::UpdateTaskStatusRequest request,
                                            std::function<void(Status)> done) {
  current_link().dispatcher().update_task_status_async(std::move(request), std::move(done));
}

Result<std::unique_ptr<protocol::AssignmentStream>> ManagerLinks::assignments(
    const protocol::AssignmentsRequest& request) {
  return current_link().dispatcher().assignments(request);
}

Result<std::string> ManagerLinks::root_ca() { return current_link().ca().root_ca(); }

Result<std::string> ManagerLinks::renew(std::string_view csr_pem) {
  return current_link().ca().renew(csr_pem);
}

}  // namespace shoal::daemon
