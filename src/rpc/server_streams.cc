#include "rpc/server_streams.h"

#include <chrono>

#include "common/mutex.h"
#include "rpc/status_map.h"
#include "rpc/wire.h"

namespace shoal::rpc {

Pump::Pump() : thread_([this] { run(); }) {}

Pump::~Pump() { stop(); }

void Pump::push(std::shared_ptr<AssignmentsState> state) {
  {
    MutexLock lock(mu_);
    queue_.push_back(std::move(state));
  }
  cv_.notify_one();
}

void Pump::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Pump::run() {
  MutexLock lock(mu_);
  while (true) {
    cv_.wait(lock, [&]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    auto state = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    drain(state);
    state.reset();
    lock.lock();
  }
}

void drain(const std::shared_ptr<AssignmentsState>& state) {
  MutexLock lock(state->mu);
  if (state->reactor == nullptr || state->finished) return;
  bool end = false;
  while (true) {
    auto next = state->stream->recv(std::chrono::nanoseconds(0));
    if (!next.is_ok()) {
      end = true;
      break;
    }
    if (!next->has_value()) break;
    AssignmentsMessage out;
    to_proto(**next, out);
    state->pending.push_back(std::move(out));
  }
  state->reactor->advance_locked(end);
}

AssignmentsReactor::AssignmentsReactor(std::unique_ptr<protocol::AssignmentStream> stream,
                                       Pump& pump)
    : state_(std::make_shared<AssignmentsState>()) {
  state_->stream = std::move(stream);
  state_->reactor = this;
  std::weak_ptr<AssignmentsState> weak = state_;
  bool notifies = state_->stream->set_ready_callback([weak, &pump] {
    if (auto state = weak.lock()) pump.push(std::move(state));
  });
  if (!notifies) {
    MutexLock lock(state_->mu);
    state_->finished = true;
    Finish(grpc::Status(grpc::StatusCode::INTERNAL, "assignment stream cannot notify"));
  }
}

void AssignmentsReactor::advance_locked(bool end) {
  state_->mu.assert_held();
  end_ = end_ || end;
  if (state_->finished || state_->writing) return;
  if (!state_->pending.empty()) {
    state_->writing = true;
    StartWrite(&state_->pending.front());
    return;
  }
  if (end_) {
    state_->finished = true;
    Finish(to_grpc(error(Code::kUnavailable, "assignment stream ended")));
  }
}

void AssignmentsReactor::OnWriteDone(bool ok) {
  MutexLock lock(state_->mu);
  state_->writing = false;
  if (!state_->pending.empty()) state_->pending.pop_front();
  if (!ok) {
    if (!state_->finished) {
      state_->finished = true;
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
    }
    return;
  }
  advance_locked(false);
}

void AssignmentsReactor::OnCancel() {
  MutexLock lock(state_->mu);
  if (!state_->finished) {
    state_->finished = true;
    Finish(grpc::Status::CANCELLED);
  }
}

void AssignmentsReactor::OnDone() {
  std::unique_ptr<protocol::AssignmentStream> stream;
  {
    MutexLock lock(state_->mu);
    state_->reactor = nullptr;
    stream = std::move(state_->stream);
  }
  // Ends the dispatcher's subscription; its notify may queue the state (drain skips it).
  if (stream) stream->cancel();
  delete this;
}

SessionReactor::SessionReactor(SessionMessage first) : first_(std::move(first)) {
  StartWrite(&first_);
}

void SessionReactor::OnWriteDone(bool ok) {
  if (ok) return;  // stays open
  MutexLock lock(mu_);
  if (!finished_) {
    finished_ = true;
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
  }
}

void SessionReactor::OnCancel() {
  MutexLock lock(mu_);
  if (!finished_) {
    finished_ = true;
    Finish(grpc::Status::CANCELLED);
  }
}

}  // namespace shoal::rpc
