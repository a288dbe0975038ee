#include "scale/hollow_fleet.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <queue>

#include "common/mutex.h"
#include "scale/hollow_reports.h"

namespace shoal::scale {

using Steady = std::chrono::steady_clock;

namespace {
// A number in [0, 1) from `x` (splitmix64): reconnect jitter without a generator per agent.
double unit_random(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}
}  // namespace

// What the serving threads and the callbacks share: which agents need serving, and when.
// Callbacks hold it by shared_ptr, so a late one (a stream closed after stop()) is harmless.
struct HollowFleet::Core {
  explicit Core(size_t n) : queued(n, 0), busy(n, 0), again(n, 0), resync(n, 0), generation(n, 0) {}

  // Queues agent `i` for serving (or again after the current serve).
  void mark_locked(uint32_t i) REQUIRES(mu) {
    if (busy[i]) {
      again[i] = 1;
    } else if (!queued[i]) {
      queued[i] = 1;
      ready.push_back(i);
      cv.notify_one();
    }
  }
  void mark(uint32_t i) {
    MutexLock lock(mu);
    if (!stopping) mark_locked(i);
  }
  void at(Steady::time_point when, uint32_t i) {
    MutexLock lock(mu);
    timers.emplace(when, i);
    cv.notify_one();
  }
  // A report of session `gen` failed: the agent re-reads its assignments (or reconnects).
  void report_failed(uint32_t i, uint32_t gen) {
    MutexLock lock(mu);
    ++stats.failures;
    if (stopping || generation[i] != gen) return;
    resync[i] = 1;
    mark_locked(i);
  }

  Mutex mu;
  CondVar cv;
  bool stopping GUARDED_BY(mu) = false;
  std::deque<uint32_t> ready GUARDED_BY(mu);                // agents to serve
  std::vector<uint8_t> queued, busy, again GUARDED_BY(mu);  // per agent
  std::vector<uint8_t> resync GUARDED_BY(mu);               // a report failed
  std::vector<uint32_t> generation GUARDED_BY(mu);          // session count per agent
  using Timer = std::pair<Steady::time_point, uint32_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers GUARDED_BY(mu);
  FleetStats stats GUARDED_BY(mu);
};

// One agent's own state, touched only by the thread serving it.
struct HollowFleet::Agent {
  FleetNode node;
  std::unique_ptr<protocol::DispatcherClient> client;
  std::string session_id;  // "" = none
  std::unique_ptr<protocol::AssignmentStream> stream;
  std::string last_results_in;
  bool have_complete = false;
  int failures = 0;  // since the last session opened
  Steady::time_point retry_at{};
  Steady::time_point next_heartbeat{};
};

HollowFleet::HollowFleet(std::vector<FleetNode> nodes, ClientFactory make_client,
                         const Clock& clock, FleetOptions options)
    : make_client_(std::move(make_client)),
      clock_(clock),
      options_(std::move(options)),
      core_(std::make_shared<Core>(nodes.size())) {
  agents_.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) agents_[i].node = std::move(nodes[i]);
}

HollowFleet::~HollowFleet() { stop(); }

void HollowFleet::start() {
  {
    MutexLock lock(core_->mu);
    for (uint32_t i = 0; i < agents_.size(); ++i) core_->mark_locked(i);
  }
  pump_.start();
  size_t n = std::max<size_t>(1, options_.threads);
  for (size_t t = 0; t < n; ++t) threads_.emplace_back([this] { run(); });
}

void HollowFleet::stop() {
  {
    MutexLock lock(core_->mu);
    if (core_->stopping && threads_.empty()) return;
    core_->stopping = true;
  }
  core_->cv.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  pump_.stop();  // before the clients go
  for (Agent& agent : agents_) {
    drop_stream(agent);
    agent.client.reset();
    agent.session_id.clear();
  }
}

size_t HollowFleet::size() const { return agents_.size(); }

FleetStats HollowFleet::stats() const {
  MutexLock lock(core_->mu);
  return core_->stats;
}

void HollowFleet::run() {
  pthread_setname_np(pthread_self(), "hollow fleet");
  Core& core = *core_;
  MutexLock lock(core.mu);
  while (!core.stopping) {
    // Due timers join the queue first, so heartbeats are not starved by a busy stream.
    Steady::time_point now = Steady::now();
    while (!core.timers.empty() && core.timers.top().first <= now) {
      core.mark_locked(core.timers.top().second);
      core.timers.pop();
    }
    if (!core.ready.empty()) {
      uint32_t i = core.ready.front();
      core.ready.pop_front();
      core.queued[i] = 0;
      core.busy[i] = 1;
      lock.unlock();
      serve(i);
      lock.lock();
      core.busy[i] = 0;
      if (core.again[i]) {
        core.again[i] = 0;
        core.mark_locked(i);
      }
      continue;
    }
    if (core.timers.empty()) {
      core.cv.wait(lock);
    } else {
      core.cv.wait_until(lock, core.timers.top().first);
    }
  }
}

void HollowFleet::serve(uint32_t index) {
  Agent& agent = agents_[index];
  bool resync;
  {
    MutexLock lock(core_->mu);
    resync = core_->resync[index];
    core_->resync[index] = 0;
  }
  // A report failed: read the complete set again on a new stream (it re-derives them).
  if (resync) drop_stream(agent);
  if (!ensure_session(index, agent)) return;

  Steady::time_point now = Steady::now();
  if (now >= agent.next_heartbeat) {
    auto beat = agent.client->heartbeat(protocol::HeartbeatRequest{agent.session_id});
    if (!beat.is_ok()) return disconnect(index, agent, beat.status());
    agent.next_heartbeat = Steady::now() + beat->Period;
    core_->at(agent.next_heartbeat, index);
    MutexLock lock(core_->mu);
    ++core_->stats.heartbeats;
  }
  drain(index, agent);
}

bool HollowFleet::ensure_session(uint32_t index, Agent& agent) {
  if (!agent.session_id.empty()) return agent.stream || open_stream(index, agent);
  Steady::time_point now = Steady::now();
  if (now < agent.retry_at) {
    core_->at(agent.retry_at, index);
    return false;
  }
  if (!agent.client) agent.client = make_client_(agent.node.id);
  protocol::SessionRequest request;
  request.NodeID = agent.node.id;
  request.Description = options_.description;
  request.Description.Hostname = agent.node.hostname;
  auto session = agent.client->session(request);
  if (!session.is_ok()) {
    disconnect(index, agent, session.status());
    return false;
  }
  agent.session_id = session->SessionID;
  agent.failures = 0;
  agent.next_heartbeat = Steady::now() + session->HeartbeatPeriod;
  core_->at(agent.next_heartbeat, index);
  {
    MutexLock lock(core_->mu);
    ++core_->generation[index];
    ++core_->stats.sessions;
  }
  return open_stream(index, agent);
}

bool HollowFleet::open_stream(uint32_t index, Agent& agent) {
  auto opened = agent.client->assignments(protocol::AssignmentsRequest{agent.session_id});
  if (!opened.is_ok()) {
    disconnect(index, agent, opened.status());
    return false;
  }
  agent.stream = std::move(opened).value();
  agent.have_complete = false;
  agent.last_results_in.clear();
  std::weak_ptr<Core> weak = core_;
  bool notifies = agent.stream->set_ready_callback([weak, index] {
    if (auto core = weak.lock()) core->mark(index);
  });
  if (!notifies) {
    agent.stream->cancel();
    agent.stream.reset();  // never counted as connected
    disconnect(index, agent,
               Status(Code::kFailedPrecondition, "the assignment stream cannot signal readiness"));
    return false;
  }
  MutexLock lock(core_->mu);
  ++core_->stats.connected;
  return true;
}

void HollowFleet::drain(uint32_t index, Agent& agent) {
  while (agent.stream) {
    auto received = agent.stream->recv(std::chrono::nanoseconds(0));
    if (!received.is_ok()) return disconnect(index, agent, received.status());
    if (!received->has_value()) return;
    protocol::AssignmentsMessage& message = **received;
    bool complete = message.Type == protocol::AssignmentsType::kComplete;
    if (!complete && (!agent.have_complete || message.AppliesTo != agent.last_results_in)) {
      // A gap in the chain: a new stream starts with a complete set.
      drop_stream(agent);
      open_stream(index, agent);
      continue;
    }
    agent.have_complete = true;
    agent.last_results_in = message.ResultsIn;
    report(index, agent, message);
  }
}

void HollowFleet::report(uint32_t index, Agent& agent,
                         const protocol::AssignmentsMessage& message) {
  protocol::UpdateTaskStatusRequest request;
  request.SessionID = agent.session_id;
  request.Updates = hollow_reports(message, clock_.now());
  uint32_t generation;
  {
    MutexLock lock(core_->mu);
    ++core_->stats.messages;
    generation = core_->generation[index];
    if (!request.Updates.empty()) {
      ++core_->stats.report_calls;
      core_->stats.reports += request.Updates.size();
    }
  }
  if (request.Updates.empty()) return;
  std::weak_ptr<Core> weak = core_;
  pump_.push(agent.client.get(), std::move(request), [weak, index, generation](Status s) {
    if (s.is_ok()) return;
    spdlog::debug("hollow fleet: a status report failed: {}", s.to_string());
    if (auto core = weak.lock()) core->report_failed(index, generation);
  });
}

void HollowFleet::disconnect(uint32_t index, Agent& agent, const Status& why) {
  spdlog::debug("hollow fleet: node {}: {}", agent.node.id, why.to_string());
  drop_stream(agent);
  agent.session_id.clear();
  double unit =
      unit_random(options_.seed ^ (uint64_t{index} << 24) ^ static_cast<uint64_t>(agent.failures));
  agent.retry_at = Steady::now() + backoff_delay(options_.reconnect, agent.failures++, unit);
  core_->at(agent.retry_at, index);
  MutexLock lock(core_->mu);
  ++core_->stats.failures;
}

void HollowFleet::drop_stream(Agent& agent) {
  if (!agent.stream) return;
  agent.stream->cancel();
  agent.stream.reset();
  MutexLock lock(core_->mu);
  --core_->stats.connected;
}

}  // namespace shoal::scale
