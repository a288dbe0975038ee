#include "runtime/image/layer_unpack.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <thread>

#include "runtime/image/digest.h"
#include "tar_builder.h"
#include "test_dir.h"

namespace shoal::runtime::image {
namespace {

namespace fs = std::filesystem;
using testing::is_empty_dir;
using testing::read_text;
using testing::TarBuilder;
using testing::TestDir;

std::string xattr(const fs::path& p, const char* name) {
  char buf[256];
  ssize_t n = ::lgetxattr(p.c_str(), name, buf, sizeof(buf));
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

class LayerUnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    fs::create_directories(staging_);
  }
  Result<UnpackedLayer> unpack(const UnpackExpect& expect = {}) {
    return unpack_layer(tar_, staging_, dest_, expect);
  }
  // Nothing half-made: no layer and no temporary directory.
  void expect_nothing_left() {
    EXPECT_FALSE(fs::exists(dest_));
    EXPECT_TRUE(is_empty_dir(staging_));
  }

  TestDir dir_;
  fs::path tar_ = dir_ / "layer.tar";
  fs::path staging_ = dir_ / "tmp";
  fs::path dest_ = dir_ / "layer";
};

TEST(CleanLayerPath, Table) {
  struct Case {
    const char* in;
    std::optional<std::string> out;
  } cases[] = {
      {"a/b", "a/b"},
      {"./a//b/", "a/b"},
      {"/a/../b", "b"},
      {"/../x", "x"},
      {"a/./b/..", "a"},
      {".", ""},
      {"./", ""},
      {"", ""},
      {"../x", std::nullopt},
      {"a/../../x", std::nullopt},
      {"..", std::nullopt},
      {"a/..b", "a/..b"},
  };
  for (const auto& c : cases) EXPECT_EQ(clean_layer_path(c.in), c.out) << c.in;
}

TEST_F(LayerUnpackTest, FilesDirsLinksModesOwnersXattrs) {
  TarBuilder(tar_.string())
      .dir("etc", 0755)
      .file("etc/passwd", "root:x:0:0\n", 0640, 12, 34, {{"user.shoal", "v"}})
      .dir("tmp", 01777)
      .file("bin/busybox", "ELF", 0755)  // parent dir implied
      .symlink("bin/sh", "busybox")
      .symlink("abs", "/etc/shadow")      // absolute: kept as a link
      .symlink("up", "../../../outside")  // escaping: kept as a link
      .hardlink("bin/hard", "bin/busybox");
  auto r = unpack();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(read_text(dest_ / "etc/passwd"), "root:x:0:0\n");
  struct stat st {};
  ASSERT_EQ(::lstat((dest_ / "etc/passwd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_uid, 12u);
  EXPECT_EQ(st.st_gid, 34u);
  EXPECT_EQ(xattr(dest_ / "etc/passwd", "user.shoal"), "v");
  ASSERT_EQ(::lstat((dest_ / "tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  EXPECT_EQ(fs::read_symlink(dest_ / "bin/sh"), "busybox");
  EXPECT_EQ(fs::read_symlink(dest_ / "abs"), "/etc/shadow");
  EXPECT_EQ(fs::read_symlink(dest_ / "up"), "../../../outside");
  EXPECT_TRUE(fs::equivalent(dest_ / "bin/hard", dest_ / "bin/busybox"));
  EXPECT_EQ(r->size, 11 + 3);
  EXPECT_EQ(r->diff_id, r->blob_digest);  // not compressed
  EXPECT_TRUE(is_empty_dir(staging_));
}

TEST_F(LayerUnpackTest, WhiteoutsBecomeOverlayWhiteouts) {
  TarBuilder(tar_.string())
      .dir("etc")
      .file("etc/.wh.hosts", "")
      .file("var/lib/.wh..wh..opq", "")  // marker before (and without) its dir entry
      .dir("opt")
      .file("opt/.wh..wh..opq", "")
      .file("opt/new", "x")
      .file(".wh..wh.plnk", "");  // aufs bookkeeping: skipped
  auto r = unpack();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  struct stat st {};
  ASSERT_EQ(::lstat((dest_ / "etc/hosts").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(fs::exists(dest_ / "etc/.wh.hosts"));
  EXPECT_EQ(xattr(dest_ / "var/lib", "trusted.overlay.opaque"), "y");
  EXPECT_EQ(xattr(dest_ / "opt", "trusted.overlay.opaque"), "y");
  EXPECT_EQ(xattr(dest_ / "etc", "trusted.overlay.opaque"), "");
  EXPECT_FALSE(fs::exists(dest_ / "opt/.wh..wh..opq"));
  EXPECT_EQ(read_text(dest_ / "opt/new"), "x");
  EXPECT_FALSE(fs::exists(dest_ / ".wh..wh.plnk"));
}

TEST_F(LayerUnpackTest, PathTraversalIsRefusedAndLeavesNothing) {
  fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  struct Case {
    const char* what;
    std::function<void(TarBuilder&)> build;
  } cases[] = {
      {"dot-dot entry", [](TarBuilder& t) { t.file("ok", "1").file("../evil", "x"); }},
      {"nested dot-dot", [](TarBuilder& t) { t.file("a/../../evil", "x"); }},
      {"hardlink out", [](TarBuilder& t) { t.hardlink("h", "../outside/f"); }},
      {"through a symlink",
       [&](TarBuilder& t) { t.symlink("lnk", outside.string()).file("lnk/evil", "x"); }},
      {"through a relative symlink",
       [](TarBuilder& t) { t.symlink("lnk", "../outside").file("lnk/evil", "x"); }},
      {"whiteout through a symlink",
       [&](TarBuilder& t) { t.symlink("lnk", outside.string()).file("lnk/.wh.f", ""); }},
      {"opaque through a symlink",
       [&](TarBuilder& t) { t.symlink("lnk", outside.string()).file("lnk/.wh..wh..opq", ""); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    {
      TarBuilder t(tar_.string());
      c.build(t);
    }
    auto r = unpack();
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().to_string();
    expect_nothing_left();
    EXPECT_TRUE(is_empty_dir(outside));
    EXPECT_FALSE(fs::exists(dir_ / "evil"));
  }
}

TEST_F(LayerUnpackTest, DirectoryAttributesComeLast) {
  TarBuilder(tar_.string()).dir("ro", 0555, 7, 8).file("ro/inside", "x", 0400).fifo("ro/pipe");
  auto r = unpack();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  struct stat st {};
  ASSERT_EQ(::lstat((dest_ / "ro").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0555u);
  EXPECT_EQ(st.st_uid, 7u);
  EXPECT_EQ(st.st_mtime, 1704067200);  // set after its children were written
  ASSERT_EQ(::lstat((dest_ / "ro/pipe").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(read_text(dest_ / "ro/inside"), "x");
}

TEST_F(LayerUnpackTest, AHardlinkToASymlinkIsNoWayOut) {
  fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  TarBuilder(tar_.string()).symlink("s", outside.string()).hardlink("h", "s").file("h/evil", "x");
  auto r = unpack();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().to_string();
  expect_nothing_left();
  EXPECT_TRUE(is_empty_dir(outside));
}

TEST_F(LayerUnpackTest, LaterEntriesReplaceEarlierOnes) {
  TarBuilder(tar_.string())
      .file("a", "1")
      .file("a", "2")
      .file("b", "x")
      .symlink("b", "a")
      .dir("d")
      .dir("d", 0700);
  auto r = unpack();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(read_text(dest_ / "a"), "2");
  EXPECT_EQ(fs::read_symlink(dest_ / "b"), "a");
  EXPECT_EQ(fs::status(dest_ / "d").permissions(), fs::perms::owner_all);
}

TEST_F(LayerUnpackTest, RootedPathsStayInside) {
  TarBuilder(tar_.string()).file("/etc/motd", "hi").file("/../../x", "y");
  auto r = unpack();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(read_text(dest_ / "etc/motd"), "hi");
  EXPECT_EQ(read_text(dest_ / "x"), "y");
}

TEST_F(LayerUnpackTest, DigestsOfCompressedAndPlainStreams) {
  fs::path plain = dir_ / "plain.tar", gz = dir_ / "layer.tar.gz";
  TarBuilder(plain.string()).file("a", std::string(100000, 'a'));
  TarBuilder(gz.string(), TarBuilder::Compression::kGzip).file("a", std::string(100000, 'a'));
  std::string diff_id = sha256_digest(read_text(plain));
  std::string blob = sha256_digest(read_text(gz));
  auto r = unpack_layer(gz, staging_, dest_, {.diff_id = diff_id, .blob_digest = blob});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->diff_id, diff_id);
  EXPECT_EQ(r->blob_digest, blob);
  EXPECT_EQ(read_text(dest_ / "a"), std::string(100000, 'a'));
}

TEST_F(LayerUnpackTest, DigestMismatchLeavesNothing) {
  TarBuilder(tar_.string(), TarBuilder::Compression::kGzip).file("a", "1").dir("d");
  std::string wrong = sha256_digest("something else");
  for (UnpackExpect expect : {UnpackExpect{.diff_id = wrong, .blob_digest = ""},
                              UnpackExpect{.diff_id = "", .blob_digest = wrong}}) {
    auto r = unpack(expect);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), Code::kDataLoss);
    EXPECT_EQ(r.status().message().rfind("layer " + wrong + " digest mismatch", 0), 0u)
        << r.status().message();
    expect_nothing_left();
  }
}

TEST_F(LayerUnpackTest, CorruptBlobIsADigestMismatch) {
  TarBuilder(tar_.string(), TarBuilder::Compression::kGzip).file("a", std::string(50000, 'z'));
  std::string good = sha256_digest(read_text(tar_));
  std::string bytes = read_text(tar_);
  bytes[bytes.size() / 2] ^= 0x55;
  testing::write_text(tar_, bytes);
  auto r = unpack({.diff_id = "", .blob_digest = good});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss) << r.status().to_string();
  expect_nothing_left();
}

TEST_F(LayerUnpackTest, GarbageIsAnInvalidLayer) {
  testing::write_text(tar_, std::string(3000, 'x'));
  auto r = unpack();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().to_string();
  expect_nothing_left();
}

TEST_F(LayerUnpackTest, ConcurrentUnpacksOfOneLayerBothSucceed) {
  TarBuilder(tar_.string()).file("a", "1").file("b", "2");
  Result<UnpackedLayer> r1 = Status(Code::kInternal, "unset"), r2 = r1;
  std::thread t1([&] { r1 = unpack(); });
  std::thread t2([&] { r2 = unpack(); });
  t1.join();
  t2.join();
  ASSERT_TRUE(r1.is_ok()) << r1.status().to_string();
  ASSERT_TRUE(r2.is_ok()) << r2.status().to_string();
  EXPECT_EQ(r1->diff_id, r2->diff_id);
  EXPECT_EQ(read_text(dest_ / "b"), "2");
  EXPECT_TRUE(is_empty_dir(staging_));
}

}  // namespace
}  // namespace shoal::runtime::image
