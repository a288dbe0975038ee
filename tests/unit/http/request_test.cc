#include "http/request.h"

#include <gtest/gtest.h>

#include "http/api_version.h"

namespace shoal::http {
namespace {

TEST(QueryParamsTest, DecodesLikeGo) {
  auto q = QueryParams::parse(
      "filters=%7B%22label%22%3A%7B%22a%3Db%22%3Atrue%7D%7D&x=a+b&x=c&flag&empty=");
  EXPECT_EQ(q.value("filters"), R"({"label":{"a=b":true}})");
  EXPECT_EQ(q.value("x"), "a b");
  ASSERT_EQ(q.values("x").size(), 2u);
  EXPECT_EQ(q.values("x")[1], "c");
  EXPECT_TRUE(q.has("flag"));
  EXPECT_EQ(q.value("flag"), "");
  EXPECT_TRUE(q.has("empty"));
  EXPECT_FALSE(q.has("missing"));
  EXPECT_EQ(q.value("missing"), "");
}

TEST(QueryParamsTest, SkipsBadPairsAndReportsTheFirst) {
  Status st;
  auto q = QueryParams::parse("a=%zz&b=1;c=2&d=4&&", &st);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_FALSE(q.has("a"));
  EXPECT_FALSE(q.has("b"));
  EXPECT_EQ(q.value("d"), "4");
  Status ok;
  QueryParams::parse("a=1", &ok);
  EXPECT_TRUE(ok.is_ok());
}

TEST(QueryParamsTest, BoolFollowsMobyBoolValue) {
  auto q = QueryParams::parse(
      "t1=1&t2=true&t3=True&t4=yes&t5=anything&f1=0&f2=false&f3=FALSE&f4=no&f5=none&f6=&f7=%20");
  for (const char* k : {"t1", "t2", "t3", "t4", "t5"}) EXPECT_TRUE(q.get_bool(k)) << k;
  for (const char* k : {"f1", "f2", "f3", "f4", "f5", "f6", "f7", "absent"}) {
    EXPECT_FALSE(q.get_bool(k)) << k;
  }
  EXPECT_TRUE(q.get_bool_or("absent", true));
  EXPECT_FALSE(q.get_bool_or("f1", true));  // present: its value counts
  EXPECT_FALSE(q.get_bool_or("f6", true));
}

TEST(QueryParamsTest, IntFollowsMobyInt64ValueOrDefault) {
  auto q = QueryParams::parse("n=42&neg=-7&plus=%2B3&bad=4x&empty=&big=99999999999999999999");
  EXPECT_EQ(*q.get_int("n", 0), 42);
  EXPECT_EQ(*q.get_int("neg", 0), -7);
  EXPECT_EQ(*q.get_int("plus", 0), 3);
  EXPECT_EQ(*q.get_int("absent", 5), 5);
  EXPECT_EQ(*q.get_int("empty", 5), 5);
  auto bad = q.get_int("bad", 0);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), R"(invalid value for "bad": "4x")");
  EXPECT_FALSE(q.get_int("big", 0).is_ok());
}

TEST(HeadersTest, CaseInsensitive) {
  Headers h;
  h.add("Content-Type", "application/json");
  h.add("X-A", "1");
  h.add("x-a", "2");
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_EQ(h.get("X-a"), "1");
  h.set("X-A", "3");
  EXPECT_EQ(h.get("x-a"), "3");
  EXPECT_EQ(h.fields().size(), 2u);
  h.remove("CONTENT-TYPE");
  EXPECT_FALSE(h.has("Content-Type"));
}

TEST(PercentDecodeTest, Basics) {
  EXPECT_EQ(percent_decode("a%2Fb+c", false), "a/b+c");
  EXPECT_EQ(percent_decode("a%2fb+c", true), "a/b c");
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("%g0", false));
}

TEST(ApiVersionTest, ComparesNumerically) {
  EXPECT_LT(compare_api_versions("1.5", "1.41"), 0);
  EXPECT_GT(compare_api_versions("1.50", "1.41"), 0);
  EXPECT_EQ(compare_api_versions("1.41", "1.41.0"), 0);
  EXPECT_GT(compare_api_versions("2", "1.99"), 0);
}

TEST(ApiVersionTest, ChecksRangeWithMobyTexts) {
  EXPECT_TRUE(check_api_version("1.41").is_ok());
  EXPECT_TRUE(check_api_version("1.24").is_ok());
  EXPECT_TRUE(check_api_version("1.12").is_ok());
  Status too_new = check_api_version("1.50");
  EXPECT_EQ(too_new.code(), Code::kInvalidArgument);
  EXPECT_EQ(too_new.message(),
            "client version 1.50 is too new. Maximum supported API version is 1.41");
  Status too_old = check_api_version("1.11");
  EXPECT_EQ(too_old.message(),
            "client version 1.11 is too old. Minimum supported API version is 1.12, please "
            "upgrade your client to a newer version");
}

TEST(ApiVersionTest, SplitsVersionPrefix) {
  std::string_view rest;
  EXPECT_EQ(split_version_prefix("/v1.41/services", &rest), "1.41");
  EXPECT_EQ(rest, "/services");
  EXPECT_EQ(split_version_prefix("/_ping", &rest), "");
  EXPECT_EQ(rest, "/_ping");
  EXPECT_EQ(split_version_prefix("/version", &rest), "");  // 'v' then letters: no prefix
  EXPECT_EQ(rest, "/version");
  EXPECT_EQ(split_version_prefix("/v1.41", &rest), "");
  EXPECT_EQ(split_version_prefix("/v/x", &rest), "");
  EXPECT_EQ(rest, "/v/x");
}

}  // namespace
}  // namespace shoal::http
