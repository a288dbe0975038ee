// A control API over an in-memory store, a manual clock, seeded IDs and randomness, and a
// fake local node: the fixture of every controlapi test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <random>
#include <string>

#include "api/model.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/local_node.h"
#include "manager/controlapi/swarm.h"
#include "store/datastore/memory.h"
#include "store/store.h"

namespace shoal::manager::controlapi::testing {

inline constexpr int64_t kStartNanos = 1'700'000'000'000'000'000;

// LocalNode double: membership in memory; hooks can be told to fail.
class FakeLocalNode : public LocalNode {
 public:
  api::LocalNodeState state() const override { return state_; }
  bool is_manager() const override { return manager_; }
  std::string error() const override { return ""; }
  std::string node_id() const override { return membership_.node_id; }
  std::string advertise_addr() const override { return membership_.advertise_addr; }
  api::NodeDescription description() const override {
    api::NodeDescription d;
    d.Hostname = "host-1";
    d.Platform = {"x86_64", "linux"};
    d.Resources.NanoCPUs = 2'000'000'000;
    d.Resources.MemoryBytes = 4LL << 30;
    d.Engine.EngineVersion = "0.1.0";
    return d;
  }
  std::string engine_id() const override { return "ENGINE-ID"; }
  std::string data_dir() const override { return "/var/lib/shoal"; }
  Result<std::string> resolve_ip(std::string_view host) const override {
    if (host.empty() || host == "eth0") return std::string("192.168.1.10");
    return ::shoal::error(Code::kInvalidArgument, "no such interface");
  }
  Status on_joined(const Membership& membership) override {
    if (!fail_join_.is_ok()) return fail_join_;
    membership_ = membership;
    state_ = api::LocalNodeState::kActive;
    manager_ = true;
    ++joins;
    return Status::ok();
  }
  Status on_leaving() override {
    membership_ = {};
    state_ = api::LocalNodeState::kInactive;
    manager_ = false;
    key_.clear();
    ++leaves;
    return Status::ok();
  }
  std::string unlock_key() const override { return key_; }
  Status set_unlock_key(std::string key) override {
    key_ = std::move(key);
    return Status::ok();
  }
  Status save_certificates(const ca::NodeCerts& certs) override {
    certs_ = certs;
    return Status::ok();
  }
  Status remove_certificates() override {
    certs_.reset();
    return Status::ok();
  }
  Status unlock(std::string_view key) override {
    if (key != key_) {
      return Status(Code::kUnauthenticated, "swarm could not be unlocked: invalid key provided");
    }
    state_ = api::LocalNodeState::kActive;
    return Status::ok();
  }

  // Test controls.
  void set_state(api::LocalNodeState state, bool manager) {
    state_ = state;
    manager_ = manager;
  }
  void fail_join(Status status) { fail_join_ = std::move(status); }
  int joins = 0;
  int leaves = 0;
  Membership membership_;
  std::optional<ca::NodeCerts> certs_;  // what save_certificates got last

 private:
  api::LocalNodeState state_ = api::LocalNodeState::kInactive;
  bool manager_ = false;
  std::string key_;
  Status fail_join_;
};

// Deterministic bytes.
inline RandomBytes seeded_random(uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng](size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>((*rng)() & 0xff);
    return out;
  };
}

class ControlApiTest : public ::testing::Test {
 protected:
  ControlApiTest() {
    auto ds = std::make_unique<store::MemoryDatastore>(disk_);
    ds_ = ds.get();
    auto opened = store::Store::open(std::move(ds), clock_);
    EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    ctx_ = std::make_unique<Context>(*store_, *clock_, ids_, local_, seeded_random(7));
  }

  // A swarm as `docker swarm init` makes it; returns this node's ID.
  std::string init() {
    api::InitRequest request;
    request.ListenAddr = "0.0.0.0:2377";
    auto id = init_swarm(*ctx_, request);
    EXPECT_TRUE(id.is_ok()) << id.status().to_string();
    return id.is_ok() ? *id : "";
  }

  uint64_t revision() const { return store_->revision(); }
  Context& ctx() { return *ctx_; }

  std::shared_ptr<store::MemoryDatastore::Disk> disk_ =
      std::make_shared<store::MemoryDatastore::Disk>();
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(kStartNanos));
  store::MemoryDatastore* ds_ = nullptr;
  std::unique_ptr<store::Store> store_;
  IdGenerator ids_{42};
  FakeLocalNode local_;
  std::unique_ptr<Context> ctx_;
};

// Expects `status` to fail with `code` and exactly `message`.
#define EXPECT_ERROR(expr, code_, message_)            \
  do {                                                 \
    ::shoal::Status st_ = (expr);                      \
    EXPECT_EQ(st_.code(), (code_)) << st_.to_string(); \
    EXPECT_EQ(st_.message(), (message_));              \
  } while (0)

}  // namespace shoal::manager::controlapi::testing
