// Subscription: one node's assignment stream on the dispatcher side. The dispatcher pushes
// changes into it (merged per object while the agent has not read them, so a slow agent
// gets one message with the latest of everything instead of a backlog); the reader —
// the in-process agent, or later a transport's stream writer — pulls messages with recv().
//
// Messages: the first is COMPLETE (sent even when empty; removals are left out of it), the
// rest INCREMENTAL; ResultsIn counts "1", "2", ... and AppliesTo is the previous ResultsIn.
//
// Readiness (protocol::AssignmentStream::set_ready_callback): a reader may register a callback
// that is called, outside the subscription's lock, whenever the subscription goes from "recv
// would wait" to "recv returns at once": push() into an empty queue after the complete set
// went out, close(), and at registration when already ready.
//
// Thread safety: all methods are thread-safe except set(), which the dispatcher guards with
// its own lock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/mutex.h"
#include "manager/dispatcher/assignment_set.h"
#include "protocol/messages.h"

namespace shoal::manager::dispatcher {

class Subscription {
 public:
  Subscription(std::string node_id, std::string session_id)
      : node_id_(std::move(node_id)), session_id_(std::move(session_id)), set_(node_id_) {}

  const std::string& node_id() const { return node_id_; }
  const std::string& session_id() const { return session_id_; }
  // What the node's agent has been told. REQUIRES: the dispatcher's lock.
  AssignmentSet& set() { return set_; }

  // Merges `changes` into what the reader will get next; wakes it.
  void push(ChangeMap changes);
  // Ends the stream: recv() then fails with kUnavailable `reason`. Idempotent.
  void close(std::string reason);
  bool closed() const;
  // Messages handed out so far.
  uint64_t messages() const;
  // Registers the readiness callback (see above), replacing an earlier one; calls it at once
  // when a recv() would not wait now.
  void set_ready_callback(std::function<void()> notify);

  // protocol::AssignmentStream::recv(): the next message within `timeout`, nullopt on timeout.
  // Errors: kUnavailable with the close reason.
  Result<std::optional<protocol::AssignmentsMessage>> recv(std::chrono::nanoseconds timeout);

 private:
  const std::string node_id_;
  const std::string session_id_;

  mutable Mutex mu_;
  CondVar cv_;
  ChangeMap pending_ GUARDED_BY(mu_);
  bool complete_sent_ GUARDED_BY(mu_) = false;
  uint64_t sequence_ GUARDED_BY(mu_) = 0;
  bool closed_ GUARDED_BY(mu_) = false;
  std::string close_reason_ GUARDED_BY(mu_);
  std::shared_ptr<const std::function<void()>> notify_ GUARDED_BY(mu_);

  AssignmentSet set_;  // GUARDED_BY(the dispatcher's mu_)
};

// The reader's handle: an protocol::AssignmentStream over a subscription. Destroying or
// cancelling it closes the subscription.
class SubscriptionStream final : public protocol::AssignmentStream {
 public:
  explicit SubscriptionStream(std::shared_ptr<Subscription> sub) : sub_(std::move(sub)) {}
  ~SubscriptionStream() override { sub_->close("assignment stream cancelled"); }

  Result<std::optional<protocol::AssignmentsMessage>> recv(
      std::chrono::nanoseconds timeout) override {
    return sub_->recv(timeout);
  }
  void cancel() override { sub_->close("assignment stream cancelled"); }
  bool set_ready_callback(std::function<void()> notify) override {
    sub_->set_ready_callback(std::move(notify));
    return true;
  }

 private:
  const std::shared_ptr<Subscription> sub_;
};

}  // namespace shoal::manager::dispatcher
