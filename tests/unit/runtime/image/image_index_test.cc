#include "runtime/image/image_index.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "runtime/image/content_store.h"
#include "test_dir.h"

namespace shoal::runtime::image {
namespace {

namespace fs = std::filesystem;
using testing::TestDir;

std::string id_of(int n) {
  std::string hex = fmt::format("{:064x}", n);
  return "sha256:" + hex;
}

// State number k: images 1..k, image i tagged "docker.io/library/app:<i>" with layer i.
IndexState state_number(int k) {
  IndexState s;
  for (int i = 1; i <= k; ++i) {
    ImageRecord r;
    r.id = id_of(i);
    r.diff_ids = {id_of(1000 + i)};
    r.repo_tags = {fmt::format("docker.io/library/app:{}", i)};
    r.added = Timestamp::from_unix_nanos(1700000000000000000 + i);
    s.layer_sizes[id_of(1000 + i)] = i * 10;
    s.images[r.id] = r;
  }
  return s;
}

TEST(ImageIndex, RoundTripAndMissingFile) {
  TestDir dir;
  fs::path path = dir / "index.json";
  auto empty = load_index(path);
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->images.empty());
  IndexState s = state_number(3);
  s.images[id_of(2)].manifest_digest = id_of(77);
  s.images[id_of(2)].repo_digests = {"docker.io/library/app@" + id_of(77)};
  ASSERT_TRUE(save_index(path, s, dir.path()).is_ok());
  auto back = load_index(path);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, s);
}

TEST(ImageIndex, CorruptOrInconsistentFilesAreDataLoss) {
  TestDir dir;
  fs::path path = dir / "index.json";
  testing::write_text(path, "{\"version\":1,\"images\":[");
  EXPECT_EQ(load_index(path).status().code(), Code::kDataLoss);
  IndexState s = state_number(2);
  s.images[id_of(2)].repo_tags = s.images[id_of(1)].repo_tags;  // one tag, two images
  ASSERT_TRUE(save_index(path, s, dir.path()).is_ok());
  auto r = load_index(path);
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_NE(r.status().message().find("names two images"), std::string::npos);
}

TEST(ImageIndex, LeftoverTemporariesAreIgnored) {
  TestDir dir;
  fs::path path = dir / "index.json";
  ASSERT_TRUE(save_index(path, state_number(2), dir.path()).is_ok());
  testing::write_text(dir / "index.json.Ab12Cd",
                      "{\"version\":1,\"images\":[{\"id\"");  // a torn write
  auto r = load_index(path);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, state_number(2));
}

// A writer killed at a random moment, many times: the file always holds one complete state.
TEST(ImageIndex, KilledWriterLeavesACompleteState) {
  TestDir dir;
  fs::path path = dir / "index.json";
  std::mt19937 rng(42);
  int last_seen = 0;
  for (int round = 0; round < 8; ++round) {
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(pipefd[0]);
      for (int k = 1;; ++k) {
        if (!save_index(path, state_number(k % 40 + 1), dir.path()).is_ok()) ::_exit(3);
        if (k == 5) {
          char c = 'x';
          if (::write(pipefd[1], &c, 1) != 1) ::_exit(4);
        }
      }
    }
    ::close(pipefd[1]);
    char c;
    ASSERT_EQ(::read(pipefd[0], &c, 1), 1);  // it has written a few times
    ::close(pipefd[0]);
    // Real time on purpose: a random delay puts the SIGKILL at a random point of the
    // child's saves (mid-write, mid-rename), which is the race this test is about.
    ::usleep(std::uniform_int_distribution<int>(0, 20000)(rng));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    auto r = load_index(path);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    int k = static_cast<int>(r->images.size());
    ASSERT_GE(k, 1);
    EXPECT_EQ(*r, state_number(k));
    last_seen = k;
  }
  EXPECT_GE(last_seen, 1);
}

TEST(ContentStore, BlobsAreVerifiedBothWays) {
  TestDir dir;
  auto cs = ContentStore::open(dir.path());
  ASSERT_TRUE(cs.is_ok());
  std::string bytes = "{\"a\":1}";
  std::string digest = "sha256:" + std::string(64, '0');
  auto bad = cs->put_blob(digest, bytes, "config");
  EXPECT_EQ(bad.code(), Code::kDataLoss);
  EXPECT_EQ(bad.message().rfind("config " + digest + " digest mismatch", 0), 0u);
  EXPECT_FALSE(cs->has_blob(digest));
  EXPECT_TRUE(testing::is_empty_dir(cs->tmp_dir()));

  std::string good = "sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862";
  ASSERT_TRUE(cs->put_blob(good, bytes).is_ok());
  EXPECT_EQ(*cs->get_blob(good), bytes);
  EXPECT_EQ(cs->blobs(), std::vector<std::string>{good});
  testing::write_text(dir / ("blobs/sha256/" + good.substr(7)), "tampered");
  EXPECT_EQ(cs->get_blob(good).status().code(), Code::kDataLoss);
  ASSERT_TRUE(cs->put_blob(good, bytes).is_ok());  // a torn file is replaced
  EXPECT_EQ(*cs->get_blob(good), bytes);
  EXPECT_EQ(cs->get_blob(digest).status().code(), Code::kNotFound);
}

TEST(ContentStore, OpenEmptiesTmp) {
  TestDir dir;
  ASSERT_TRUE(ContentStore::open(dir.path()).is_ok());
  fs::create_directories(dir / "tmp/layer-abc/sub");
  testing::write_text(dir / "tmp/download-1", "partial");
  auto cs = ContentStore::open(dir.path());
  ASSERT_TRUE(cs.is_ok());
  EXPECT_TRUE(testing::is_empty_dir(cs->tmp_dir()));
}

}  // namespace
}  // namespace shoal::runtime::image
