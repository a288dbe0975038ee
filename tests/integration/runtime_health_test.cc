// Healthchecks: a task whose check fails is stopped, fails with swarm's "unhealthy container"
// error, and its restart policy replaces it.
#include "runtime_fixture.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(RuntimeIntegrationTest, FailingHealthcheckReplacesTheTask) {
  ok({"service", "create", "-d", "--name", "h", "--health-cmd", "test -f /tmp/healthy",
      "--health-interval", "1s", "--health-retries", "2", "--health-timeout", "2s",
      "--stop-grace-period", "1s", kImage, "sleep", "1d"});
  ASSERT_TRUE(eventually(
      [&] {
        std::string ps = docker({"service", "ps", "h", "--no-trunc", "--format", "{{.Error}}"}).out;
        return contains(ps, "dockerexec: unhealthy container");
      },
      120s))
      << docker({"service", "ps", "h", "--no-trunc"}).out << tail(daemon_->log());
  // The replacement runs (until it fails the same way).
  ASSERT_TRUE(eventually(
      [&] {
        std::string ps = docker({"service", "ps", "h", "-q"}).out;
        return std::count(ps.begin(), ps.end(), '\n') >= 2;
      },
      120s))
      << docker({"service", "ps", "h", "--no-trunc"}).out;
}

TEST_F(RuntimeIntegrationTest, PassingHealthcheckUnderDockersUmaskKeepsTheTaskRunning) {
  // The check passes only under the umask Docker gives exec'd processes (022), not under
  // the daemon's own (077).
  ok({"service", "create", "-d", "--name", "ok", "--health-cmd", "test \"$(umask)\" = 0022",
      "--health-interval", "1s", "--health-retries", "1", kImage, "sleep", "1d"});
  ASSERT_TRUE(eventually([&] { return running_tasks("ok") == 1; }, 60s));
  // Several intervals later it still runs the same single task.
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(running_tasks("ok"), 1u);
  std::string ps = docker({"service", "ps", "ok", "-q"}).out;
  EXPECT_EQ(std::count(ps.begin(), ps.end(), '\n'), 1) << docker({"service", "ps", "ok"}).out;
}

}  // namespace
}  // namespace shoal::testing
