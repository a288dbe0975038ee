// A one-member etcd (Debian's etcd-server) for integration tests, on two free loopback ports
// with its data and log under `dir`; stopped when the returned Member goes.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "etcd/member.h"

namespace shoal::testing {

inline std::unique_ptr<etcd::Member> start_test_etcd(const std::string& dir,
                                                     const std::string& name) {
  etcd::MemberOptions member;
  member.name = name;
  member.data_dir = dir + "/etcd";
  member.log_file = dir + "/etcd.log";
  member.client_address = "127.0.0.1:" + std::to_string(etcd::free_loopback_port());
  member.peer_address = "127.0.0.1:" + std::to_string(etcd::free_loopback_port());
  auto started = etcd::Member::start(member, std::chrono::seconds(30));
  EXPECT_TRUE(started.is_ok()) << started.status().to_string();
  return started.is_ok() ? std::move(started).value() : nullptr;
}

}  // namespace shoal::testing
