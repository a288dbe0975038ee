// A real RpcServer on 127.0.0.1:0 over a real Dispatcher and NodeCA, on a store over a
// MemoryDatastore holding a cluster with a root CA made by src/ca, and the manager's own
// node certificate. Certificates are valid around the real time (TLS checks them against
// the system clock), so the manual clock starts at the system's now.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "ca/certs.h"
#include "ca/node_ca.h"
#include "ca/root_ca.h"
#include "common/id.h"
#include "manager/dispatcher/dispatcher.h"
#include "rpc/server.h"
#include "rpc/tls.h"
#include "store/datastore/memory.h"
#include "store/store.h"
#include "support/eventually.h"

namespace shoal::rpc::testing {

using namespace std::chrono_literals;

inline const char* kClusterID = "cluster1";
inline const char* kManagerID = "manager1";

using ::shoal::testing::eventually;

inline ca::RandomBytes counter_random() {
  auto counter = std::make_shared<unsigned char>(0);
  return [counter](size_t n) { return std::string(n, static_cast<char>(++*counter)); };
}

// A node identity signed by `root` (the fixture's by default).
inline TlsIdentity sign_identity(const ca::KeyPair& root, const std::string& node_id,
                                 api::NodeRole role, const std::string& cluster_id, Timestamp now) {
  auto key = ca::make_key_and_csr();
  EXPECT_TRUE(key.is_ok());
  ca::SignRequest req{key->csr_pem, node_id, role, cluster_id, std::chrono::hours(24)};
  auto cert = ca::sign_csr(root, req, now);
  EXPECT_TRUE(cert.is_ok()) << cert.status().to_string();
  return TlsIdentity{root.cert_pem, cert.is_ok() ? *cert : "", key->key_pem};
}

class RpcFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(std::make_unique<store::MemoryDatastore>(), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    auto root = ca::make_root_ca(clock_->now());
    ASSERT_TRUE(root.is_ok()) << root.status().to_string();
    root_ = *root;
    api::Swarm cluster;
    cluster.ID = kClusterID;
    cluster.Spec.Name = "default";
    cluster.Spec.CAConfig.NodeCertExpiry = std::chrono::hours(24 * 90);
    ASSERT_TRUE(ca::install_root(cluster, root_, false, random_).is_ok());
    worker_token_ = cluster.JoinTokens.Worker;
    api::Node manager;
    manager.ID = kManagerID;
    manager.Spec.Role = api::NodeRole::kManager;
    manager.Spec.Availability = api::NodeAvailability::kActive;
    manager.Status.State = api::NodeState::kReady;
    write([&](store::WriteTxn& tx) {
      SHOAL_RETURN_IF_ERROR(tx.create(cluster));
      return tx.create(manager);
    });
    manager_identity_ =
        sign_identity(root_, kManagerID, api::NodeRole::kManager, kClusterID, clock_->now());

    dispatcher_ = std::make_unique<manager::dispatcher::Dispatcher>(
        *store_, *clock_, ids_, manager::dispatcher::DispatcherOptions{.seed = 1});
    ASSERT_TRUE(dispatcher_->start().is_ok());
    node_ca_ = std::make_unique<ca::NodeCA>(*store_, *clock_, ids_);
    server_ =
        std::make_unique<RpcServer>("127.0.0.1:0", manager_identity_, *dispatcher_, *node_ca_);
    Status started = server_->start();
    ASSERT_TRUE(started.is_ok()) << started.to_string();
    addr_ = "127.0.0.1:" + std::to_string(server_->port());
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (dispatcher_) dispatcher_->stop();
  }

  void write(const std::function<Status(store::WriteTxn&)>& fn) {
    Status s = store_->update(fn);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(SystemClock().now());
  IdGenerator ids_{7};
  ca::RandomBytes random_ = counter_random();
  ca::KeyPair root_;
  std::string worker_token_;
  TlsIdentity manager_identity_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<manager::dispatcher::Dispatcher> dispatcher_;
  std::unique_ptr<ca::NodeCA> node_ca_;
  std::unique_ptr<RpcServer> server_;
  std::string addr_;
};

}  // namespace shoal::rpc::testing
