#include "daemon/membership_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace shoal::daemon {
namespace {

class MembershipFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-membership-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(MembershipFileTest, NoneSavedIsNullopt) {
  auto loaded = load_membership(dir_);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(MembershipFileTest, SaveLoadRemove) {
  SavedMembership saved;
  saved.membership.node_id = "n1";
  saved.membership.cluster_id = "c1";
  saved.membership.role = api::NodeRole::kManager;
  saved.membership.advertise_addr = "10.0.0.5:2377";
  saved.membership.listen_addr = "0.0.0.0:2377";
  saved.unlock_key = "SWMKEY-1-abc";
  ASSERT_TRUE(save_membership(dir_, saved).is_ok());

  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/swarm.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto loaded = load_membership(dir_);
  ASSERT_TRUE(loaded.is_ok());
  ASSERT_TRUE(loaded->has_value());
  const SavedMembership& got = **loaded;
  EXPECT_EQ(got.membership.node_id, "n1");
  EXPECT_EQ(got.membership.cluster_id, "c1");
  EXPECT_EQ(got.membership.advertise_addr, "10.0.0.5:2377");
  EXPECT_EQ(got.membership.listen_addr, "0.0.0.0:2377");
  EXPECT_EQ(got.unlock_key, "SWMKEY-1-abc");

  ASSERT_TRUE(remove_membership(dir_).is_ok());
  ASSERT_TRUE(remove_membership(dir_).is_ok());  // idempotent
  EXPECT_FALSE(load_membership(dir_)->has_value());
}

TEST_F(MembershipFileTest, CorruptFileIsAnError) {
  ASSERT_TRUE(write_file_atomically(dir_ + "/swarm.json", "not json", 0600).is_ok());
  auto loaded = load_membership(dir_);
  EXPECT_EQ(loaded.status().code(), Code::kInternal);
}

TEST_F(MembershipFileTest, EngineIdIsCreatedOnceAndKept) {
  auto first = load_or_create_engine_id(dir_, "fresh-1");
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(*first, "fresh-1");
  auto second = load_or_create_engine_id(dir_, "fresh-2");
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(*second, "fresh-1");
}

}  // namespace
}  // namespace shoal::daemon
