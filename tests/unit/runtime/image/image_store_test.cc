#include "runtime/image/image_store.h"

#include <gtest/gtest.h>

#include "test_images.h"

namespace shoal::runtime::image {
namespace {

namespace fs = std::filesystem;
using testing::make_image;
using testing::make_layer;
using testing::TestDir;
using testing::TestImage;

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    fs::create_directories(dir_ / "work");
    base_ = make_layer(dir_ / "work/l", {{"bin/sh", "shell"}, {"etc/passwd", "root:x:0:0"}});
    app_ = make_layer(dir_ / "work/l", {{"app/run", "run"}}, /*gzip=*/false);
    open();
  }
  void open() {
    store_.reset();
    auto s = testing::open_amd64_store(dir_ / "images");
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    store_ = std::move(*s);
  }
  std::vector<std::string> load(const fs::path& archive) {
    auto r = store_->load_file(archive);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : std::vector<std::string>{};
  }
  size_t layer_count() const { return store_->content().layers().size(); }

  TestDir dir_;
  testing::TestLayer base_, app_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, LoadsDockerSaveAndServesTheRuntime) {
  TestImage img = make_image({base_, app_});
  testing::write_docker_save(dir_ / "save.tar", {{img, {"busybox:1", "reg:5000/app:v2"}}});
  EXPECT_EQ(load(dir_ / "save.tar"),
            (std::vector<std::string>{"Loaded image: busybox:1", "Loaded image: reg:5000/app:v2"}));
  auto got = store_->get("busybox:1", PullPolicy::kNever, {});
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->ID, img.id());
  EXPECT_EQ(got->RepoTags, (std::vector<std::string>{"busybox:1", "reg:5000/app:v2"}));
  EXPECT_EQ(got->Os, "linux");
  EXPECT_EQ(got->Architecture, "amd64");
  EXPECT_EQ(format_rfc3339_nano(got->Created), "2024-01-02T03:04:05Z");
  EXPECT_EQ(got->Config.Cmd, std::vector<std::string>{"sh"});
  ASSERT_EQ(got->LayerDirs.size(), 2u);
  EXPECT_EQ(testing::read_text(got->LayerDirs[0] / "bin/sh"), "shell");
  EXPECT_EQ(testing::read_text(got->LayerDirs[1] / "app/run"), "run");
  EXPECT_EQ(got->Size, 5 + 10 + 3);
  // Every way of naming it.
  for (const std::string& name : std::vector<std::string>{
           "docker.io/library/busybox:1", img.id(), img.id().substr(7, 10), "reg:5000/app:v2"}) {
    auto r = store_->inspect(name);
    ASSERT_TRUE(r.is_ok()) << name << ": " << r.status().to_string();
    EXPECT_EQ(r->ID, img.id());
  }
  auto missing = store_->get("busybox:2", PullPolicy::kNever, {});
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "No such image: busybox:2");
  // A reopened store (a restarted daemon) has it all.
  open();
  EXPECT_EQ(store_->list().size(), 1u);
  EXPECT_EQ(store_->inspect("busybox:1")->LayerDirs, got->LayerDirs);
}

TEST_F(ImageStoreTest, LoadsOciLayoutsWithPlatformSelection) {
  TestImage amd = make_image({base_}, "amd64", {"amd"});
  TestImage arm = make_image({app_}, "arm64", {"arm"});
  testing::write_oci_layout(dir_ / "index.tar", {arm, amd}, "docker.io/library/multi:1",
                            /*as_index=*/true);
  // ref.name "docker.io/library/multi:1" is a whole reference, so it names the image.
  EXPECT_EQ(load(dir_ / "index.tar"), std::vector<std::string>{"Loaded image: multi:1"});
  auto got = store_->inspect("multi:1");
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->ID, amd.id());
  EXPECT_EQ(got->Config.Cmd, std::vector<std::string>{"amd"});
  EXPECT_EQ(layer_count(), 1u);  // the arm64 layer was not unpacked

  testing::write_oci_layout(dir_ / "plain.tar", {arm}, "example.com/x/arm:3", /*as_index=*/false);
  EXPECT_EQ(load(dir_ / "plain.tar"),
            std::vector<std::string>{"Loaded image: example.com/x/arm:3"});
}

TEST_F(ImageStoreTest, LoadMovesTagsLikeDocker) {
  TestImage one = make_image({base_}, "amd64", {"one"});
  TestImage two = make_image({base_}, "amd64", {"two"});
  testing::write_docker_save(dir_ / "1.tar", {{one, {"app:latest"}}});
  testing::write_docker_save(dir_ / "2.tar", {{two, {"app:latest"}}, {one, {}}});
  load(dir_ / "1.tar");
  EXPECT_EQ(load(dir_ / "2.tar"),
            (std::vector<std::string>{
                "The image app:latest already exists, renaming the old one with ID " + one.id() +
                    " to empty string",
                "Loaded image: app:latest", "Loaded image ID: " + one.id()}));
  EXPECT_EQ(store_->inspect("app")->ID, two.id());
  EXPECT_TRUE(store_->inspect(one.id())->RepoTags.empty());
  EXPECT_EQ(layer_count(), 1u);  // one shared layer
}

TEST_F(ImageStoreTest, DigestMismatchLeavesNothing) {
  TestImage img = make_image({base_, app_});
  img.layers[1].blob = make_layer(dir_ / "work/x", {{"app/run", "tampered"}}, false).blob;
  testing::write_docker_save(dir_ / "bad.tar", {{img, {"bad:1"}}});
  auto r = store_->load_file(dir_ / "bad.tar");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message().rfind("layer " + app_.diff_id() + " digest mismatch", 0), 0u)
      << r.status().message();
  EXPECT_TRUE(store_->list().empty());
  // The good first layer is unpacked but no image has it: the next open removes it.
  open();
  EXPECT_EQ(layer_count(), 0u);
  EXPECT_TRUE(testing::is_empty_dir(dir_ / "images/layers"));
  EXPECT_TRUE(testing::is_empty_dir(dir_ / "images/tmp"));
}

TEST_F(ImageStoreTest, RefusesBrokenArchives) {
  testing::write_text(dir_ / "junk.tar", "not a tar at all, not even close");
  EXPECT_EQ(store_->load_file(dir_ / "junk.tar").status().code(), Code::kInvalidArgument);
  {
    testing::TarBuilder t((dir_ / "old.tar").string());
    t.file("repositories", "{}");
  }
  auto old = store_->load_file(dir_ / "old.tar");
  EXPECT_NE(old.status().message().find("before 1.10"), std::string::npos)
      << old.status().message();
  {
    testing::TarBuilder t((dir_ / "escape.tar").string());
    t.file("manifest.json", R"([{"Config":"../../etc/passwd","Layers":[]}])");
  }
  auto escape = store_->load_file(dir_ / "escape.tar");
  EXPECT_EQ(escape.status().code(), Code::kInvalidArgument);
  EXPECT_NE(escape.status().message().find("leaves the archive"), std::string::npos);
  auto empty = store_->load_bytes("");
  EXPECT_EQ(empty.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(testing::is_empty_dir(dir_ / "images/tmp"));
}

TEST_F(ImageStoreTest, RemoveFollowsDockerRmi) {
  TestImage img = make_image({base_, app_});
  TestImage other = make_image({base_}, "amd64", {"other"});
  testing::write_docker_save(dir_ / "a.tar", {{img, {"app:1", "app:2"}}, {other, {"other:1"}}});
  load(dir_ / "a.tar");
  auto r1 = store_->remove("app:1", false);
  ASSERT_TRUE(r1.is_ok());
  ASSERT_EQ(r1->size(), 1u);
  EXPECT_EQ((*r1)[0].untagged, "app:1");
  auto r2 = store_->remove("app:2", false);
  ASSERT_TRUE(r2.is_ok());
  ASSERT_EQ(r2->size(), 3u);  // Untagged app:2, Deleted image, Deleted the app layer
  EXPECT_EQ((*r2)[0].untagged, "app:2");
  EXPECT_EQ((*r2)[1].deleted, img.id());
  EXPECT_EQ((*r2)[2].deleted, app_.diff_id());  // the base layer stays: "other" has it
  EXPECT_EQ(layer_count(), 1u);
  EXPECT_FALSE(store_->content().has_blob(img.id()));
  EXPECT_EQ(store_->inspect("app:2").status().code(), Code::kNotFound);

  store_->set_in_use_check([&](const std::string& id) -> std::optional<std::string> {
    if (id == other.id()) return std::string("task7");
    return std::nullopt;
  });
  auto busy = store_->remove(other.id(), true);
  EXPECT_EQ(busy.status().code(), Code::kConflict);
  EXPECT_TRUE(store_->inspect("other:1").is_ok());
  store_->set_in_use_check(nullptr);
  ASSERT_TRUE(store_->remove("other:1", false).is_ok());
  EXPECT_EQ(layer_count(), 0u);
  EXPECT_TRUE(store_->list().empty());
  open();
  EXPECT_TRUE(store_->list().empty());
}

TEST_F(ImageStoreTest, OpenDropsImagesWhoseLayersVanished) {
  TestImage img = make_image({base_});
  testing::write_docker_save(dir_ / "a.tar", {{img, {"app:1"}}});
  load(dir_ / "a.tar");
  store_.reset();
  fs::remove_all(dir_ / ("images/layers/" + base_.diff_id().substr(7)));
  fs::create_directories(dir_ / "images/layers" / std::string(64, 'e'));  // an orphan
  open();
  EXPECT_TRUE(store_->list().empty());
  EXPECT_EQ(layer_count(), 0u);
}

TEST_F(ImageStoreTest, IsLocalOnly) {
  TestImage img = make_image({base_});
  testing::write_docker_save(dir_ / "a.tar", {{img, {"app:1"}}});
  load(dir_ / "a.tar");
  EXPECT_TRUE(store_->is_local_only("app:1"));
  EXPECT_FALSE(store_->is_local_only("app:2"));
  EXPECT_FALSE(store_->is_local_only("app@" + img.id()));
}

}  // namespace
}  // namespace shoal::runtime::image
