#include "provider/state.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace shoal::provider {
namespace {

ClusterState sample() {
  ClusterState s;
  s.name = "t";
  s.provider = "netns";
  s.subnet = "10.213.0.0/24";
  s.bridge = "sh-t-abc";
  s.executor = "hollow";
  s.machines.push_back(
      {"m1", "10.213.0.2", "manager", "/s/machines/m1", "/s/machines/m1/docker.sock"});
  s.made.push_back({ResourceKind::kNftTable, "shoal-t", ""});
  s.made.push_back({ResourceKind::kPid, "1234", "m1"});
  return s;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/shoal-provider-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(StateTest, JsonRoundTrips) {
  auto back = from_json(to_json(sample()));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, sample());
}

TEST(StateTest, SaveThenLoad) {
  TempDir dir;
  std::string sub = dir.path() + "/clusters/t";
  ASSERT_TRUE(save_state(sub, sample()).is_ok());
  auto back = load_state(sub);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, sample());
  EXPECT_FALSE(std::filesystem::exists(sub + "/state.json.tmp"));
}

TEST(StateTest, MissingIsNotFound) {
  TempDir dir;
  EXPECT_EQ(load_state(dir.path() + "/nope").status().code(), Code::kNotFound);
}

TEST(StateTest, MalformedIsInvalidArgument) {
  const char* cases[] = {"", "{", "[]", R"({"Name":"t"})",
                         R"({"Name":"t","Provider":"netns","Made":[{"Kind":"blob","Name":"x"}]})"};
  for (const char* text : cases) {
    EXPECT_EQ(from_json(text).status().code(), Code::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace shoal::provider
