#include <gtest/gtest.h>

#include <thread>

#include "fake_registry.h"
#include "runtime/image/image_store.h"
#include "test_images.h"

namespace shoal::runtime::image {
namespace {

namespace fs = std::filesystem;
using testing::FakeRegistry;
using testing::TestDir;
using testing::TestImage;

class ImagePullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "work");
    for (int i = 0; i < 5; ++i) {
      layers_.push_back(testing::make_layer(
          dir_ / "work/l", {{"f" + std::to_string(i), std::string(1000 * (i + 1), 'a' + i)}}));
    }
    amd_ = testing::make_image(layers_, "amd64", {"amd"});
    arm_ = testing::make_image({layers_[0]}, "arm64", {"arm"});
    index_ = testing::make_index({arm_, amd_});
    for (const TestImage* img : {&amd_, &arm_}) {
      reg_.put_blob("app", img->config);
      reg_.put_manifest("app", img->manifest_digest(), img->manifest,
                        std::string(media::kOciManifest));
      for (const auto& l : img->layers) reg_.put_blob("app", l.blob);
    }
    reg_.put_manifest("app", "1", index_, std::string(media::kOciIndex));
    reg_.put_manifest("app", "single", amd_.manifest, std::string(media::kOciManifest));
    open();
  }
  void open() {
    store_.reset();
    auto s = testing::open_amd64_store(dir_ / "images");
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    store_ = std::move(*s);
  }
  std::string ref(const std::string& tag) const { return reg_.domain() + "/app:" + tag; }
  std::string blob_path(const std::string& digest) const { return "/v2/app/blobs/" + digest; }

  TestDir dir_;
  FakeRegistry reg_;
  std::vector<testing::TestLayer> layers_;
  TestImage amd_, arm_;
  std::string index_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImagePullTest, PullsThePlatformsImageWithDockersProgress) {
  std::vector<std::string> seen;
  auto img = store_->pull(ref("1"), {}, [&](const PullProgress& p) {
    if (p.status != "Downloading") seen.push_back((p.id.empty() ? "" : p.id + ": ") + p.status);
  });
  ASSERT_TRUE(img.is_ok()) << img.status().to_string();
  EXPECT_EQ(img->ID, amd_.id());
  EXPECT_EQ(img->Config.Cmd, std::vector<std::string>{"amd"});
  EXPECT_EQ(img->RepoTags, std::vector<std::string>{ref("1")});
  EXPECT_EQ(img->RepoDigests,
            std::vector<std::string>{reg_.domain() + "/app@" + sha256_digest(index_)});
  ASSERT_EQ(img->LayerDirs.size(), 5u);
  EXPECT_EQ(testing::read_text(img->LayerDirs[4] / "f4"), std::string(5000, 'e'));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "1: Pulling from app");
  EXPECT_EQ(seen[seen.size() - 2], "Digest: " + sha256_digest(index_));
  EXPECT_EQ(seen.back(), "Status: Downloaded newer image for " + ref("1"));
  for (const auto& l : layers_) {
    std::string id = short_id(l.digest());
    for (const char* step : {"Pulling fs layer", "Download complete", "Pull complete"}) {
      EXPECT_NE(std::find(seen.begin(), seen.end(), id + ": " + step), seen.end())
          << id << " " << step;
    }
  }
  EXPECT_EQ(reg_.count(blob_path(arm_.config.empty() ? "" : arm_.id())), 0);  // not this platform's

  // Again: nothing to fetch, and Docker's "up to date".
  seen.clear();
  ASSERT_TRUE(
      store_->pull(ref("1"), {}, [&](const PullProgress& p) { seen.push_back(p.status); }).is_ok());
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "Already exists"), 5);
  EXPECT_EQ(seen.back(), "Status: Image is up to date for " + ref("1"));
  for (const auto& l : layers_) EXPECT_EQ(reg_.count(blob_path(l.digest())), 1);
  // By digest: the same image, recorded under its repo digest.
  auto by_digest =
      store_->get(reg_.domain() + "/app@" + sha256_digest(index_), PullPolicy::kIfMissing, {});
  ASSERT_TRUE(by_digest.is_ok());
  EXPECT_EQ(by_digest->ID, amd_.id());
}

TEST_F(ImagePullTest, ConcurrentGetsShareOneDownload) {
  std::vector<std::thread> threads;
  std::vector<Result<Image>> results(6, Status(Code::kInternal, "unset"));
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back(
        [&, i] { results[i] = store_->get(ref("single"), PullPolicy::kIfMissing, {}); });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->ID, amd_.id());
  }
  for (const auto& l : layers_) EXPECT_EQ(reg_.count(blob_path(l.digest())), 1) << l.digest();
  EXPECT_EQ(reg_.count(blob_path(amd_.id())), 1);
}

TEST_F(ImagePullTest, CorruptLayerIsRefusedAndLeavesNothing) {
  reg_.put_blob_as("app", layers_[3].digest(), layers_[2].blob);  // the registry's disk rotted
  auto img = store_->pull(ref("single"), {}, {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), Code::kDataLoss);
  EXPECT_EQ(img.status().message().rfind("layer " + layers_[3].digest() + " digest mismatch", 0),
            0u)
      << img.status().message();
  EXPECT_TRUE(store_->list().empty());
  EXPECT_TRUE(testing::is_empty_dir(dir_ / "images/tmp"));
  EXPECT_FALSE(store_->content().has_layer(layers_[3].diff_id()));
  open();  // what the good layers left is garbage at the next open
  EXPECT_TRUE(testing::is_empty_dir(dir_ / "images/layers"));
}

TEST_F(ImagePullTest, GetSpeaksTheRuntimesLanguage) {
  auto missing = store_->get(ref("nope"), PullPolicy::kIfMissing, {});
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "No such image: " + ref("nope"));
  EXPECT_EQ(store_->get(ref("single"), PullPolicy::kNever, {}).status().code(), Code::kNotFound);
  ASSERT_TRUE(store_->get(ref("single"), PullPolicy::kIfMissing, {}).is_ok());
  reg_.stop();
  // kAlways: the registry is gone, the local image serves.
  auto always = store_->get(ref("single"), PullPolicy::kAlways, {});
  ASSERT_TRUE(always.is_ok()) << always.status().to_string();
  auto unreachable = store_->get(ref("other"), PullPolicy::kIfMissing, {});
  EXPECT_EQ(unreachable.status().code(), Code::kUnavailable);
  EXPECT_EQ(unreachable.status().message().rfind("cannot reach registry", 0), 0u);
  EXPECT_EQ(store_->get("Bad:Ref", PullPolicy::kIfMissing, {}).status().code(),
            Code::kInvalidArgument);
}

TEST_F(ImagePullTest, Distribution) {
  auto list = store_->distribution(ref("1"), {});
  ASSERT_TRUE(list.is_ok()) << list.status().to_string();
  EXPECT_EQ(list->digest, sha256_digest(index_));
  EXPECT_EQ(list->media_type, media::kOciIndex);
  EXPECT_EQ(list->size, static_cast<int64_t>(index_.size()));
  ASSERT_EQ(list->platforms.size(), 2u);
  EXPECT_EQ(list->platforms[0].architecture, "arm64");
  auto single = store_->distribution(ref("single"), {});
  ASSERT_TRUE(single.is_ok());
  EXPECT_EQ(single->digest, amd_.manifest_digest());
  ASSERT_EQ(single->platforms.size(), 1u);
  EXPECT_EQ(single->platforms[0].architecture, "amd64");
  EXPECT_EQ(store_->distribution(amd_.id(), {}).status().message(),
            "no manifest found for full image ID");
  EXPECT_EQ(store_->distribution(ref("nope"), {}).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace shoal::runtime::image
