#include "runtime/logs/stdcopy.h"

#include <gtest/gtest.h>

namespace shoal::runtime::logs {
namespace {

TEST(Stdcopy, FrameHeaderIsStreamThenBigEndianSize) {
  std::string out;
  append_frame(out, FrameStream::kStderr, "hello\n");
  ASSERT_EQ(out.size(), 8u + 6u);
  EXPECT_EQ(out.substr(0, 8), std::string("\x02\x00\x00\x00\x00\x00\x00\x06", 8));
  EXPECT_EQ(out.substr(8), "hello\n");

  std::string big(70000, 'x');
  out.clear();
  append_frame(out, FrameStream::kStdout, big);
  EXPECT_EQ(out.substr(0, 8), std::string("\x01\x00\x00\x00\x00\x01\x11\x70", 8));
}

TEST(Stdcopy, SplitsWhatItFrames) {
  std::string out;
  append_frame(out, FrameStream::kStdout, "a\n");
  append_frame(out, FrameStream::kStderr, "");
  append_frame(out, FrameStream::kSystemErr, "Error grabbing logs: x\n");
  auto frames = split_frames(out);
  ASSERT_TRUE(frames.is_ok());
  ASSERT_EQ(frames->size(), 3u);
  EXPECT_EQ((*frames)[0].stream, FrameStream::kStdout);
  EXPECT_EQ((*frames)[0].payload, "a\n");
  EXPECT_EQ((*frames)[1].payload, "");
  EXPECT_EQ((*frames)[2].stream, FrameStream::kSystemErr);
}

TEST(Stdcopy, RefusesTruncatedOrUnknownFrames) {
  std::string out;
  append_frame(out, FrameStream::kStdout, "abc");
  EXPECT_EQ(split_frames(out.substr(0, 5)).status().code(), Code::kDataLoss);
  EXPECT_EQ(split_frames(out.substr(0, 10)).status().code(), Code::kDataLoss);
  out[0] = 7;
  EXPECT_EQ(split_frames(out).status().code(), Code::kDataLoss);
}

TEST(Stdcopy, QueryEscapeMatchesGo) {
  EXPECT_EQ(query_escape("com.docker.swarm.node.id"), "com.docker.swarm.node.id");
  EXPECT_EQ(query_escape("a b/c=d,e&f~g"), "a+b%2Fc%3Dd%2Ce%26f~g");
  EXPECT_EQ(query_escape("\xc3\xa9"), "%C3%A9");
}

TEST(Stdcopy, DetailsAreSortedEscapedPairs) {
  EXPECT_EQ(details_text({{"com.docker.swarm.task.id", "t1"},
                          {"com.docker.swarm.node.id", "n1"},
                          {"com.docker.swarm.service.id", "s 1"}}),
            "com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s+1,"
            "com.docker.swarm.task.id=t1");
  EXPECT_EQ(details_text({}), "");
}

TEST(Stdcopy, PayloadIsTimestampDetailsLine) {
  Timestamp t = Timestamp::from_unix_nanos(1714557600000000000);
  std::string details = "k=v";
  struct Case {
    bool timestamps;
    bool with_details;
    std::string line, want;
  } cases[] = {
      {false, false, "hi\n", "hi\n"},
      {false, false, "partial", "partial\n"},
      {true, false, "hi\n", "2024-05-01T10:00:00.000000000Z hi\n"},
      {false, true, "hi\n", "k=v hi\n"},
      {true, true, "hi\n", "2024-05-01T10:00:00.000000000Z k=v hi\n"},
      {false, false, "", "\n"},
  };
  for (const Case& c : cases) {
    PayloadOptions opts{c.timestamps, c.with_details ? &details : nullptr};
    EXPECT_EQ(log_payload(t, c.line, opts), c.want);
  }
}

}  // namespace
}  // namespace shoal::runtime::logs
