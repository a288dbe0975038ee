#include "runtime/logs/json_line.h"

#include <gtest/gtest.h>

#include "runtime/logs/json_encode.h"

namespace shoal::runtime::logs {
namespace {

constexpr int64_t kT = 1714557600123456789;  // 2024-05-01T10:00:00.123456789Z

std::string encode(std::string_view log, Stream stream = Stream::kStdout, int64_t t = kT) {
  std::string out;
  append_json_line(out, log, stream, t);
  return out;
}

TEST(JsonEncode, WritesDockerJsonFileLines) {
  EXPECT_EQ(
      encode("hello\n"),
      "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T10:00:00.123456789Z\"}\n");
  EXPECT_EQ(encode("x", Stream::kStderr, 0),
            "{\"log\":\"x\",\"stream\":\"stderr\",\"time\":\"1970-01-01T00:00:00.000000000Z\"}\n");
}

TEST(JsonEncode, EscapesAsGoDoes) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"a\"b\\c", "a\\\"b\\\\c"},
      {"tab\there\r\n", "tab\\there\\r\\n"},
      {std::string("nul\0x", 5), "nul\\u0000x"},
      {"\x1b[1m", "\\u001b[1m"},
      {"<a&b>", "\\u003ca\\u0026b\\u003e"},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"bad\xff\xfe", "bad\\ufffd\\ufffd"},
      {"trunc\xe2\x82", "trunc\\ufffd\\ufffd"},
      {"overlong\xc0\xaf", "overlong\\ufffd\\ufffd"},
      {"surrogate\xed\xa0\x80", "surrogate\\ufffd\\ufffd\\ufffd"},
  };
  for (const Case& c : cases) {
    std::string out;
    append_json_escaped(out, c.in);
    EXPECT_EQ(out, c.want) << c.in;
  }
}

TEST(JsonLine, RoundTrips) {
  for (std::string log :
       {"hello\n", "", "no newline", "quote\" back\\ ctl\x01\n", "caf\xc3\xa9\n"}) {
    for (Stream s : {Stream::kStdout, Stream::kStderr}) {
      std::string line = encode(log, s);
      line.pop_back();
      auto entry = parse_json_line(line);
      ASSERT_TRUE(entry.is_ok()) << entry.status().message();
      EXPECT_EQ(entry->log, log);
      EXPECT_EQ(entry->stream, s);
      EXPECT_EQ(entry->time.unix_nanos(), kT);
    }
  }
}

TEST(JsonLine, ReadsDockersOwnLines) {
  // Docker writes times with trailing zeros trimmed.
  auto entry =
      parse_json_line(R"({"log":"hi\n","stream":"stderr","time":"2024-05-01T10:00:00.5Z"})");
  ASSERT_TRUE(entry.is_ok());
  EXPECT_EQ(entry->stream, Stream::kStderr);
  EXPECT_EQ(entry->time.unix_nanos(), 1714557600500000000);
}

TEST(JsonLine, RefusesMalformedLines) {
  for (std::string_view bad : {"", "not json", "[]", R"({"log":"x","stream":"stdout"})",
                               R"({"log":1,"stream":"stdout","time":"2024-05-01T10:00:00Z"})",
                               R"({"log":"x","stream":"stdin","time":"2024-05-01T10:00:00Z"})",
                               R"({"log":"x","stream":"stdout","time":"yesterday"})"}) {
    auto entry = parse_json_line(bad);
    ASSERT_FALSE(entry.is_ok()) << bad;
    EXPECT_EQ(entry.status().code(), Code::kDataLoss);
  }
}

}  // namespace
}  // namespace shoal::runtime::logs
