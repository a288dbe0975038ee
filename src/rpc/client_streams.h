// The client's stream calls (internal to dispatcher_client.cc), callback API: no thread
// per stream. Each call object keeps itself alive until gRPC's OnDone.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "common/mutex.h"
#include "protocol/messages.h"
#include "shoal/dispatcher.grpc.pb.h"

namespace shoal::rpc {

// A Session call: its first message, then open until the server ends it.
class SessionCall final : public grpc::ClientReadReactor<SessionMessage> {
 public:
  static std::shared_ptr<SessionCall> start(Dispatcher::Stub& stub, const SessionRequest& req);
  // The first message, waiting up to `timeout`. Errors: the call's end status;
  // kUnavailable on timeout.
  Result<protocol::SessionMessage> first(std::chrono::milliseconds timeout);
  // True once the server ended the stream (the session is gone).
  bool ended() const;
  void cancel();

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  grpc::ClientContext context_;
  SessionMessage message_;
  mutable Mutex mu_;
  CondVar cv_;
  std::optional<protocol::SessionMessage> first_;
  std::optional<Status> end_;
  std::shared_ptr<SessionCall> self_;  // until OnDone
};

// An Assignments call, as an protocol::AssignmentStream.
class AssignmentsCall final : public grpc::ClientReadReactor<AssignmentsMessage>,
                              public protocol::AssignmentStream {
 public:
  static std::shared_ptr<AssignmentsCall> start(Dispatcher::Stub& stub,
                                                const AssignmentsRequest& req);
  // Waits up to `timeout` for the first message or the end; Errors: the end's status.
  Status wait_first(std::chrono::milliseconds timeout);

  Result<std::optional<protocol::AssignmentsMessage>> recv(
      std::chrono::nanoseconds timeout) override;
  void cancel() override;
  bool set_ready_callback(std::function<void()> notify) override;

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // Releases `lock` (a lock of mu_), then wakes the reader. Unchecked by the analysis, which
  // cannot follow a MutexLock released through a reference.
  void notify_locked(MutexLock& lock) NO_THREAD_SAFETY_ANALYSIS;

  grpc::ClientContext context_;
  AssignmentsMessage message_;
  Mutex mu_;
  CondVar cv_;
  std::deque<Result<protocol::AssignmentsMessage>> queue_;
  bool got_first_ = false;
  std::optional<Status> end_;
  bool cancelled_ = false;
  std::function<void()> notify_;
  std::shared_ptr<AssignmentsCall> self_;  // until OnDone
};

}  // namespace shoal::rpc
