#include "runtime/exit_status.h"

#include <gtest/gtest.h>

namespace shoal::runtime {
namespace {

TEST(OomKillCount, ReadsTheCounterOfV1AndV2Files) {
  EXPECT_EQ(oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"), 1u);
  EXPECT_EQ(oom_kill_count("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n"), 2u);
  EXPECT_EQ(oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 0"), 0u);
  // Kernels before 4.13 have no counter in memory.oom_control.
  EXPECT_EQ(oom_kill_count("oom_kill_disable 0\nunder_oom 0\n"), std::nullopt);
  EXPECT_EQ(oom_kill_count(""), std::nullopt);
  EXPECT_EQ(oom_kill_count("oom_kill x\n"), std::nullopt);
}

TEST(ExitStatus, SwarmsTextWithTheKnownCause) {
  struct Case {
    int64_t code;
    bool unhealthy, oom;
    std::string want;
  } cases[] = {
      {0, false, false, ""},
      {0, false, true, ""},
      {1, false, false, ""},  // the worker writes "task: non-zero exit (1)"
      {137, false, true, "task: non-zero exit (137): OOMKilled"},
      {1, false, true, "task: non-zero exit (1): OOMKilled"},
      {143, true, false, "task: non-zero exit (143): dockerexec: unhealthy container"},
      {137, true, true, "task: non-zero exit (137): dockerexec: unhealthy container"},
  };
  for (const Case& c : cases) {
    agent::ExitStatus got = exit_status(c.code, c.unhealthy, c.oom);
    EXPECT_EQ(got.ExitCode, c.code);
    EXPECT_EQ(got.Err, c.want) << c.code << " " << c.unhealthy << " " << c.oom;
  }
}

TEST(OomKilled, FalseForAContainerWithoutCgroups) {
  EXPECT_FALSE(oom_killed("no-such-container-anywhere"));
}

}  // namespace
}  // namespace shoal::runtime
