#include "scale/scale_run.h"

#include <gtest/gtest.h>

namespace shoal::scale {
namespace {

TEST(CheckOptionsTest, RefusesWhatCannotRun) {
  ScaleOptions ok;
  EXPECT_TRUE(check_options(ok).is_ok());

  ScaleOptions no_nodes;
  no_nodes.nodes = 0;
  EXPECT_EQ(check_options(no_nodes).message(), "--nodes must be at least 1");

  ScaleOptions too_many_services;
  too_many_services.tasks = 3;
  too_many_services.services = 4;
  EXPECT_EQ(check_options(too_many_services).message(), "--services must be between 1 and --tasks");

  ScaleOptions grpc;
  grpc.transport = "grpc";
  EXPECT_TRUE(check_options(grpc).is_ok());

  ScaleOptions other;
  other.transport = "carrier-pigeon";
  EXPECT_EQ(check_options(other).code(), Code::kInvalidArgument);
  EXPECT_EQ(check_options(other).message(),
            "unknown transport \"carrier-pigeon\": use local or grpc");
}

TEST(PercentileTest, NearestRank) {
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({3, 1, 2}, 0.5), 2);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 0.5), 2);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 0.99), 4);
  EXPECT_EQ(percentile({5}, 0.0), 5);
}

// A whole run at a tiny size, on a temporary data dir: it completes and every figure is
// filled in (no timing is asserted).
TEST(ScaleRunTest, SmallRunCompletes) {
  ScaleOptions options;
  options.nodes = 20;
  options.tasks = 300;
  options.services = 3;
  options.timeout = std::chrono::seconds(120);
  options.sample_interval = std::chrono::milliseconds(10);
  std::vector<std::string> lines;
  auto report = run_scale(options, [&](const std::string& line) { lines.push_back(line); });
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_GT(report->all_running_s, 0);
  EXPECT_GE(report->all_running_s, report->all_assigned_s);
  EXPECT_GT(report->commits, 0u);
  EXPECT_GT(report->peak_rss_kib, 0u);
  EXPECT_FALSE(report->api.node_list_ms.empty());
  EXPECT_EQ(report->api.errors, 0u);
  EXPECT_EQ(report->fleet.sessions, 20u);
  EXPECT_GE(report->fleet.reports, 600u);  // 300 running, 300 shut down
  auto summary = summary_lines(*report);
  ASSERT_FALSE(summary.empty());
  EXPECT_NE(summary[1].find("time to all RUNNING"), std::string::npos);
}

}  // namespace
}  // namespace shoal::scale
