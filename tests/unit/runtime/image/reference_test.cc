#include "runtime/image/reference.h"

#include <gtest/gtest.h>

namespace shoal::runtime::image {
namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(ParseReference, NormalizesLikeDocker) {
  struct Case {
    std::string in, domain, path, tag, digest, familiar;
  } cases[] = {
      {"busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"busybox:1.36", "docker.io", "library/busybox", "1.36", "", "busybox:1.36"},
      {"library/busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"docker.io/busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"docker.io/library/busybox:1", "docker.io", "library/busybox", "1", "", "busybox:1"},
      {"index.docker.io/busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"user/app", "docker.io", "user/app", "", "", "user/app"},
      {"docker.io/library/a/b", "docker.io", "library/a/b", "", "", "library/a/b"},
      {"localhost/x", "localhost", "x", "", "", "localhost/x"},
      {"localhost:5000/x:1", "localhost:5000", "x", "1", "", "localhost:5000/x:1"},
      {"127.0.0.1:5000/busybox:1", "127.0.0.1:5000", "busybox", "1", "",
       "127.0.0.1:5000/busybox:1"},
      {"[::1]:5000/x", "[::1]:5000", "x", "", "", "[::1]:5000/x"},
      {"Foo/bar", "Foo", "bar", "", "", "Foo/bar"},
      {"example.com/a/b-c/d__e.f:v1.0_x", "example.com", "a/b-c/d__e.f", "v1.0_x", "",
       "example.com/a/b-c/d__e.f:v1.0_x"},
      {"busybox@sha256:" + kHex, "docker.io", "library/busybox", "", "sha256:" + kHex,
       "busybox@sha256:" + kHex},
      {"reg:5000/a:t@sha256:" + kHex, "reg:5000", "a", "t", "sha256:" + kHex,
       "reg:5000/a:t@sha256:" + kHex},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto r = parse_reference(c.in);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->domain, c.domain);
    EXPECT_EQ(r->path, c.path);
    EXPECT_EQ(r->tag, c.tag);
    EXPECT_EQ(r->digest, c.digest);
    EXPECT_EQ(r->familiar_string(), c.familiar);
    // The full string parses back to the same reference.
    auto again = parse_reference(r->string());
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(*again, *r);
  }
}

TEST(ParseReference, RefusesWithDockersTexts) {
  struct Case {
    std::string in;
    Code code;
    std::string message;
  } cases[] = {
      {"", Code::kInvalidArgument, "invalid reference format"},
      {"busybox:", Code::kInvalidArgument, "invalid reference format"},
      {":tag", Code::kInvalidArgument, "invalid reference format"},
      {"a//b", Code::kInvalidArgument, "invalid reference format"},
      {"-a", Code::kInvalidArgument, "invalid reference format"},
      {"a:b:c", Code::kInvalidArgument, "invalid reference format"},
      {"a@sha256:abc", Code::kInvalidArgument, "invalid reference format"},
      {"a:" + std::string(129, 't'), Code::kInvalidArgument, "invalid reference format"},
      {"BusyBox", Code::kInvalidArgument,
       "invalid reference format: repository name (BusyBox) must be lowercase"},
      {kHex, Code::kInvalidArgument,
       "invalid repository name (" + kHex + "), cannot specify 64-byte hexadecimal strings"},
      {"a/" + std::string(260, 'b'), Code::kInvalidArgument,
       "repository name must not be more than 255 characters"},
      {"a@md5:0123456789abcdef0123456789abcdef", Code::kUnimplemented,
       "unsupported digest algorithm md5"},
      {"a@sha256:" + std::string(64, 'A'), Code::kInvalidArgument,
       "invalid digest sha256:" + std::string(64, 'A')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto r = parse_reference(c.in);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(ParseReference, DefaultTagAndRegistryHost) {
  EXPECT_EQ(with_default_tag(*parse_reference("busybox")).string(),
            "docker.io/library/busybox:latest");
  EXPECT_EQ(with_default_tag(*parse_reference("busybox:1")).tag, "1");
  EXPECT_EQ(with_default_tag(*parse_reference("busybox@sha256:" + kHex)).tag, "");
  EXPECT_EQ(registry_host("docker.io"), "registry-1.docker.io");
  EXPECT_EQ(registry_host("127.0.0.1:5000"), "127.0.0.1:5000");
}

}  // namespace
}  // namespace shoal::runtime::image
