#include "http/router.h"

#include <gtest/gtest.h>

namespace shoal::http {
namespace {

Handler named(std::string name) {
  return [name](Request&) -> Result<Response> { return Response::text(200, name); };
}

std::string run(const RouteMatch& m) {
  Request r;
  return m.route->handler(r)->body;
}

TEST(RouterTest, MatchesLiteralsAndParameters) {
  Router router;
  ASSERT_TRUE(router.add(Method::kGet, "/services", named("list")).is_ok());
  ASSERT_TRUE(router.add(Method::kGet, "/services/{id}", named("get")).is_ok());
  ASSERT_TRUE(router.add(Method::kPost, "/services/{id}/update", named("update")).is_ok());

  auto m = router.match(Method::kGet, "/services");
  ASSERT_TRUE(m);
  EXPECT_EQ(run(*m), "list");
  EXPECT_TRUE(m->params.empty());

  m = router.match(Method::kGet, "/services/abc123");
  ASSERT_TRUE(m);
  EXPECT_EQ(run(*m), "get");
  ASSERT_EQ(m->params.size(), 1u);
  EXPECT_EQ(m->params[0].first, "id");
  EXPECT_EQ(m->params[0].second, "abc123");

  m = router.match(Method::kPost, "/services/web/update");
  ASSERT_TRUE(m);
  EXPECT_EQ(run(*m), "update");
  EXPECT_EQ(m->params[0].second, "web");
}

TEST(RouterTest, UnknownPathsAndMethodsDoNotMatch) {
  Router router;
  ASSERT_TRUE(router.add(Method::kGet, "/services/{id}", named("get")).is_ok());
  EXPECT_FALSE(router.match(Method::kDelete, "/services/x"));  // moby: 404 as well
  EXPECT_FALSE(router.match(Method::kGet, "/services"));
  EXPECT_FALSE(router.match(Method::kGet, "/services/x/y"));
  EXPECT_FALSE(router.match(Method::kGet, "/services/x/"));  // no strict-slash redirect
  EXPECT_FALSE(router.match(Method::kGet, "services/x"));
  EXPECT_FALSE(router.match(Method::kGet, ""));
}

TEST(RouterTest, LiteralBeatsParameterWhateverTheOrder) {
  Router router;
  ASSERT_TRUE(router.add(Method::kPost, "/services/{id}", named("param")).is_ok());
  ASSERT_TRUE(router.add(Method::kPost, "/services/create", named("create")).is_ok());
  EXPECT_EQ(run(*router.match(Method::kPost, "/services/create")), "create");
  EXPECT_EQ(run(*router.match(Method::kPost, "/services/other")), "param");
}

TEST(RouterTest, GreedyKeepsSlashesColonsAndAts) {
  Router router;
  ASSERT_TRUE(router.add(Method::kGet, "/distribution/{name:.*}/json", named("dist")).is_ok());

  struct Case {
    std::string path, name;
  } cases[] = {
      {"/distribution/nginx/json", "nginx"},
      {"/distribution/nginx:latest/json", "nginx:latest"},
      {"/distribution/localhost:5000/foo/bar:latest/json", "localhost:5000/foo/bar:latest"},
      {"/distribution/nginx@sha256:0123abcd/json", "nginx@sha256:0123abcd"},
      {"/distribution/a/json/json", "a/json"},  // longest span, as Go's `.*`
  };
  for (const auto& c : cases) {
    auto m = router.match(Method::kGet, c.path);
    ASSERT_TRUE(m) << c.path;
    EXPECT_EQ(m->params[0].first, "name");
    EXPECT_EQ(m->params[0].second, c.name) << c.path;
  }
  EXPECT_FALSE(router.match(Method::kGet, "/distribution/json"));
  EXPECT_FALSE(router.match(Method::kGet, "/distribution/nginx/manifest"));
}

TEST(RouterTest, GreedyAtTheEnd) {
  Router router;
  ASSERT_TRUE(router.add(Method::kGet, "/files/{path:.*}", named("files")).is_ok());
  auto m = router.match(Method::kGet, "/files/a/b/c.txt");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->params[0].second, "a/b/c.txt");
}

TEST(RouterTest, ParameterBeatsGreedy) {
  Router router;
  ASSERT_TRUE(router.add(Method::kGet, "/x/{all:.*}", named("greedy")).is_ok());
  ASSERT_TRUE(router.add(Method::kGet, "/x/{one}", named("one")).is_ok());
  EXPECT_EQ(run(*router.match(Method::kGet, "/x/a")), "one");
  EXPECT_EQ(run(*router.match(Method::kGet, "/x/a/b")), "greedy");
}

TEST(RouterTest, SegmentsArePercentDecodedAfterSplitting) {
  Router router;
  ASSERT_TRUE(router.add(Method::kGet, "/networks/{id}", named("net")).is_ok());
  auto m = router.match(Method::kGet, "/networks/my%20net%2Fx");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->params[0].second, "my net/x");
  EXPECT_FALSE(router.match(Method::kGet, "/networks/bad%zz"));
  // '+' is literal in a path.
  EXPECT_EQ(router.match(Method::kGet, "/networks/a+b")->params[0].second, "a+b");
}

TEST(RouterTest, RejectsMalformedAndDuplicatePatterns) {
  Router router;
  EXPECT_EQ(router.add(Method::kGet, "services", named("x")).code(), Code::kInvalidArgument);
  EXPECT_EQ(router.add(Method::kGet, "/a/{id", named("x")).code(), Code::kInvalidArgument);
  EXPECT_EQ(router.add(Method::kGet, "/a/{}", named("x")).code(), Code::kInvalidArgument);
  EXPECT_EQ(router.add(Method::kGet, "/a/x{id}", named("x")).code(), Code::kInvalidArgument);
  EXPECT_EQ(router.add(Method::kGet, "/a/{id:[0-9]+}", named("x")).code(), Code::kInvalidArgument);
  EXPECT_EQ(router.add(Method::kGet, "/a/{id}/{id}", named("x")).code(), Code::kInvalidArgument);
  EXPECT_EQ(router.add(Method::kGet, "/a/{p:.*}/{q:.*}", named("x")).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(router.add(Method::kGet, "/a", nullptr).code(), Code::kInvalidArgument);
  ASSERT_TRUE(router.add(Method::kGet, "/a/{id}", named("x")).is_ok());
  EXPECT_EQ(router.add(Method::kGet, "/a/{id}", named("y")).code(), Code::kInvalidArgument);
  EXPECT_TRUE(router.add(Method::kDelete, "/a/{id}", named("y")).is_ok());
  EXPECT_EQ(router.size(), 2u);
}

TEST(RouterTest, StreamRoutesAreMarked) {
  Router router;
  ASSERT_TRUE(router
                  .add_stream(Method::kGet, "/services/{id}/logs",
                              [](Request&, ResponseStream&) { return Status::ok(); })
                  .is_ok());
  auto m = router.match(Method::kGet, "/services/x/logs");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->route->is_stream());
}

}  // namespace
}  // namespace shoal::http
