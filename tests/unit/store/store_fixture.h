// A Store over a MemoryDatastore with a manual clock, for the store's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "fixtures.h"
#include "store/datastore/memory.h"
#include "store/store.h"

namespace shoal::store::testing {

inline constexpr int64_t kStartNanos = 1'700'000'000'000'000'000;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  // Drops the store and opens a new one on the same disk.
  void reopen(StoreOptions options = {}) {
    store_.reset();
    auto ds = std::make_unique<MemoryDatastore>(disk_);
    ds_ = ds.get();
    auto opened = Store::open(std::move(ds), clock_, options);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
  }

  // Runs fn in a write transaction and expects it to commit.
  void write(const std::function<Status(WriteTxn&)>& fn) {
    Status s = store_->update(fn);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  template <typename T>
  void create(T object) {
    write([&](WriteTxn& tx) { return tx.create(object); });
  }

  template <typename T>
  std::shared_ptr<const T> get(std::string_view id) {
    return store_->view().get<T>(id);
  }

  std::shared_ptr<MemoryDatastore::Disk> disk_ = std::make_shared<MemoryDatastore::Disk>();
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(kStartNanos));
  MemoryDatastore* ds_ = nullptr;  // owned by store_
  std::unique_ptr<Store> store_;
};

}  // namespace shoal::store::testing
