// The image-reference grammar on text of any length.
#include "common/image_reference.h"

#include <gtest/gtest.h>

#include <string>

namespace shoal {
namespace {

TEST(MatchReference, SplitsNameTagAndDigest) {
  auto m = match_reference("localhost:5000/a/b:1.0@sha256:" + std::string(64, 'a'));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->name, "localhost:5000/a/b");
  EXPECT_EQ(m->tag, "1.0");
  EXPECT_EQ(m->digest, "sha256:" + std::string(64, 'a'));
}

TEST(MatchReference, TheLongestValidReferenceIsWithinTheBound) {
  // A 255-character name, a 128-character tag and a sha512 digest.
  const std::string longest = "r.io/" + std::string(250, 'a') + ":" + std::string(128, 't') +
                              "@sha512:" + std::string(128, 'f');
  ASSERT_LE(longest.size(), kMaxReferenceLength);
  EXPECT_TRUE(match_reference(longest).has_value());
}

// std::regex would recurse once per character and overflow the stack (a service create
// body may carry a megabyte-long image name).
TEST(MatchReference, TextBeyondTheBoundIsRefusedWithoutMatching) {
  EXPECT_FALSE(match_reference(std::string(kMaxReferenceLength + 1, 'a')).has_value());
  EXPECT_FALSE(match_reference(std::string(1 << 20, 'a')).has_value());
  EXPECT_FALSE(match_reference("busybox@sha256:" + std::string(1 << 20, 'a')).has_value());
}

}  // namespace
}  // namespace shoal
