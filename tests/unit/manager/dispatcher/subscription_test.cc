// Subscription readiness (AssignmentStream::set_ready_callback): a reader that serves many
// streams waits for the callback instead of blocking in recv(); no wake-up may be lost.
#include "manager/dispatcher/subscription.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "common/mutex.h"

namespace shoal::manager::dispatcher {
namespace {

using namespace std::chrono_literals;

ChangeMap one_task(const std::string& id) {
  auto task = std::make_shared<api::Task>();
  task->ID = id;
  ChangeMap changes;
  changes.emplace(ItemKey{ItemKind::kTask, id},
                  protocol::AssignmentChange{protocol::AssignmentAction::kUpdate,
                                             std::shared_ptr<const api::Task>(task)});
  return changes;
}

// Receives everything ready now; returns the task IDs.
std::set<std::string> drain(Subscription& sub) {
  std::set<std::string> ids;
  for (;;) {
    auto m = sub.recv(0ns);
    if (!m.is_ok() || !m->has_value()) return ids;
    for (const auto& c : (*m)->Changes) ids.insert(protocol::assignment_id(c.Item));
  }
}

TEST(SubscriptionReadinessTest, CallsAtRegistrationWhileTheCompleteSetIsDue) {
  Subscription sub("n1", "s1");
  int calls = 0;
  sub.set_ready_callback([&] { ++calls; });
  EXPECT_EQ(calls, 1);  // the complete set (even empty) is ready at once
  auto first = sub.recv(0ns);
  ASSERT_TRUE(first.is_ok() && first->has_value());
  EXPECT_EQ((*first)->Type, protocol::AssignmentsType::kComplete);
  // Pushes before the complete set went out do not call again: it was ready already.
  Subscription early("n1", "s2");
  int early_calls = 0;
  early.push(one_task("a"));
  early.set_ready_callback([&] { ++early_calls; });
  early.push(one_task("b"));
  EXPECT_EQ(early_calls, 1);
  EXPECT_EQ(drain(early), (std::set<std::string>{"a", "b"}));
}

TEST(SubscriptionReadinessTest, CallsOnceWhenAnEmptyQueueFillsAndOnClose) {
  Subscription sub("n1", "s1");
  int calls = 0;
  sub.set_ready_callback([&] { ++calls; });
  drain(sub);  // the complete set
  calls = 0;
  sub.push(one_task("a"));
  EXPECT_EQ(calls, 1);
  sub.push(one_task("b"));  // still ready: merged, no new call
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(drain(sub), (std::set<std::string>{"a", "b"}));
  sub.push(one_task("c"));
  EXPECT_EQ(calls, 2);
  drain(sub);
  sub.close("bye");
  EXPECT_EQ(calls, 3);
  auto ended = sub.recv(0ns);
  EXPECT_EQ(ended.status().code(), Code::kUnavailable);
  sub.close("again");
  sub.push(one_task("d"));
  EXPECT_EQ(calls, 3);  // closed: nothing more
}

TEST(SubscriptionReadinessTest, RegistrationAfterCloseCallsAtOnce) {
  Subscription sub("n1", "s1");
  sub.close("gone");
  int calls = 0;
  SubscriptionStream stream(std::shared_ptr<Subscription>(&sub, [](Subscription*) {}));
  EXPECT_TRUE(stream.set_ready_callback([&] { ++calls; }));
  EXPECT_EQ(calls, 1);
}

// A reader that only drains when called back receives every push of a concurrent writer.
TEST(SubscriptionReadinessTest, NoWakeUpIsLostUnderConcurrentPushes) {
  auto sub = std::make_shared<Subscription>("n1", "s1");
  Mutex mu;
  CondVar cv;
  bool ready = false;
  sub->set_ready_callback([&] {
    MutexLock lock(mu);
    ready = true;
    cv.notify_one();
  });
  constexpr int kPushes = 20000;
  std::thread writer([&] {
    for (int i = 0; i < kPushes; ++i) sub->push(one_task("t" + std::to_string(i)));
  });
  std::set<std::string> seen;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (seen.size() < kPushes && std::chrono::steady_clock::now() < deadline) {
    {
      MutexLock lock(mu);
      cv.wait_until(lock, deadline, [&] { return ready; });
      ready = false;
    }
    seen.merge(drain(*sub));
  }
  writer.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kPushes));
}

}  // namespace
}  // namespace shoal::manager::dispatcher
