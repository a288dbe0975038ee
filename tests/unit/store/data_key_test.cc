// FileKeyStore: the data key file is made once (32 bytes, 0600 in a 0700 dir), read back the
// same, tightened when looser, and refused when malformed.
#include "store/datastore/data_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "temp_dir.h"

namespace shoal::store {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool same(const DataKey& a, const DataKey& b) { return std::ranges::equal(a.bytes(), b.bytes()); }

TEST(FileKeyStoreTest, FirstUseCreatesA32ByteKeyFileOwnerOnly) {
  testing::TempDir dir;
  mode_t old = ::umask(022);
  FileKeyStore keys(dir.path());
  auto key = keys.data_key();
  ::umask(old);
  ASSERT_TRUE(key.is_ok()) << key.status().message();
  EXPECT_EQ(keys.path(), dir.path() + "/keys/data.key");
  EXPECT_EQ(std::filesystem::file_size(keys.path()), DataKey::kSize);
  EXPECT_EQ(mode_of(keys.path()), 0600u);
  EXPECT_EQ(mode_of(dir.path() + "/keys"), 0700u);
  EXPECT_FALSE(std::ranges::all_of(key->bytes(), [](uint8_t b) { return b == 0; }));
}

TEST(FileKeyStoreTest, LaterUsesReturnTheSameKey) {
  testing::TempDir dir;
  auto first = FileKeyStore(dir.path()).data_key();
  auto second = FileKeyStore(dir.path()).data_key();
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  EXPECT_TRUE(same(*first, *second));
  testing::TempDir other;
  auto third = FileKeyStore(other.path()).data_key();
  ASSERT_TRUE(third.is_ok());
  EXPECT_FALSE(same(*first, *third));
}

TEST(FileKeyStoreTest, ALooserKeyFileAndDirAreTightened) {
  testing::TempDir dir;
  FileKeyStore keys(dir.path());
  ASSERT_TRUE(keys.data_key().is_ok());
  ASSERT_EQ(::chmod(keys.path().c_str(), 0644), 0);
  ASSERT_EQ(::chmod((dir.path() + "/keys").c_str(), 0755), 0);
  ASSERT_TRUE(keys.data_key().is_ok());
  EXPECT_EQ(mode_of(keys.path()), 0600u);
  EXPECT_EQ(mode_of(dir.path() + "/keys"), 0700u);
}

TEST(FileKeyStoreTest, AKeyFileOfAnotherSizeIsRefusedAsCorrupt) {
  testing::TempDir dir;
  FileKeyStore keys(dir.path());
  ASSERT_TRUE(keys.data_key().is_ok());
  std::ofstream(keys.path(), std::ios::trunc) << "short";
  auto key = keys.data_key();
  ASSERT_FALSE(key.is_ok());
  EXPECT_EQ(key.status().code(), Code::kDataLoss);
  EXPECT_NE(key.status().message().find("is corrupt: 5 bytes"), std::string::npos)
      << key.status().message();
}

TEST(DataKeyTest, FromBytesRefusesAnotherSize) {
  std::array<uint8_t, 16> half{};
  EXPECT_EQ(DataKey::from_bytes(half).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shoal::store
