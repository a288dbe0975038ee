// `shoal bench scale` at a small size: the real binary runs the whole benchmark and prints
// the summary lines (no timing is asserted).
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <string>

namespace {

TEST(ScaleBenchTest, SmallRunPrintsTheSummary) {
  std::string command = std::string(SHOAL_BINARY) +
                        " bench scale --nodes 50 --tasks 2000 --services 2 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  for (const char* line : {"nodes ready: 50", "time to all RUNNING:", "placements/s:", "commits/s:",
                           "manager peak RSS:", "API service inspect:", "API task list",
                           "API node list:", "removal:"}) {
    EXPECT_NE(output.find(line), std::string::npos) << "missing \"" << line << "\" in:\n" << output;
  }
}

TEST(ScaleBenchTest, GrpcTransportIsRefusedWithAReason) {
  std::string command = std::string(SHOAL_BINARY) + " bench scale --transport grpc 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(output.find("not available yet"), std::string::npos) << output;
}

}  // namespace
