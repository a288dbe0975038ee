// A store over a MemoryDatastore holding a cluster with a root CA, for the CA's tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ca/certs.h"
#include "ca/root_ca.h"
#include "common/id.h"
#include "store/datastore/memory.h"
#include "store/store.h"

namespace shoal::ca::testing {

// 2026-01-01T00:00:00Z
inline const Timestamp kStart = Timestamp::from_unix_nanos(1767225600LL * 1'000'000'000);

// Deterministic "random" bytes: a counter, so tokens differ from call to call.
inline RandomBytes counter_random() {
  auto counter = std::make_shared<unsigned char>(0);
  return [counter](size_t n) { return std::string(n, static_cast<char>(++*counter)); };
}

class CATest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(
        std::make_unique<store::MemoryDatastore>(std::make_shared<store::MemoryDatastore::Disk>()),
        clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    api::Swarm cluster;
    cluster.ID = "cluster1";
    cluster.Spec.Name = "default";
    cluster.Spec.CAConfig.NodeCertExpiry = std::chrono::hours(24 * 90);
    auto root = make_root_ca(clock_->now());
    ASSERT_TRUE(root.is_ok());
    ASSERT_TRUE(install_root(cluster, *root, false, random_).is_ok());
    root_ = *root;
    Status status = store_->update([&](store::WriteTxn& tx) { return tx.create(cluster); });
    ASSERT_TRUE(status.is_ok()) << status.to_string();
  }

  std::shared_ptr<const api::Swarm> cluster() const {
    return store_->view().find<api::Swarm>().front();
  }

  void update_cluster(const std::function<void(api::Swarm&)>& change) {
    Status status = store_->update([&](store::WriteTxn& tx) {
      api::Swarm c = *tx.find<api::Swarm>().front();
      change(c);
      return tx.update(std::move(c));
    });
    ASSERT_TRUE(status.is_ok()) << status.to_string();
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  IdGenerator ids_{42};
  RandomBytes random_ = counter_random();
  KeyPair root_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace shoal::ca::testing
