#include "runtime/image/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shoal::runtime::image {
namespace {

std::string digest_of(char c) { return "sha256:" + std::string(64, c); }

Descriptor entry(char c, std::string os, std::string arch, std::string variant = "") {
  Descriptor d;
  d.mediaType = std::string(media::kOciManifest);
  d.digest = digest_of(c);
  d.size = 100;
  d.platform = Platform{std::move(os), std::move(arch), std::move(variant)};
  return d;
}

TEST(SelectPlatform, Table) {
  Index multi{std::string(media::kOciIndex),
              {entry('1', "linux", "arm", "v6"), entry('2', "linux", "arm", "v7"),
               entry('3', "linux", "arm64", "v8"), entry('4', "linux", "amd64"),
               entry('5', "windows", "amd64"), entry('6', "unknown", "unknown"),
               entry('7', "linux", "arm", "v5"), entry('8', "linux", "386")}};
  struct Case {
    Platform want;
    std::optional<char> picked;
  } cases[] = {
      {{"linux", "amd64", ""}, '4'},          {{"linux", "x86_64", ""}, '4'},
      {{"windows", "amd64", ""}, '5'},        {{"linux", "arm64", ""}, '3'},
      {{"linux", "arm64", "v8"}, '3'},        {{"linux", "aarch64", ""}, '3'},
      {{"linux", "arm", "v7"}, '2'},          {{"linux", "arm", "v6"}, '1'},
      {{"linux", "arm", "v5"}, '7'},          {{"linux", "386", ""}, '8'},
      {{"linux", "s390x", ""}, std::nullopt}, {{"darwin", "amd64", ""}, std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want.string());
    auto r = select_platform(multi, c.want);
    if (!c.picked) {
      ASSERT_FALSE(r.is_ok());
      EXPECT_EQ(r.status().code(), Code::kNotFound);
      EXPECT_EQ(r.status().message(),
                "no matching manifest for " + c.want.string() + " in the manifest list entries");
      continue;
    }
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->digest, digest_of(*c.picked));
  }
}

TEST(SelectPlatform, OlderArmVariantsAndUnsetVariants) {
  // Only v6 and an unset variant: v7 prefers the unset one (it may be anything), then v6.
  Index arm{std::string(media::kOciIndex),
            {entry('1', "linux", "arm", "v6"), entry('2', "linux", "arm")}};
  EXPECT_EQ(select_platform(arm, {"linux", "arm", "v7"})->digest, digest_of('2'));
  Index only_v6{std::string(media::kOciIndex), {entry('1', "linux", "arm", "v6")}};
  EXPECT_EQ(select_platform(only_v6, {"linux", "arm", "v7"})->digest, digest_of('1'));
  EXPECT_FALSE(select_platform(only_v6, {"linux", "arm", "v5"}).is_ok());
  // arm64 without a variant is v8; an index entry without platform never matches.
  Descriptor bare = entry('9', "linux", "amd64");
  bare.platform.reset();
  Index no_platform{std::string(media::kOciIndex), {bare, entry('3', "linux", "arm64")}};
  EXPECT_EQ(select_platform(no_platform, {"linux", "arm64", "v8"})->digest, digest_of('3'));
  EXPECT_FALSE(select_platform(no_platform, {"linux", "amd64", ""}).is_ok());
}

TEST(ParseManifest, KindsFromMediaTypeContentTypeOrShape) {
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"config", {{"mediaType", media::kDockerConfig}, {"digest", digest_of('c')}, {"size", 10}}},
      {"layers", nlohmann::json::array({nlohmann::json{
                     {"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"},
                     {"digest", digest_of('e')},
                     {"size", 20}}})}};
  auto r = parse_manifest(manifest.dump(), std::string(media::kDockerManifest) + "; charset=x");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto& m = std::get<Manifest>(*r);
  EXPECT_EQ(m.mediaType, media::kDockerManifest);
  EXPECT_EQ(m.config.digest, digest_of('c'));
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].size, 20);

  auto shape = parse_manifest(manifest.dump());  // no type anywhere: OCI manifest by shape
  ASSERT_TRUE(shape.is_ok());
  EXPECT_EQ(std::get<Manifest>(*shape).mediaType, media::kOciManifest);

  nlohmann::json list = {
      {"schemaVersion", 2},
      {"mediaType", media::kDockerManifestList},
      {"manifests", nlohmann::json::array({nlohmann::json{
                        {"mediaType", media::kDockerManifest},
                        {"digest", digest_of('a')},
                        {"size", 5},
                        {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}})}};
  auto l = parse_manifest(list.dump());
  ASSERT_TRUE(l.is_ok()) << l.status().to_string() << list.dump();
  const auto& index = std::get<Index>(*l);
  EXPECT_EQ(index.mediaType, media::kDockerManifestList);
  ASSERT_EQ(index.manifests.size(), 1u);
  EXPECT_EQ(index.manifests[0].platform->architecture, "amd64");
}

TEST(ParseManifest, Refusals) {
  EXPECT_EQ(parse_manifest("not json").status().code(), Code::kInvalidArgument);
  auto schema1 = parse_manifest(R"({"schemaVersion":1,"name":"x","fsLayers":[]})");
  ASSERT_FALSE(schema1.is_ok());
  EXPECT_NE(schema1.status().message().find("schema 1 is no longer supported"), std::string::npos);
  auto bad_digest = parse_manifest(
      R"({"schemaVersion":2,"config":{"digest":"sha256:xyz","size":1},"layers":[]})");
  EXPECT_EQ(bad_digest.status().code(), Code::kInvalidArgument);
  auto other = parse_manifest(R"({"schemaVersion":2,"mediaType":"text/plain"})");
  EXPECT_EQ(other.status().message(), "unsupported manifest media type text/plain");
}

TEST(ParseConfig, ReadsTheRuntimeFields) {
  nlohmann::json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"created", "2024-01-01T00:00:00Z"},
      {"config",
       {{"User", "nobody"},
        {"Env", {"PATH=/bin"}},
        {"Entrypoint", nullptr},
        {"Cmd", {"sh"}},
        {"WorkingDir", "/w"},
        {"StopSignal", "SIGINT"},
        {"Labels", {{"a", "b"}}},
        {"ExposedPorts", {{"80/tcp", nlohmann::json::object()}}},
        {"Healthcheck", {{"Test", {"CMD", "true"}}, {"Interval", 5}, {"Retries", 2}}}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {digest_of('d')}}}}};
  auto r = parse_config(config.dump());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->os, "linux");
  EXPECT_EQ(r->architecture, "amd64");
  EXPECT_EQ(format_rfc3339_nano(r->created), "2024-01-01T00:00:00Z");
  EXPECT_EQ(r->config.User, "nobody");
  EXPECT_EQ(r->config.Env, std::vector<std::string>{"PATH=/bin"});
  EXPECT_TRUE(r->config.Entrypoint.empty());
  EXPECT_EQ(r->config.Cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ(r->config.WorkingDir, "/w");
  EXPECT_EQ(r->config.StopSignal, "SIGINT");
  EXPECT_EQ(r->config.Labels.at("a"), "b");
  EXPECT_EQ(r->config.ExposedPorts, std::vector<std::string>{"80/tcp"});
  EXPECT_EQ(r->config.HealthcheckTest, (std::vector<std::string>{"CMD", "true"}));
  EXPECT_EQ(r->config.HealthcheckInterval, 5);
  EXPECT_EQ(r->config.HealthcheckRetries, 2);
  EXPECT_EQ(r->diff_ids, std::vector<std::string>{digest_of('d')});

  EXPECT_FALSE(parse_config(R"({"rootfs":{"type":"other"}})").is_ok());
  EXPECT_FALSE(parse_config(R"({"rootfs":{"type":"layers","diff_ids":["x"]}})").is_ok());
}

TEST(NormalizeArchitecture, Table) {
  EXPECT_EQ(normalize_architecture("x86_64"), "amd64");
  EXPECT_EQ(normalize_architecture("aarch64"), "arm64");
  EXPECT_EQ(normalize_architecture("i686"), "386");
  EXPECT_EQ(normalize_architecture("armv7l"), "arm");
  EXPECT_EQ(normalize_architecture("AMD64"), "amd64");
  EXPECT_EQ(normalize_architecture("riscv64"), "riscv64");
}

}  // namespace
}  // namespace shoal::runtime::image
