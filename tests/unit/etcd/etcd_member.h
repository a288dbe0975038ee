// A real etcd member for the etcd module's tests: Debian's etcd-server on two free loopback
// ports and a temporary data dir, stopped and removed with the object.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "etcd/client.h"
#include "etcd/datastore.h"
#include "etcd/member.h"
#include "store/temp_dir.h"

namespace shoal::etcd::testing {

class TestMember {
 public:
  // Starts a one-member cluster; `adjust` may change its options (limits) first.
  explicit TestMember(const std::function<void(MemberOptions&)>& adjust = {}) {
    options_.name = "test";
    options_.data_dir = dir_.path() + "/member";
    options_.log_file = dir_.path() + "/etcd.log";
    options_.client_address = "127.0.0.1:" + std::to_string(free_loopback_port());
    options_.peer_address = "127.0.0.1:" + std::to_string(free_loopback_port());
    if (adjust) adjust(options_);
    start();
  }

  // (Re)starts the member on the same data dir and ports.
  void start() {
    auto started = Member::start(options_, std::chrono::seconds(30));
    ASSERT_TRUE(started.is_ok()) << started.status().to_string();
    member_ = std::move(started).value();
  }
  Member& member() { return *member_; }
  const std::string& client_address() const { return options_.client_address; }

  // A datastore's options on this member; small pages by default, so that loads cross page
  // boundaries.
  EtcdDatastoreOptions datastore_options(int64_t page_keys = 3) const {
    EtcdDatastoreOptions o;
    o.client.endpoints = {client_address()};
    o.client.call_timeout = std::chrono::seconds(5);
    o.load_page_keys = page_keys;
    return o;
  }
  std::shared_ptr<Client> client() const {
    return std::make_shared<Client>(datastore_options().client);
  }

 private:
  store::testing::TempDir dir_;
  MemberOptions options_;
  std::unique_ptr<Member> member_;
};

}  // namespace shoal::etcd::testing
