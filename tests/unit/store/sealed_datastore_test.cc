// SealedDatastore: the records of secrets, configs and clusters are sealed on disk and plain
// in the store; another key fails loudly; plain records of an older shoal still load and are
// rewritten sealed by the next snapshot; the SQLite files are 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data_keys.h"
#include "store/datastore/memory.h"
#include "store/datastore/seal.h"
#include "store/datastore/sealed.h"
#include "store/datastore/sqlite.h"
#include "store/store.h"
#include "store_fixture.h"
#include "temp_dir.h"

namespace shoal::store {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSecretBytes = "Zq7-secret-bytes-only-in-the-secret";
constexpr std::string_view kConfigBytes = "Zq7-config-bytes-only-in-the-config";
constexpr std::string_view kCaKey = "-----BEGIN PRIVATE KEY-----\nZq7-ca-key\n";

using testing::key_of;

std::shared_ptr<ManualClock> test_clock() {
  return std::make_shared<ManualClock>(Timestamp::from_unix_nanos(testing::kStartNanos));
}

Status write_sensitive(Store& store) {
  return store.update([](WriteTxn& tx) {
    api::Secret secret = testing::make_secret("sec1", "pw");
    secret.Spec.Data = api::Bytes(std::string(kSecretBytes));
    api::Config config = testing::make_config("cfg1", "conf");
    config.Spec.Data = api::Bytes(std::string(kConfigBytes));
    api::Swarm cluster = testing::make_cluster("c1");
    cluster.Spec.CAConfig.SigningCAKey = std::string(kCaKey);
    SHOAL_RETURN_IF_ERROR(tx.create(secret));
    SHOAL_RETURN_IF_ERROR(tx.create(config));
    SHOAL_RETURN_IF_ERROR(tx.create(cluster));
    return tx.create(testing::make_node("n1", "host-1"));
  });
}

void expect_sensitive(const Store& store) {
  auto view = store.view();
  auto secret = view.get<api::Secret>("sec1");
  auto config = view.get<api::Config>("cfg1");
  auto cluster = view.get<api::Swarm>("c1");
  ASSERT_TRUE(secret && config && cluster);
  EXPECT_EQ(secret->Spec.Data, kSecretBytes);
  EXPECT_EQ(config->Spec.Data, kConfigBytes);
  EXPECT_EQ(cluster->Spec.CAConfig.SigningCAKey, kCaKey);
}

// Every byte of every file under `dir`.
std::string all_bytes(const std::string& dir) {
  std::string out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out += ss.str();
  }
  return out;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// A store over `disk` (the memory datastore's files) through the sealing wrapper.
auto open_sealed(const std::shared_ptr<MemoryDatastore::Disk>& disk, uint8_t key) {
  return Store::open(
      std::make_unique<SealedDatastore>(std::make_unique<MemoryDatastore>(disk), key_of(key)),
      test_clock());
}

TEST(SealedDatastoreTest, SensitiveRecordsAreSealedOnDiskAndPlainInTheStore) {
  auto disk = std::make_shared<MemoryDatastore::Disk>();
  {
    auto store = open_sealed(disk, 1);
    ASSERT_TRUE(store.is_ok());
    ASSERT_TRUE(write_sensitive(**store).is_ok());
    expect_sensitive(**store);
  }
  for (const auto& [where, value] : disk->records) {
    bool sensitive =
        where.first == "secrets" || where.first == "configs" || where.first == "clusters";
    EXPECT_EQ(seal::is_sealed(value), sensitive) << where.first << "/" << where.second;
    EXPECT_FALSE(contains(value, "Zq7")) << where.first << "/" << where.second;
  }
  auto store = open_sealed(disk, 1);
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  expect_sensitive(**store);
}

TEST(SealedDatastoreTest, OpeningWithAnotherDataKeyFailsNamingTheRecord) {
  auto disk = std::make_shared<MemoryDatastore::Disk>();
  {
    auto store = open_sealed(disk, 1);
    ASSERT_TRUE(store.is_ok());
    ASSERT_TRUE(write_sensitive(**store).is_ok());
  }
  auto store = open_sealed(disk, 2);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Code::kInternal);
  EXPECT_TRUE(contains(store.status().message(), "authentication failed"))
      << store.status().message();
}

TEST(SealedDatastoreTest, SnapshotsAreSealedToo) {
  auto disk = std::make_shared<MemoryDatastore::Disk>();
  auto memory = std::make_unique<MemoryDatastore>(disk);
  memory->snapshot_every(1);
  auto store =
      Store::open(std::make_unique<SealedDatastore>(std::move(memory), key_of(1)), test_clock());
  ASSERT_TRUE(store.is_ok());
  ASSERT_TRUE(write_sensitive(**store).is_ok());
  ASSERT_TRUE((*store)->wait_for_snapshot().is_ok());
  std::lock_guard lock(disk->mu);
  ASSERT_EQ(disk->snapshots, 1);
  ASSERT_TRUE(disk->snapshot.contains({"secrets", "sec1"}));
  for (const auto& [where, value] : disk->snapshot) {
    EXPECT_FALSE(contains(value, "Zq7")) << where.first << "/" << where.second;
  }
}

TEST(SealedDatastoreTest, PlainRecordsOfAnOlderStoreLoadAndAreRewrittenSealedOnTheNextWrite) {
  testing::TempDir dir;
  {  // an older shoal: no sealing
    auto store = Store::open(SqliteDatastore::open(dir.path()).value(), test_clock());
    ASSERT_TRUE(store.is_ok());
    ASSERT_TRUE(write_sensitive(**store).is_ok());
  }
  ASSERT_TRUE(contains(all_bytes(dir.path()), kSecretBytes));
  {
    auto sealed =
        std::make_unique<SealedDatastore>(SqliteDatastore::open(dir.path()).value(), key_of(1));
    SealedDatastore* raw = sealed.get();
    auto store = Store::open(std::move(sealed), test_clock());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    expect_sensitive(**store);
    EXPECT_EQ(raw->plain_records_loaded(), 3u);
    EXPECT_TRUE(raw->wants_snapshot());
    ASSERT_TRUE(
        (*store)
            ->update([](WriteTxn& tx) { return tx.create(testing::make_node("n2", "host-2")); })
            .is_ok());
    ASSERT_TRUE((*store)->wait_for_snapshot().is_ok());
    EXPECT_FALSE(raw->wants_snapshot());
  }
  std::string bytes = all_bytes(dir.path());
  EXPECT_FALSE(contains(bytes, kSecretBytes));
  EXPECT_FALSE(contains(bytes, kConfigBytes));
  EXPECT_FALSE(contains(bytes, "Zq7-ca-key"));
  auto store = Store::open(
      std::make_unique<SealedDatastore>(SqliteDatastore::open(dir.path()).value(), key_of(1)),
      test_clock());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  expect_sensitive(**store);
  EXPECT_TRUE(store.value()->view().get<api::Node>("n2") != nullptr);
}

TEST(SealedDatastoreTest, SqliteFilesAreOwnerOnlyWhateverTheUmask) {
  testing::TempDir dir;
  mode_t old = ::umask(022);
  {
    auto store = Store::open(
        std::make_unique<SealedDatastore>(SqliteDatastore::open(dir.path()).value(), key_of(1)),
        test_clock());
    ASSERT_TRUE(store.is_ok());
    ASSERT_TRUE(write_sensitive(**store).is_ok());
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      struct stat st {};
      ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 07777, 0600u) << entry.path();
      ++files;
    }
    EXPECT_GE(files, 3);  // LOCK, log-*.db and its -wal at least
  }
  ::umask(old);
}

}  // namespace
}  // namespace shoal::store
