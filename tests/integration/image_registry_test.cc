// The image store against a real registry (docker-registry) and the real docker CLI:
// pull, load, ls, rm, unknown tags, an unreachable registry, a corrupt blob, and services
// created from pulled and from loaded images.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine_fixture.h"
#include "registry_fixture.h"

namespace shoal::testing {
namespace {

namespace fs = std::filesystem;

class ImageRegistryTest : public EngineIntegrationTest {
 protected:
  void SetUp() override {
    EngineIntegrationTest::SetUp();
    ASSERT_TRUE(fs::exists(test_image_dir() + "/image.tar")) << "make_test_image.sh failed";
    ASSERT_TRUE(registry_.start()) << registry_.log();
    ASSERT_TRUE(registry_.push(test_image_dir(), "1", "busybox:1")) << registry_.log();
    image_ = registry_.address() + "/busybox:1";
  }

  CommandResult shoal(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {SHOAL_BINARY, "image", "-H", socket_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {}, std::chrono::seconds(120));
  }
  std::string images_dir() const { return tmp_.path() + "/data/images"; }
  bool no_layers() const {
    return fs::is_empty(images_dir() + "/layers") && fs::is_empty(images_dir() + "/tmp");
  }

  RegistryProcess registry_;
  std::string image_;
};

TEST_F(ImageRegistryTest, ShoalPullThenLs) {
  CommandResult pull = shoal({"pull", image_});
  ASSERT_EQ(pull.exit_code, 0) << pull.out << pull.err << tail(daemon_->log());
  EXPECT_TRUE(contains(pull.out, "1: Pulling from busybox")) << pull.out;
  EXPECT_TRUE(contains(pull.out, "Pull complete")) << pull.out;
  EXPECT_TRUE(contains(pull.out, "Status: Downloaded newer image for " + image_)) << pull.out;
  CommandResult ls = shoal({"ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_TRUE(contains(ls.out, registry_.address() + "/busybox")) << ls.out;
  // docker image ls asks GET /images/json.
  std::string listed = ok({"image", "ls", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"});
  EXPECT_TRUE(contains(listed, image_ + " ")) << listed;
  EXPECT_EQ(trim(ok({"image", "inspect", "--format",
                     "{{.Os}}/{{.Architecture}} {{json .Config.Cmd}}", image_})),
            "linux/amd64 [\"sh\"]");
}

TEST_F(ImageRegistryTest, DockerLoadAndDockerPull) {
  std::string loaded = ok({"load", "-i", test_image_dir() + "/image.tar"});
  EXPECT_TRUE(contains(loaded, "Loaded image: busybox:1")) << loaded;
  std::string pulled = ok({"pull", image_});
  EXPECT_TRUE(contains(pulled, image_)) << pulled;
  std::string listed = ok({"image", "ls", "--format", "{{.Repository}}:{{.Tag}}"});
  EXPECT_TRUE(contains(listed, "busybox:1\n")) << listed;
  EXPECT_TRUE(contains(listed, image_ + "\n")) << listed;
  // One image, one unpacked layer: the pull found it already there.
  EXPECT_EQ(
      std::distance(fs::directory_iterator(images_dir() + "/layers"), fs::directory_iterator()), 1);
  std::string digests = ok({"image", "ls", "--digests", "--format", "{{.Repository}} {{.Digest}}"});
  EXPECT_TRUE(contains(digests, registry_.address() + "/busybox sha256:")) << digests;
  // Filters as docker images sends them.
  EXPECT_EQ(
      ok({"image", "ls", "--filter", "reference=busybox", "--format", "{{.Repository}}:{{.Tag}}"}),
      "busybox:1\n");
  EXPECT_EQ(ok({"image", "ls", "--filter", "reference=*/busybox:1", "--format", "{{.Repository}}"}),
            registry_.address() + "/busybox\n");
  EXPECT_EQ(ok({"image", "ls", "-q", "--filter", "dangling=true"}), "");
  fails({"image", "ls", "--filter", "bogus=1"}, "invalid filter 'bogus'");
}

TEST_F(ImageRegistryTest, ShoalLoadsAnOciLayoutDirectory) {
  CommandResult r = shoal({"load", "-i", test_image_dir() + "/oci"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "Loaded image: busybox:1\n");  // io.containerd.image.name names it
  EXPECT_EQ(trim(ok({"image", "inspect", "--format", "{{.Id}}", "busybox:1"})).size(), 71u);
}

TEST_F(ImageRegistryTest, UnknownTagIsNotFound) {
  fails({"pull", registry_.address() + "/busybox:nope"}, "manifest unknown");
  CommandResult r = shoal({"pull", registry_.address() + "/busybox:nope"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "manifest for " + registry_.address() + "/busybox:nope not found"))
      << r.err;
  fails({"image", "inspect", "busybox:nope"}, "No such image: busybox:nope");
  EXPECT_TRUE(no_layers());
}

TEST_F(ImageRegistryTest, StoppedRegistryIsUnreachable) {
  registry_.stop();
  fails({"pull", image_}, "cannot reach registry " + registry_.address());
  CommandResult r = shoal({"pull", image_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "cannot reach registry " + registry_.address())) << r.err;
}

TEST_F(ImageRegistryTest, CorruptBlobIsADigestMismatchAndLeavesNothing) {
  // The layer is the largest blob; flip bytes in the middle of its file in the registry.
  fs::path layer;
  for (const auto& e :
       fs::recursive_directory_iterator(registry_.storage() + "/docker/registry/v2/blobs")) {
    if (e.is_regular_file() && (layer.empty() || e.file_size() > fs::file_size(layer)))
      layer = e.path();
  }
  ASSERT_FALSE(layer.empty());
  {
    std::fstream f(layer, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(layer) / 2));
    f.write("CORRUPT!", 8);
  }
  CommandResult r = shoal({"pull", image_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "digest mismatch")) << r.out << r.err;
  fails({"pull", image_}, "digest mismatch");
  EXPECT_TRUE(no_layers());
  EXPECT_EQ(trim(ok({"image", "ls", "-q"})), "");
}

TEST_F(ImageRegistryTest, RemoveUntagsAndDeletes) {
  ASSERT_EQ(shoal({"pull", image_}).exit_code, 0);
  ok({"load", "-i", test_image_dir() + "/image.tar"});
  CommandResult rm1 = shoal({"rm", "busybox:1"});
  ASSERT_EQ(rm1.exit_code, 0) << rm1.err;
  EXPECT_EQ(rm1.out, "Untagged: busybox:1\n");
  std::string rm2 = ok({"rmi", image_});
  EXPECT_TRUE(contains(rm2, "Untagged: " + image_)) << rm2;
  EXPECT_TRUE(contains(rm2, "Deleted: sha256:")) << rm2;
  EXPECT_EQ(trim(ok({"image", "ls", "-q"})), "");
  EXPECT_TRUE(no_layers());
  fails({"rmi", image_}, "No such image: " + image_);
}

TEST_F(ImageRegistryTest, ServicesPinPulledImagesAndKeepLoadedTags) {
  swarm_init();
  ok({"load", "-i", test_image_dir() + "/image.tar"});
  // A registry image: the CLI pins its digest (GET /distribution).
  ok({"service", "create", "--detach", "--name", "pulled", image_, "sleep", "1d"});
  std::string pinned = trim(ok(
      {"service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "pulled"}));
  EXPECT_TRUE(pinned.starts_with(image_ + "@sha256:")) << pinned;
  // A loaded image no registry knows: the CLI warns, keeps the tag, and the service works.
  CommandResult local =
      docker({"service", "create", "--detach", "--name", "loaded", "busybox:1", "sleep", "1d"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_TRUE(contains(local.err, "could not be accessed on a registry to record")) << local.err;
  EXPECT_EQ(trim(ok({"service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
                     "loaded"})),
            "busybox:1");
}

}  // namespace
}  // namespace shoal::testing
