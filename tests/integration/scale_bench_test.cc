// `shoal bench scale` at a small size: the real binary runs the whole benchmark and prints
// the summary lines (no timing is asserted).
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <string>
#include <utility>

namespace {

// Runs `shoal bench scale <args>`; returns its exit code and output.
std::pair<int, std::string> run_bench(const std::string& args) {
  std::string command = std::string(SHOAL_BINARY) + " bench scale " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

void expect_summary(const std::string& output, const std::string& nodes_line) {
  for (const std::string& line :
       {nodes_line, std::string("time to all RUNNING:"), std::string("placements/s:"),
        std::string("commits/s:"), std::string("manager peak RSS:"),
        std::string("API service inspect:"), std::string("API task list"),
        std::string("API node list:"), std::string("removal:")}) {
    EXPECT_NE(output.find(line), std::string::npos) << "missing \"" << line << "\" in:\n" << output;
  }
}

TEST(ScaleBenchTest, SmallRunPrintsTheSummary) {
  auto [code, output] = run_bench("--nodes 50 --tasks 2000 --services 2");
  EXPECT_EQ(code, 0) << output;
  expect_summary(output, "nodes ready: 50");
}

// The same run with the agents on the real gRPC server and clients, over mutual TLS.
TEST(ScaleBenchTest, GrpcTransportRunsTheFleetOverMutualTls) {
  auto [code, output] = run_bench("--nodes 20 --tasks 400 --services 2 --transport grpc");
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("gRPC + mutual TLS on 127.0.0.1:"), std::string::npos) << output;
  expect_summary(output, "nodes ready: 20");
}

TEST(ScaleBenchTest, UnknownTransportIsRefused) {
  auto [code, output] = run_bench("--transport carrier-pigeon");
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("use local or grpc"), std::string::npos) << output;
}

}  // namespace
