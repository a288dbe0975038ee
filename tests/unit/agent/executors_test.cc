#include "agent/executors.h"

#include <gtest/gtest.h>

namespace shoal::agent {
namespace {

TEST(ExecutorsTest, MakesHollowAndRejectsUnknownNames) {
  auto hollow = make_executor("hollow");
  ASSERT_TRUE(hollow.is_ok());
  EXPECT_TRUE((*hollow)->describe().is_ok());
  auto unknown = make_executor("docker");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(unknown.status().message(), "unknown executor docker (known: hollow)");
}

}  // namespace
}  // namespace shoal::agent
