#include "runtime/recovery.h"

#include <gtest/gtest.h>

namespace shoal::runtime {
namespace {

MonitorStatus live(MonitorStatus::State s) {
  MonitorStatus st;
  st.state = s;
  st.pid = 42;
  return st;
}

TEST(Classify, Table) {
  using S = MonitorStatus::State;
  monitor::ExitRecord exit{3, 0, 1};
  struct Case {
    const char* name;
    TaskFacts facts;
    Verdict want;
  } cases[] = {
      {"no task.json", {false, false, false, std::nullopt, std::nullopt}, Verdict::kHalfPrepared},
      {"no task.json even with traces",
       {false, false, true, std::nullopt, exit},
       Verdict::kHalfPrepared},
      {"prepare never finished",
       {true, false, false, std::nullopt, std::nullopt},
       Verdict::kHalfPrepared},
      {"prepared, never launched",
       {true, true, false, std::nullopt, std::nullopt},
       Verdict::kPrepared},
      {"running monitor", {true, true, true, live(S::kRunning), std::nullopt}, Verdict::kRunning},
      {"monitor draining after the exit",
       {true, true, true, live(S::kExited), std::nullopt},
       Verdict::kRunning},
      {"created, not started",
       {true, true, true, live(S::kCreated), std::nullopt},
       Verdict::kCreated},
      {"exited meanwhile", {true, true, true, std::nullopt, exit}, Verdict::kExited},
      {"exit file wins over a stale answer",
       {true, true, true, live(S::kRunning), exit},
       Verdict::kExited},
      {"monitor gone without an exit file",
       {true, true, true, std::nullopt, std::nullopt},
       Verdict::kLost},
  };
  for (const Case& c : cases) EXPECT_EQ(classify(c.facts), c.want) << c.name;
}

TEST(MonitorStatusLine, Parses) {
  auto running = parse_status_line("running 1234");
  ASSERT_TRUE(running.is_ok());
  EXPECT_EQ(running->state, MonitorStatus::State::kRunning);
  EXPECT_EQ(running->pid, 1234);
  auto created = parse_status_line("created 7");
  ASSERT_TRUE(created.is_ok());
  EXPECT_EQ(created->state, MonitorStatus::State::kCreated);
  auto exited = parse_status_line("exited 137 9");
  ASSERT_TRUE(exited.is_ok());
  EXPECT_EQ(exited->exit.code, 137);
  EXPECT_EQ(exited->exit.signal, 9);
  auto err = parse_status_line("error runtime create failed");
  ASSERT_FALSE(err.is_ok());
  EXPECT_EQ(err.status().message(), "runtime create failed");
  EXPECT_FALSE(parse_status_line("running").is_ok());
  EXPECT_FALSE(parse_status_line("").is_ok());
  EXPECT_FALSE(parse_status_line("sleeping 1").is_ok());
}

TEST(ExitRecord, FormatsAndParses) {
  monitor::ExitRecord r{137, 9, 1714557600000000000};
  monitor::ExitRecord back;
  ASSERT_TRUE(monitor::parse_exit(monitor::format_exit(r), back));
  EXPECT_EQ(back.code, 137);
  EXPECT_EQ(back.signal, 9);
  EXPECT_EQ(back.finished_nanos, 1714557600000000000);
  EXPECT_FALSE(monitor::parse_exit("", back));
  EXPECT_FALSE(monitor::parse_exit("x 1", back));
}

}  // namespace
}  // namespace shoal::runtime
