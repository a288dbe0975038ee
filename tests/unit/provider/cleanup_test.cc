#include "provider/cleanup.h"

#include <gtest/gtest.h>

#include "provider/provider.h"

namespace shoal::provider {
namespace {

using K = ResourceKind;

ClusterState made_in_creation_order() {
  ClusterState s;
  s.name = "t";
  s.provider = "netns";
  s.made = {{K::kDir, "/s", ""},
            {K::kNftTable, "shoal-t", ""},
            {K::kBridge, "sh-t-1", ""},
            {K::kDir, "/s/machines/m1", "m1"},
            {K::kNetns, "shoal-t-m1", "m1"},
            {K::kVeth, "sv-m1-1", "m1"},
            {K::kMount, "/s/machines/m1/a", "m1"},
            {K::kMount, "/s/machines/m1/a/b", "m1"},
            {K::kPid, "100", "m1"},
            {K::kDir, "/s/machines/m2", "m2"},
            {K::kPid, "200", "m2"}};
  return s;
}

std::vector<std::string> names(const std::vector<CleanupStep>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.resource.name);
  return out;
}

TEST(CleanupTest, WholeClusterInSafeOrder) {
  EXPECT_EQ(names(plan_cleanup(made_in_creation_order())),
            (std::vector<std::string>{"200", "100", "/s/machines/m1/a/b", "/s/machines/m1/a",
                                      "shoal-t-m1", "sv-m1-1", "sh-t-1", "shoal-t",
                                      "/s/machines/m2", "/s/machines/m1", "/s"}));
}

TEST(CleanupTest, OneMachineLeavesSharedParts) {
  EXPECT_EQ(names(plan_cleanup(made_in_creation_order(), "m2")),
            (std::vector<std::string>{"200", "/s/machines/m2"}));
  EXPECT_TRUE(plan_cleanup(made_in_creation_order(), "m9").empty());
}

TEST(CleanupTest, EmptyStatePlansNothing) { EXPECT_TRUE(plan_cleanup(ClusterState{}).empty()); }

TEST(CleanupTest, DuplicatesPlannedOnce) {
  ClusterState s;
  s.made = {{K::kDir, "/d", ""}, {K::kDir, "/d", ""}};
  EXPECT_EQ(plan_cleanup(s).size(), 1u);
}

// Property: executing any prefix of the plan (a crash midway) and planning again yields
// exactly the remaining steps; executing all of it leaves nothing.
TEST(CleanupTest, ResumesAfterCrashAtAnyStep) {
  ClusterState full = made_in_creation_order();
  auto plan = plan_cleanup(full);
  for (size_t done = 0; done <= plan.size(); ++done) {
    ClusterState s = full;
    for (size_t i = 0; i < done; ++i) EXPECT_TRUE(forget(s, plan[i].resource));
    auto again = plan_cleanup(s);
    ASSERT_EQ(again.size(), plan.size() - done);
    for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].resource, plan[done + i].resource);
  }
  ClusterState s = full;
  for (const auto& step : plan) forget(s, step.resource);
  EXPECT_TRUE(s.made.empty());
  EXPECT_FALSE(forget(s, plan.front().resource));
}

TEST(RegistryTest, UnknownProviderNamesKnownOnes) {
  ProviderRegistry reg;
  reg.add("netns", [] { return std::unique_ptr<Provider>(); });
  auto got = reg.create("aws");
  ASSERT_EQ(got.status().code(), Code::kNotFound);
  EXPECT_NE(got.status().message().find("provider \"aws\" does not exist (known: netns)"),
            std::string::npos);
  EXPECT_TRUE(reg.create("netns").is_ok());
}

}  // namespace
}  // namespace shoal::provider
