// A micro-benchmark printed by the unit tests: the cost of encoding and decoding one task
// (the 1M-task list case). Asserts only a loose ceiling so that slow CI machines pass.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "api/codec.h"

namespace shoal::api {
namespace {

Task running_task() {
  std::ifstream in(std::string(SHOAL_TEST_DATA_DIR) + "/api/task.json");
  std::ostringstream text;
  text << in.rdbuf();
  auto task = decode<Task>(text.str());
  EXPECT_TRUE(task.is_ok());
  return task.is_ok() ? *task : Task{};
}

template <class F>
double ns_per_op(int n, F&& op) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) op();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration<double, std::nano>(elapsed).count() / n;
}

TEST(CodecBench, TaskEncodeDecode) {
  const Task task = running_task();
  const std::string body = encode(task);
  constexpr int kIterations = 5000;
  size_t bytes = 0;
  const double to_json_ns = ns_per_op(kIterations, [&] { bytes += to_json(task).size(); });
  const double dump_ns = ns_per_op(kIterations, [&] { bytes += to_json(task).dump().size(); });
  std::string list;
  const double encode_ns = ns_per_op(kIterations, [&] {
    list.clear();
    append_json(list, task);
    bytes += list.size();
  });
  const Json parsed = Json::parse(body);
  Task out;
  const double from_json_ns =
      ns_per_op(kIterations, [&] { bytes += from_json(parsed, out).is_ok(); });
  const double decode_ns = ns_per_op(kIterations, [&] { bytes += decode<Task>(body).is_ok(); });
  std::printf(
      "task JSON %zu bytes: encode (text, append_json) %.0f ns, to_json %.0f ns, to_json+dump %.0f "
      "ns, "
      "from_json %.0f ns, decode (parse+from_json) %.0f ns  [sizeof(Task)=%zu, "
      "sizeof(TaskSpec)=%zu]\n",
      body.size(), encode_ns, to_json_ns, dump_ns, from_json_ns, decode_ns, sizeof(Task),
      sizeof(TaskSpec));
  EXPECT_GT(bytes, 0u);
  EXPECT_LT(encode_ns, 100'000.0);
}

}  // namespace
}  // namespace shoal::api
