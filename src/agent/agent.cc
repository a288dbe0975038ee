#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include "common/mutex.h"
#include "shoal/version.h"

namespace shoal::agent {

using Steady = std::chrono::steady_clock;

Agent::Agent(protocol::DispatcherClient& client, Executor& executor, const Clock& clock,
             AgentOptions options)
    : client_(client),
      executor_(executor),
      options_(std::move(options)),
      reporter_(client, clock, options_.reporter,
                [this](const std::string& session) { end_session(session); }),
      worker_(executor, clock, reporter_, options_.worker) {}

Agent::~Agent() { stop(); }

Status Agent::start() {
  auto described = executor_.describe();
  if (!described.is_ok()) return described.status();
  description_ = std::move(described).value();
  if (description_.Engine.EngineVersion.empty()) description_.Engine.EngineVersion = kVersion;
  {
    MutexLock lock(mu_);
    started_ = true;
  }
  worker_.start();
  reporter_.start();
  thread_ = std::thread([this] { session_loop(); });
  return Status::ok();
}

void Agent::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    if (stream_) stream_->cancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  reporter_.stop();
  worker_.stop();
}

std::string Agent::session_id() const {
  MutexLock lock(mu_);
  return session_id_;
}

uint64_t Agent::sessions_opened() const {
  MutexLock lock(mu_);
  return sessions_opened_;
}

bool Agent::sleep(std::chrono::nanoseconds d) {
  MutexLock lock(mu_);
  cv_.wait_for(lock, d, [&]() REQUIRES(mu_) { return stopping_; });
  return !stopping_;
}

void Agent::end_session(const std::string& session_id) {
  MutexLock lock(mu_);
  if (session_id_ != session_id) return;
  session_ended_ = true;
  if (stream_) stream_->cancel();
}

void Agent::session_loop() {
  Backoff backoff(options_.reconnect, options_.seed);
  for (;;) {
    {
      MutexLock lock(mu_);
      if (stopping_) return;
    }
    protocol::SessionRequest request{options_.node_id, description_, ""};
    auto session = client_.session(request);
    if (!session.is_ok()) {
      auto delay = backoff.next();
      spdlog::warn("agent: cannot open a session (retrying in {} ms): {}",
                   std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(),
                   session.status().message());
      if (!sleep(delay)) return;
      continue;
    }
    {
      MutexLock lock(mu_);
      session_id_ = session->SessionID;
      session_ended_ = false;
      sessions_opened_++;
    }
    spdlog::info("agent: session {} opened for node {}", session->SessionID, options_.node_id);
    reporter_.set_session(session->SessionID);
    reporter_.report_all(worker_.statuses());
    run_session(*session);
    reporter_.set_session("");
    {
      MutexLock lock(mu_);
      session_id_.clear();
      if (stream_) stream_->cancel();
      stream_.reset();
    }
    if (!sleep(backoff.next())) return;
  }
}

void Agent::run_session(const protocol::SessionMessage& session) {
  auto period = session.HeartbeatPeriod;
  auto next_heartbeat = Steady::now() + period;
  std::string last_results_in;
  bool have_complete = false;
  std::shared_ptr<protocol::AssignmentStream> stream;
  for (;;) {
    if (!stream) {
      auto opened = client_.assignments(protocol::AssignmentsRequest{session.SessionID});
      if (!opened.is_ok()) {
        spdlog::warn("agent: cannot open the assignment stream: {}", opened.status().message());
        return;
      }
      stream = std::move(opened).value();
      MutexLock lock(mu_);
      if (stopping_ || session_ended_) return;
      stream_ = stream;
      have_complete = false;
    }
    auto wait = std::max(next_heartbeat - Steady::now(), Steady::duration(0));
    auto received = stream->recv(wait);
    {
      MutexLock lock(mu_);
      if (stopping_ || session_ended_) return;
    }
    if (!received.is_ok()) {
      spdlog::info("agent: assignment stream ended: {}", received.status().message());
      return;
    }
    if (received->has_value()) {
      protocol::AssignmentsMessage& message = **received;
      bool complete = message.Type == protocol::AssignmentsType::kComplete;
      if (!complete && (!have_complete || message.AppliesTo != last_results_in)) {
        spdlog::warn("agent: assignment stream out of order (applies to {}, last {}); reopening",
                     message.AppliesTo, last_results_in);
        stream->cancel();
        stream.reset();
        continue;
      }
      Status applied = worker_.assign(message);
      if (!applied.is_ok()) return;
      last_results_in = message.ResultsIn;
      have_complete = true;
    }
    if (Steady::now() >= next_heartbeat) {
      auto beat = client_.heartbeat(protocol::HeartbeatRequest{session.SessionID});
      if (!beat.is_ok()) {
        spdlog::info("agent: heartbeat failed: {}", beat.status().message());
        return;
      }
      period = beat->Period;
      next_heartbeat = Steady::now() + period;
    }
  }
}

}  // namespace shoal::agent
