#include "common/go_json_string.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_go_json_escaped(out, s);
  return out;
}

TEST(GoJsonStringTest, EscapesAsGoEncodingJsonDoes) {
  EXPECT_EQ(escaped("plain text"), "plain text");
  EXPECT_EQ(escaped("q\"b\\n\nr\rt\t"), "q\\\"b\\\\n\\nr\\rt\\t");
  EXPECT_EQ(escaped(std::string("\x01\x1f", 2)), "\\u0001\\u001f");
  EXPECT_EQ(escaped("<a>&"), "\\u003ca\\u003e\\u0026");  // HTML escaping on, as Go's default
  EXPECT_EQ(escaped("\x7f"), "\x7f");
  EXPECT_EQ(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f");
  EXPECT_EQ(escaped("\xe2\x80\xa8|\xe2\x80\xa9"), "\\u2028|\\u2029");
}

TEST(GoJsonStringTest, InvalidUtf8BecomesOneReplacementPerByte) {
  EXPECT_EQ(escaped("a\xff"
                    "b"),
            "a\\ufffdb");
  EXPECT_EQ(escaped("\xc0\x80"), "\\ufffd\\ufffd");                        // overlong NUL
  EXPECT_EQ(escaped("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");             // a surrogate
  EXPECT_EQ(escaped("\xe2\x82"), "\\ufffd\\ufffd");                        // cut short
  EXPECT_EQ(escaped("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");  // above U+10FFFF
}

}  // namespace
}  // namespace shoal
