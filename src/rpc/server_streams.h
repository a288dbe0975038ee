// The server's stream reactors (internal to server.cc): Session and Assignments over the
// callback API, and the Pump thread that drains dispatcher assignment streams into them.
//
// Why a pump: a dispatcher AssignmentStream's ready callback runs under the dispatcher's
// locks and must not read the stream; it only queues the stream's state, and the one pump
// thread reads it (recv(0)) and starts the gRPC writes. No thread is held per stream.
//
// Thread safety: Pump is thread-safe; a reactor's state is guarded by its own mutex.
#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "common/mutex.h"
#include "protocol/messages.h"
#include "shoal/dispatcher.pb.h"

namespace shoal::rpc {

class AssignmentsReactor;

// What the pump and the reactor share; outlives whichever of them ends first.
struct AssignmentsState {
  Mutex mu;
  std::unique_ptr<protocol::AssignmentStream> stream;
  AssignmentsReactor* reactor = nullptr;   // null once OnDone ran
  std::deque<AssignmentsMessage> pending;  // front = being written while `writing`
  bool writing = false;
  bool finished = false;  // Finish() called
};

class Pump {
 public:
  Pump();
  ~Pump();  // stop()
  void push(std::shared_ptr<AssignmentsState> state);
  void stop();

 private:
  void run();
  Mutex mu_;
  CondVar cv_;
  std::deque<std::shared_ptr<AssignmentsState>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// Reads what the state's stream has ready and writes it out; ends the call when the stream
// ended. Runs on the pump thread.
void drain(const std::shared_ptr<AssignmentsState>& state);

class AssignmentsReactor final : public grpc::ServerWriteReactor<AssignmentsMessage> {
 public:
  // Takes over `stream` and starts writing its messages.
  AssignmentsReactor(std::unique_ptr<protocol::AssignmentStream> stream, Pump& pump);
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // Starts the next write, or finishes when `end` and drained. The caller holds the state's
  // mutex, which drain() reaches as state->mu: the analysis cannot tell it is state_->mu.
  void advance_locked(bool end);

 private:
  std::shared_ptr<AssignmentsState> state_;
  bool end_ GUARDED_BY(state_->mu) = false;
};

// A Session stream: its first message, then open until the client goes or the server stops.
class SessionReactor final : public grpc::ServerWriteReactor<SessionMessage> {
 public:
  explicit SessionReactor(SessionMessage first);
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  SessionMessage first_;
  Mutex mu_;
  bool finished_ = false;
};

}  // namespace shoal::rpc
