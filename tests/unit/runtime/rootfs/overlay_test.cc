#include "runtime/rootfs/overlay.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace shoal::runtime::rootfs {
namespace {
namespace fs = std::filesystem;

TEST(OverlayData, TopmostLayerFirst) {
  EXPECT_EQ(overlay_data({"/l/base", "/l/mid", "/l/top"}, "/t/upper", "/t/work"),
            "lowerdir=/l/top:/l/mid:/l/base,upperdir=/t/upper,workdir=/t/work");
}

class OverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-overlay-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    unmount_rootfs(root_ / "task");
    fs::remove_all(root_);
  }
  // `n` layers with long paths; layer i holds file i and its own copy of "shadowed".
  std::vector<fs::path> layers(size_t n) {
    std::vector<fs::path> out;
    for (size_t i = 0; i < n; ++i) {
      fs::path dir = root_ / "layers" / (std::string(60, 'x') + std::to_string(i));
      fs::create_directories(dir);
      std::ofstream(dir / ("file" + std::to_string(i))) << i;
      std::ofstream(dir / "shadowed") << i;
      out.push_back(dir);
    }
    return out;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::string s;
    in >> s;
    return s;
  }
  fs::path root_;
};

TEST_F(OverlayTest, MountsAndUnmountsIdempotently) {
  auto l = layers(2);
  fs::path task = root_ / "task";
  fs::create_directories(task);
  ASSERT_TRUE(mount_rootfs(task, l).is_ok());
  ASSERT_TRUE(mount_rootfs(task, l).is_ok());  // already mounted: OK
  EXPECT_TRUE(is_mount_point(task / "rootfs"));
  EXPECT_EQ(read(task / "rootfs/shadowed"), "1");  // the last layer is on top
  std::ofstream(task / "rootfs/new") << "w";
  EXPECT_TRUE(fs::exists(task / "upper/new"));
  EXPECT_FALSE(fs::exists(l[1] / "new"));
  ASSERT_TRUE(unmount_rootfs(task).is_ok());
  ASSERT_TRUE(unmount_rootfs(task).is_ok());
  EXPECT_FALSE(is_mount_point(task / "rootfs"));
}

TEST_F(OverlayTest, ManyLayersPastTheMountDataLimit) {
  auto l = layers(120);  // 120 × ~100-byte paths: far past one page of mount data
  std::vector<std::string> as_strings(l.begin(), l.end());
  ASSERT_GT(overlay_data(as_strings, "u", "w").size(), kMaxMountData);
  fs::path task = root_ / "task";
  fs::create_directories(task);
  ASSERT_TRUE(mount_rootfs(task, l).is_ok());
  EXPECT_EQ(read(task / "rootfs/file0"), "0");
  EXPECT_EQ(read(task / "rootfs/file119"), "119");
  EXPECT_EQ(read(task / "rootfs/shadowed"), "119");
  ASSERT_TRUE(unmount_rootfs(task).is_ok());
}

TEST_F(OverlayTest, NoLayersIsAnError) {
  EXPECT_EQ(mount_rootfs(root_ / "task", {}).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shoal::runtime::rootfs
