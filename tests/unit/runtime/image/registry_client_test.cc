#include "runtime/image/registry_client.h"

#include <gtest/gtest.h>

#include "fake_registry.h"
#include "runtime/image/registry_auth.h"

namespace shoal::runtime::image {
namespace {

using testing::FakeRegistry;

TEST(WwwAuthenticate, ParsesChallenges) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(c[0].params["service"], "registry.docker.io");
  EXPECT_EQ(c[0].params["scope"], "repository:library/busybox:pull,push");

  auto two =
      parse_www_authenticate(R"(Basic realm="Registry Realm", Bearer Realm=token,Service="a\"b")");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].scheme, "basic");
  EXPECT_EQ(two[0].params["realm"], "Registry Realm");
  EXPECT_EQ(two[1].scheme, "bearer");
  EXPECT_EQ(two[1].params["realm"], "token");
  EXPECT_EQ(two[1].params["service"], "a\"b");

  EXPECT_TRUE(parse_www_authenticate("").empty());
  auto junk = parse_www_authenticate(R"(,,, "oops" Bearer realm="x)");
  ASSERT_FALSE(junk.empty());
  EXPECT_EQ(junk.back().params["realm"], "x");
}

TEST(WwwAuthenticate, TokenUrl) {
  Challenge c{"bearer", {{"realm", "https://auth.example/token"}, {"service", "reg ist"}}};
  EXPECT_EQ(token_url(c, "repository:a/b:pull"),
            "https://auth.example/token?service=reg%20ist&scope=repository%3Aa%2Fb%3Apull");
  c.params["realm"] = "https://auth.example/token?x=1";
  c.params.erase("service");
  EXPECT_EQ(token_url(c, "s"), "https://auth.example/token?x=1&scope=s");
}

TEST(RegistryAuthHeader, DecodesTheDockerCliHeader) {
  // {"username":"u","password":"p+/?"} in base64url without padding, as the CLI may send it.
  std::string json = R"({"username":"u","password":"p+/?","serveraddress":"r"})";
  std::string b64 = base64(json);
  for (auto& ch : b64) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  auto a = decode_registry_auth(b64);
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->Username, "u");
  EXPECT_EQ(a->Password, "p+/?");
  auto basic = decode_registry_auth(base64(R"({"auth":")" + base64("me:secret") + R"("})"));
  ASSERT_TRUE(basic.is_ok());
  EXPECT_EQ(basic->Username, "me");
  EXPECT_EQ(basic->Password, "secret");
  EXPECT_TRUE(is_anonymous(*decode_registry_auth("")));
  EXPECT_EQ(decode_registry_auth("!!!").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(decode_registry_auth(base64("[1]")).status().code(), Code::kInvalidArgument);
}

TEST(RegistryScheme, PlainHttpOnlyForLocalAndInsecure) {
  std::vector<std::string> insecure = {"reg.lan:5000", "mirror"};
  EXPECT_EQ(registry_scheme("localhost:5000", insecure), "http");
  EXPECT_EQ(registry_scheme("localhost", insecure), "http");
  EXPECT_EQ(registry_scheme("127.0.0.1:5000", insecure), "http");
  EXPECT_EQ(registry_scheme("[::1]:5000", insecure), "http");
  EXPECT_EQ(registry_scheme("reg.lan:5000", insecure), "http");
  EXPECT_EQ(registry_scheme("mirror:443", insecure), "http");
  EXPECT_EQ(registry_scheme("reg.lan:5001", insecure), "https");
  EXPECT_EQ(registry_scheme("docker.io", insecure), "https");
}

class RegistryClientTest : public ::testing::Test {
 protected:
  RegistryClient client(RegistryAuth auth = {}) {
    return RegistryClient(*parse_reference(reg_.domain() + "/app"), std::move(auth), {});
  }
  void SetUp() override {
    reg_.put_manifest("app", "1", manifest_, "application/vnd.oci.image.manifest.v1+json");
    reg_.put_blob("app", blob_);
  }
  FakeRegistry reg_;
  std::string manifest_ = R"({"schemaVersion":2,"config":{"digest":"sha256:)" +
                          std::string(64, '0') + R"(","size":1},"layers":[]})";
  std::string blob_ = "config bytes";
};

TEST_F(RegistryClientTest, FetchesVerifiedContent) {
  RegistryClient c = client();
  auto m = c.manifest("1");
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->bytes, manifest_);
  EXPECT_EQ(m->digest, sha256_digest(manifest_));
  EXPECT_EQ(m->media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_TRUE(c.manifest(m->digest).is_ok());
  EXPECT_EQ(*c.blob(sha256_digest(blob_), "config"), blob_);
}

TEST_F(RegistryClientTest, BearerTokenIsFetchedOnceAndReused) {
  reg_.require(FakeRegistry::Auth::kBearer, "me", "pw");
  RegistryClient c =
      client({.Username = "me", .Password = "pw", .IdentityToken = "", .RegistryToken = ""});
  ASSERT_TRUE(c.manifest("1").is_ok());
  ASSERT_TRUE(c.blob(sha256_digest(blob_), "config").is_ok());
  EXPECT_EQ(reg_.count("/token"), 1);
  auto wrong =
      client({.Username = "me", .Password = "nope", .IdentityToken = "", .RegistryToken = ""})
          .manifest("1");
  EXPECT_EQ(wrong.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(wrong.status().message(), "unauthorized: bad credentials");
}

TEST_F(RegistryClientTest, BasicAuth) {
  reg_.require(FakeRegistry::Auth::kBasic, "me", "pw");
  EXPECT_TRUE(client({.Username = "me", .Password = "pw", .IdentityToken = "", .RegistryToken = ""})
                  .manifest("1")
                  .is_ok());
  auto anonymous = client().manifest("1");
  EXPECT_EQ(anonymous.status().code(), Code::kPermissionDenied);
  auto wrong = client({.Username = "me", .Password = "x", .IdentityToken = "", .RegistryToken = ""})
                   .manifest("1");
  EXPECT_EQ(wrong.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(wrong.status().message(), "unauthorized: authentication required");
}

TEST_F(RegistryClientTest, PingChecksCredentialsAtTheRegistryRoot) {
  Reference root;
  root.domain = reg_.domain();
  for (auto kind : {FakeRegistry::Auth::kBearer, FakeRegistry::Auth::kBasic}) {
    reg_.require(kind, "me", "pw");
    EXPECT_TRUE(RegistryClient(
                    root,
                    {.Username = "me", .Password = "pw", .IdentityToken = "", .RegistryToken = ""},
                    {})
                    .ping()
                    .is_ok());
    Status wrong =
        RegistryClient(
            root, {.Username = "me", .Password = "no", .IdentityToken = "", .RegistryToken = ""},
            {})
            .ping();
    EXPECT_EQ(wrong.code(), Code::kUnauthenticated) << wrong.to_string();
    EXPECT_NE(wrong.message().find("unauthorized"), std::string::npos) << wrong.message();
  }
  EXPECT_GE(reg_.count("/v2/"), 4);
  EXPECT_EQ(reg_.count("/v2/app/manifests/1"), 0);
}

TEST_F(RegistryClientTest, ErrorsInDockersWords) {
  auto missing = client().manifest("nope");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(
      missing.status().message(),
      "manifest for " + reg_.domain() + "/app:nope not found: manifest unknown: manifest unknown");
  auto blob = client().blob(sha256_digest("absent"), "config");
  EXPECT_EQ(blob.status().code(), Code::kNotFound);
  EXPECT_EQ(blob.status().message(), "blob unknown: blob unknown to registry");

  reg_.lie_about_digests(true);
  EXPECT_EQ(client().manifest("1").status().code(), Code::kDataLoss);
  reg_.lie_about_digests(false);
  reg_.put_blob_as("app", sha256_digest("the real one"), "a corrupt one");
  auto corrupt = client().blob(sha256_digest("the real one"), "config");
  EXPECT_EQ(corrupt.status().code(), Code::kDataLoss);
  EXPECT_EQ(corrupt.status().message().rfind(
                "config " + sha256_digest("the real one") + " digest mismatch", 0),
            0u);

  reg_.fail_with(503);
  auto down = client().manifest("1");
  EXPECT_EQ(down.status().code(), Code::kUnavailable);
  EXPECT_EQ(down.status().message(), "received unexpected HTTP status: 503 Service Unavailable");
  reg_.fail_with(0);

  std::string domain = reg_.domain();
  reg_.stop();
  auto gone = RegistryClient(*parse_reference(domain + "/app"), {}, {}).manifest("1");
  EXPECT_EQ(gone.status().code(), Code::kUnavailable);
  EXPECT_EQ(gone.status().message().rfind("cannot reach registry " + domain + ": ", 0), 0u)
      << gone.status().message();
}

}  // namespace
}  // namespace shoal::runtime::image
