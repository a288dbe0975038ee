#include "agent/hollow/hollow_executor.h"

#include <gtest/gtest.h>

#include <future>

#include "agent/dependencies.h"
#include "shoal/version.h"

namespace shoal::agent::hollow {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const api::Task> make_task(const std::string& id, api::StringMap labels = {}) {
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ContainerSpec.emplace();
  spec->ContainerSpec->Image = "busybox";
  spec->ContainerSpec->Labels = std::move(labels);
  auto task = std::make_shared<api::Task>();
  task->ID = id;
  task->Spec = spec;
  return task;
}

// Registers a wait and hands out its result.
class ExitWaiter {
 public:
  explicit ExitWaiter(Controller& controller) {
    controller.wait([this](Result<ExitStatus> exit) { promise_.set_value(std::move(exit)); });
  }
  // The exit, or an error status if none arrives within 5 s.
  Result<ExitStatus> get() {
    auto future = promise_.get_future();
    if (future.wait_for(5s) != std::future_status::ready) {
      return Status(Code::kInternal, "no exit within 5 s");
    }
    return future.get();
  }

 private:
  std::promise<Result<ExitStatus>> promise_;
};

class HollowExecutorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Controller> started(const std::string& id, api::StringMap labels = {}) {
    auto controller = executor_.controller(make_task(id, std::move(labels)), deps_);
    EXPECT_TRUE(controller.is_ok()) << controller.status().to_string();
    EXPECT_TRUE((*controller)->prepare().is_ok());
    EXPECT_TRUE((*controller)->start().is_ok());
    return std::move(controller).value();
  }

  DependencyStore deps_;
  HollowExecutor executor_;
};

TEST_F(HollowExecutorTest, RunsUntilShutdown) {
  auto c = started("a");
  EXPECT_EQ(executor_.running_count(), 1u);
  EXPECT_EQ(c->container_status().ContainerID, "hollow-a");
  ExitWaiter waiter(*c);
  ASSERT_TRUE(c->shutdown().is_ok());
  auto exit = waiter.get();
  ASSERT_TRUE(exit.is_ok()) << exit.status().to_string();
  EXPECT_EQ(exit->ExitCode, 0);
  EXPECT_EQ(executor_.running_count(), 0u);
  EXPECT_TRUE(c->remove().is_ok());
  EXPECT_EQ(executor_.task_count(), 0u);
}

TEST_F(HollowExecutorTest, TerminateKills) {
  auto c = started("a");
  ExitWaiter waiter(*c);
  ASSERT_TRUE(c->terminate().is_ok());
  auto exit = waiter.get();
  ASSERT_TRUE(exit.is_ok());
  EXPECT_EQ(exit->ExitCode, 137);
  EXPECT_EQ(c->container_status().ExitCode, 137);
}

TEST_F(HollowExecutorTest, FailLabelExitsWithItsCode) {
  auto c = started("a", {{"shoal.hollow.fail", "3"}});
  ExitWaiter waiter(*c);
  auto exit = waiter.get();
  ASSERT_TRUE(exit.is_ok());
  EXPECT_EQ(exit->ExitCode, 3);
}

TEST_F(HollowExecutorTest, FailAfterAndCompleteAfter) {
  auto failing = started("f", {{"shoal.hollow.fail-after", "20ms"}, {"shoal.hollow.fail", "9"}});
  auto completing = started("c", {{"shoal.hollow.complete-after", "10ms"}});
  ExitWaiter failed(*failing);
  ExitWaiter completed(*completing);
  auto f = failed.get();
  auto c = completed.get();
  ASSERT_TRUE(f.is_ok() && c.is_ok());
  EXPECT_EQ(f->ExitCode, 9);
  EXPECT_EQ(c->ExitCode, 0);
}

TEST_F(HollowExecutorTest, WaitAfterExitReportsAtOnce) {
  auto c = started("a", {{"shoal.hollow.complete-after", "0s"}});
  {
    ExitWaiter first(*c);
    ASSERT_TRUE(first.get().is_ok());
  }
  ExitWaiter again(*c);
  auto exit = again.get();
  ASSERT_TRUE(exit.is_ok());
  EXPECT_EQ(exit->ExitCode, 0);
}

TEST_F(HollowExecutorTest, WaitOnUnknownTaskIsNotFound) {
  auto c = executor_.controller(make_task("ghost"), deps_);
  ASSERT_TRUE(c.is_ok());
  ExitWaiter waiter(**c);
  auto exit = waiter.get();
  ASSERT_FALSE(exit.is_ok());
  EXPECT_EQ(exit.status().code(), Code::kNotFound);
  EXPECT_EQ(exit.status().message(), "task ghost is not running");
}

TEST_F(HollowExecutorTest, OperationsAreIdempotentAndOrdered) {
  auto c = executor_.controller(make_task("a"), deps_);
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ((*c)->start().code(), Code::kFailedPrecondition);  // not prepared
  EXPECT_TRUE((*c)->prepare().is_ok());
  EXPECT_TRUE((*c)->prepare().is_ok());
  EXPECT_TRUE((*c)->start().is_ok());
  EXPECT_TRUE((*c)->start().is_ok());
  EXPECT_EQ(executor_.running_count(), 1u);
  EXPECT_EQ((*c)->remove().code(), Code::kFailedPrecondition);  // still running
  ExitWaiter waiter(**c);
  EXPECT_TRUE((*c)->shutdown().is_ok());
  EXPECT_TRUE((*c)->shutdown().is_ok());
  ASSERT_TRUE(waiter.get().is_ok());
  EXPECT_TRUE((*c)->remove().is_ok());
  EXPECT_TRUE((*c)->remove().is_ok());
}

TEST_F(HollowExecutorTest, RejectsWhatItCannotRun) {
  auto no_container = std::make_shared<api::Task>();
  no_container->ID = "x";
  auto c = executor_.controller(no_container, deps_);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);

  auto bad = executor_.controller(make_task("b", {{"shoal.hollow.fail", "x"}}), deps_);
  ASSERT_TRUE(bad.is_ok());
  EXPECT_EQ((*bad)->prepare().code(), Code::kInvalidArgument);
}

TEST_F(HollowExecutorTest, PrepareNeedsAssignedSecretsAndConfigs) {
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ContainerSpec.emplace();
  api::SecretReference secret_ref;
  secret_ref.SecretID = "s1";
  secret_ref.SecretName = "db-password";
  spec->ContainerSpec->Secrets.push_back(secret_ref);
  auto task = std::make_shared<api::Task>();
  task->ID = "a";
  task->Spec = spec;
  auto c = executor_.controller(task, deps_);
  ASSERT_TRUE(c.is_ok());
  Status missing = (*c)->prepare();
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_EQ(missing.message(), "secret db-password (s1) is not available on this node");
  auto secret = std::make_shared<api::Secret>();
  secret->ID = "s1";
  deps_.put(secret);
  EXPECT_TRUE((*c)->prepare().is_ok());
}

TEST_F(HollowExecutorTest, RecoverHandsOutHeldTasks) {
  auto running = started("r");
  auto exited = started("e", {{"shoal.hollow.fail", "2"}});
  {
    ExitWaiter waiter(*exited);
    ASSERT_TRUE(waiter.get().is_ok());
  }
  auto prepared = executor_.controller(make_task("p"), deps_);
  ASSERT_TRUE(prepared.is_ok() && (*prepared)->prepare().is_ok());
  running.reset();  // a worker going away leaves its tasks running

  auto recovered = executor_.recover();
  ASSERT_TRUE(recovered.is_ok());
  ASSERT_EQ(recovered->size(), 3u);
  std::map<std::string, RecoveredTask*> by_id;
  for (RecoveredTask& t : *recovered) by_id[t.TaskID] = &t;
  EXPECT_EQ(by_id["r"]->state, RecoveredTask::State::kRunning);
  EXPECT_EQ(by_id["p"]->state, RecoveredTask::State::kPrepared);
  ASSERT_EQ(by_id["e"]->state, RecoveredTask::State::kExited);
  EXPECT_EQ(by_id["e"]->exit->ExitCode, 2);

  // The adopted controller drives the same task.
  Controller& adopted = *by_id["r"]->controller;
  ExitWaiter waiter(adopted);
  ASSERT_TRUE(adopted.terminate().is_ok());
  ASSERT_TRUE(waiter.get().is_ok());
  EXPECT_TRUE(adopted.remove().is_ok());
}

TEST_F(HollowExecutorTest, DescribesTheRealHost) {
  auto description = executor_.describe();
  ASSERT_TRUE(description.is_ok()) << description.status().to_string();
  EXPECT_FALSE(description->Hostname.empty());
  EXPECT_EQ(description->Platform.OS, "linux");
  EXPECT_FALSE(description->Platform.Architecture.empty());
  EXPECT_GE(description->Resources.NanoCPUs, 1'000'000'000);
  EXPECT_GT(description->Resources.MemoryBytes, 0);
  EXPECT_EQ(description->Engine.EngineVersion, kVersion);
}

TEST(HollowExecutorOptionsTest, DescriptionOverride) {
  api::NodeDescription fake;
  fake.Hostname = "sim-1";
  HollowExecutor executor(HollowOptions{fake});
  auto description = executor.describe();
  ASSERT_TRUE(description.is_ok());
  EXPECT_EQ(description->Hostname, "sim-1");
}

}  // namespace
}  // namespace shoal::agent::hollow
