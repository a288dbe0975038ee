// Containers outlive the daemon: kill -9 of the daemon leaves them running, and the next
// daemon adopts them (RUNNING, no restart, none extra).
#include "runtime_fixture.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(RuntimeIntegrationTest, KillNineKeepsContainersAndTheNextDaemonAdoptsThem) {
  ok({"service", "create", "-d", "--name", "k", "--replicas", "20", kImage, "sleep", "1d"});
  ASSERT_TRUE(
      eventually([&] { return running_tasks("k") == 20 && running_containers() == 20; }, 180s))
      << docker({"service", "ps", "k"}).out << tail(daemon_->log());
  auto before = runc_list();
  std::string tasks_before = docker({"service", "ps", "k", "-q", "--no-trunc"}).out;

  daemon_->kill9();
  // The containers and their monitors do not depend on the daemon.
  EXPECT_EQ(running_containers(), 20u);
  EXPECT_EQ(runc_list(), before);

  ASSERT_TRUE(daemon_->start());
  ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
  ASSERT_TRUE(eventually([&] { return running_tasks("k") == 20; }, 120s))
      << docker({"service", "ps", "k"}).out << tail(daemon_->log());
  // The same 20 containers, none extra, none restarted.
  EXPECT_EQ(runc_list(), before);
  EXPECT_EQ(docker({"service", "ps", "k", "-q", "--no-trunc"}).out, tasks_before);

  // And the adopted containers still end properly.
  ok({"service", "rm", "k"});
  ASSERT_TRUE(eventually([&] { return task_dirs().empty(); }, 120s)) << tail(daemon_->log());
  EXPECT_TRUE(runc_list().empty());
}

}  // namespace
}  // namespace shoal::testing
