#include "runtime/health.h"

#include <gtest/gtest.h>

namespace shoal::runtime {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

TEST(ResolveHealth, SpecOverImageWithDockersDefaults) {
  image::ImageConfig image;
  EXPECT_FALSE(resolve_health(std::nullopt, image));

  image.HealthcheckTest = {"CMD-SHELL", "wget -q localhost"};
  image.HealthcheckInterval = std::chrono::nanoseconds(5s).count();
  auto from_image = resolve_health(std::nullopt, image);
  ASSERT_TRUE(from_image);
  EXPECT_EQ(from_image->test, (Strings{"CMD-SHELL", "wget -q localhost"}));
  EXPECT_EQ(from_image->interval, 5s);
  EXPECT_EQ(from_image->timeout, 30s);
  EXPECT_EQ(from_image->retries, 3);
  EXPECT_EQ(from_image->start_period, 0s);

  api::HealthConfig spec;
  spec.Retries = 1;
  spec.Timeout = 2s;
  auto merged = resolve_health(spec, image);  // empty Test inherits the image's
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->test, image.HealthcheckTest);
  EXPECT_EQ(merged->interval, 5s);
  EXPECT_EQ(merged->timeout, 2s);
  EXPECT_EQ(merged->retries, 1);

  spec.Test = {"NONE"};
  EXPECT_FALSE(resolve_health(spec, image));
  spec.Test = {"CMD", "true"};
  EXPECT_EQ(resolve_health(spec, image::ImageConfig{})->test, (Strings{"CMD", "true"}));
}

TEST(ProbeArgv, CmdAndShell) {
  HealthCheck c;
  c.test = {"CMD", "cat", "/ok"};
  EXPECT_EQ(probe_argv(c), (Strings{"cat", "/ok"}));
  c.test = {"CMD-SHELL", "test -f /ok"};
  EXPECT_EQ(probe_argv(c), (Strings{"/bin/sh", "-c", "test -f /ok"}));
  c.test = {"CMD"};
  EXPECT_TRUE(probe_argv(c).empty());
  c.test = {"BOGUS", "x"};
  EXPECT_TRUE(probe_argv(c).empty());
}

// Each step: a probe at `at` seconds after the start that passes or fails, and the state
// after it.
struct Step {
  int at;
  bool passed;
  HealthStatus status;
  int64_t streak;
};

void run(const HealthCheck& check, const std::vector<Step>& steps, const char* name) {
  Timestamp started = Timestamp::from_unix_nanos(1'000'000'000'000);
  HealthState state;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    state = on_probe(state, check, started, started + std::chrono::seconds(s.at), s.passed);
    EXPECT_EQ(state.status, s.status) << name << " step " << i;
    EXPECT_EQ(state.failing_streak, s.streak) << name << " step " << i;
  }
}

TEST(OnProbe, DockersStateMachine) {
  using H = HealthStatus;
  HealthCheck c;
  c.retries = 3;
  run(c, {{30, true, H::kHealthy, 0}}, "a pass is healthy");
  run(c,
      {{30, false, H::kStarting, 1}, {60, false, H::kStarting, 2}, {90, false, H::kUnhealthy, 3}},
      "three failures make it unhealthy");
  run(c,
      {{30, false, H::kStarting, 1},
       {60, true, H::kHealthy, 0},
       {90, false, H::kHealthy, 1},
       {120, false, H::kHealthy, 2},
       {150, true, H::kHealthy, 0}},
      "a pass resets the streak");
  run(c,
      {{30, true, H::kHealthy, 0},
       {60, false, H::kHealthy, 1},
       {90, false, H::kHealthy, 2},
       {120, false, H::kUnhealthy, 3},
       {150, true, H::kHealthy, 0}},
      "healthy, then unhealthy, then healthy again");

  c.start_period = std::chrono::seconds(100);
  run(c,
      {{30, false, H::kStarting, 0},
       {60, false, H::kStarting, 0},
       {90, false, H::kStarting, 0},
       {120, false, H::kStarting, 1},
       {150, false, H::kStarting, 2},
       {180, false, H::kUnhealthy, 3}},
      "failures in the start period do not count");
  run(c, {{30, true, H::kHealthy, 0}, {60, false, H::kHealthy, 1}},
      "once healthy, the start period no longer shields failures");

  c.start_period = std::chrono::seconds(0);
  c.retries = 1;
  run(c, {{30, false, H::kUnhealthy, 1}}, "retries 1");
}

}  // namespace
}  // namespace shoal::runtime
