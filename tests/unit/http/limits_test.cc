#include "http/limits.h"

#include <gtest/gtest.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace shoal::http {
namespace {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

std::string message(const Response& r) { return nlohmann::json::parse(r.body)["message"]; }

TEST(ReadTimeoutTest, EachPhaseHasItsOwnAndZeroDisablesIt) {
  ConnectionLimits limits{.header_timeout = 1s, .idle_timeout = 2s, .body_timeout = 0s};
  EXPECT_EQ(read_timeout(ReadPhase::kHeader, limits), 1s);
  EXPECT_EQ(read_timeout(ReadPhase::kIdle, limits), 2s);
  EXPECT_EQ(read_timeout(ReadPhase::kBody, limits), std::nullopt);
}

TEST(ReadTimeoutTest, DefaultsBoundEveryPhase) {
  ConnectionLimits limits;
  EXPECT_EQ(read_timeout(ReadPhase::kHeader, limits), 30s);
  EXPECT_EQ(read_timeout(ReadPhase::kIdle, limits), 120s);
  EXPECT_EQ(read_timeout(ReadPhase::kBody, limits), 60s);
  EXPECT_EQ(limits.max_connections, 4096u);
  EXPECT_EQ(limits.max_header_bytes, size_t{1} << 20);
  EXPECT_EQ(limits.max_target_bytes, size_t{256} << 10);
}

TEST(TimeoutResponseTest, IdleOrEmptyHeadClosesWithoutAnAnswer) {
  ConnectionLimits limits;
  EXPECT_EQ(timeout_response(ReadPhase::kIdle, true, limits), std::nullopt);
  EXPECT_EQ(timeout_response(ReadPhase::kIdle, false, limits), std::nullopt);
  EXPECT_EQ(timeout_response(ReadPhase::kHeader, false, limits), std::nullopt);
}

TEST(TimeoutResponseTest, PartialHeadOrStalledBodyIs408WithDockerMessage) {
  ConnectionLimits limits{.header_timeout = 1500ms, .body_timeout = 250ms};
  std::optional<Response> head = timeout_response(ReadPhase::kHeader, true, limits);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 408);
  EXPECT_EQ(head->headers.get("Content-Type"), "application/json");
  EXPECT_EQ(message(*head),
            "timed out reading the request head (it must arrive whole within 1.5s)");
  std::optional<Response> body = timeout_response(ReadPhase::kBody, false, limits);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->status, 408);
  EXPECT_EQ(message(*body), "timed out reading the request body (no data for 250ms)");
}

TEST(CheckTargetTest, TargetAtTheLimitPassesOneByteMoreIsTooLong) {
  ConnectionLimits limits{.max_target_bytes = 100};
  EXPECT_EQ(check_target(100, limits), HeadVerdict::kOk);
  EXPECT_EQ(check_target(101, limits), HeadVerdict::kUriTooLong);
}

TEST(ClassifyOversizedHeadTest, UnfinishedRequestLineWithLongTargetIsUriTooLong) {
  ConnectionLimits limits{.max_target_bytes = 10, .max_header_bytes = 64};
  EXPECT_EQ(classify_oversized_head("GET /" + std::string(60, 'a'), limits),
            HeadVerdict::kUriTooLong);
}

TEST(ClassifyOversizedHeadTest, WholeRequestLineWithLongTargetIsUriTooLong) {
  ConnectionLimits limits{.max_target_bytes = 10, .max_header_bytes = 64};
  EXPECT_EQ(classify_oversized_head("GET /" + std::string(20, 'a') + " HTTP/1.1\r\nX: y", limits),
            HeadVerdict::kUriTooLong);
}

TEST(ClassifyOversizedHeadTest, ShortTargetWithManyFieldsIsHeaderTooLarge) {
  ConnectionLimits limits{.max_target_bytes = 10, .max_header_bytes = 64};
  EXPECT_EQ(
      classify_oversized_head("GET /_ping HTTP/1.1\r\nX-Pad: " + std::string(60, 'p'), limits),
      HeadVerdict::kHeaderTooLarge);
  // A bare-LF line end counts too.
  EXPECT_EQ(classify_oversized_head("GET /x HTTP/1.1\nX-Pad: " + std::string(60, 'p'), limits),
            HeadVerdict::kHeaderTooLarge);
}

TEST(ClassifyOversizedHeadTest, NoRequestTargetAtAllIsHeaderTooLarge) {
  ConnectionLimits limits{.max_target_bytes = 10, .max_header_bytes = 64};
  EXPECT_EQ(classify_oversized_head(std::string(80, 'G'), limits), HeadVerdict::kHeaderTooLarge);
}

TEST(HeadLimitResponseTest, UriTooLongIs414AndHeadTooLargeIs431InDockerShape) {
  ConnectionLimits limits{.max_target_bytes = 262144, .max_header_bytes = 1048576};
  Response uri = head_limit_response(HeadVerdict::kUriTooLong, limits);
  EXPECT_EQ(uri.status, 414);
  EXPECT_EQ(uri.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(message(uri), "request URI too long: the request target is over 262144 bytes");
  Response head = head_limit_response(HeadVerdict::kHeaderTooLarge, limits);
  EXPECT_EQ(head.status, 431);
  EXPECT_EQ(message(head),
            "request header fields too large: the request line and header fields are over "
            "1048576 bytes");
}

TEST(RefusalResponseTest, IsAWhole503WithHeadersConnectionCloseAndJsonMessage) {
  std::string raw = refusal_response({{"Api-Version", "1.41"}, {"Ostype", "linux"}}, 7);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);  // the body too, in the same put()
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(raw), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(used, raw.size());
  const auto& res = parser.get();
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res["Api-Version"], "1.41");
  EXPECT_EQ(res["Ostype"], "linux");
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["message"],
            "too many open connections to this API endpoint (limit 7); try again later");
}

TEST(ConnectionSlotsTest, GivesAtMostMaxAndTakesBackOnDestruction) {
  auto slots = std::make_shared<ConnectionSlots>(2);
  std::optional<ConnectionSlots::Slot> a = slots->acquire();
  std::optional<ConnectionSlots::Slot> b = slots->acquire();
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(slots->acquire().has_value());
  EXPECT_EQ(slots->in_use(), 2u);
  // A moved slot is still one slot.
  std::optional<ConnectionSlots::Slot> moved(std::move(*a));
  a.reset();
  EXPECT_EQ(slots->in_use(), 2u);
  moved.reset();
  EXPECT_EQ(slots->in_use(), 1u);
  EXPECT_TRUE(slots->acquire().has_value());  // taken and given back at once
  EXPECT_EQ(slots->in_use(), 1u);
}

TEST(ConnectionSlotsTest, ZeroMeansNoLimit) {
  auto slots = std::make_shared<ConnectionSlots>(0);
  std::vector<ConnectionSlots::Slot> held;
  for (int i = 0; i < 10000; ++i) {
    auto s = slots->acquire();
    ASSERT_TRUE(s.has_value());
    held.push_back(std::move(*s));
  }
  EXPECT_EQ(slots->in_use(), 10000u);
}

}  // namespace
}  // namespace shoal::http
