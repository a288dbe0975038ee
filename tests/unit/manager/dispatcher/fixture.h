// A store over a MemoryDatastore with a manual clock, and builders for the nodes, tasks,
// secrets and configs dispatcher tests need.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/datastore/memory.h"
#include "store/store.h"
#include "support/eventually.h"

namespace shoal::manager::dispatcher::testing {

using namespace std::chrono_literals;

inline constexpr int64_t kStartNanos = 1'700'000'000'000'000'000;

using ::shoal::testing::eventually;

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ds = std::make_unique<store::MemoryDatastore>();
    ds_ = ds.get();
    auto opened = store::Store::open(std::move(ds), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
  }

  void write(const std::function<Status(store::WriteTxn&)>& fn) {
    Status s = store_->update(fn);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  template <typename T>
  std::shared_ptr<const T> get(std::string_view id) {
    return store_->view().template get<T>(id);
  }

  void add_node(const std::string& id, api::NodeState state = api::NodeState::kUnknown) {
    api::Node node;
    node.ID = id;
    node.Spec.Role = api::NodeRole::kManager;
    node.Spec.Availability = api::NodeAvailability::kActive;
    node.Status.State = state;
    write([&](store::WriteTxn& tx) { return tx.create(node); });
  }

  // A spec using the given secrets and configs (by ID).
  static std::shared_ptr<const api::TaskSpec> spec(std::vector<std::string> secrets = {},
                                                   std::vector<std::string> configs = {},
                                                   api::StringMap labels = {}) {
    auto s = std::make_shared<api::TaskSpec>();
    s->ContainerSpec.emplace();
    s->ContainerSpec->Image = "busybox";
    s->ContainerSpec->Labels = std::move(labels);
    for (auto& id : secrets) {
      api::SecretReference ref;
      ref.SecretID = id;
      ref.SecretName = "secret-" + id;
      s->ContainerSpec->Secrets.push_back(ref);
    }
    for (auto& id : configs) {
      api::ConfigReference ref;
      ref.ConfigID = id;
      ref.ConfigName = "config-" + id;
      s->ContainerSpec->Configs.push_back(ref);
    }
    return s;
  }

  static api::Task make_task(const std::string& id, const std::string& node,
                             api::TaskState state = api::TaskState::kAssigned,
                             std::shared_ptr<const api::TaskSpec> s = spec()) {
    api::Task t;
    t.ID = id;
    t.ServiceID = "svc";
    t.NodeID = node;
    t.Spec = std::move(s);
    t.DesiredState = api::TaskState::kRunning;
    t.Status.State = state;
    return t;
  }

  void add_task(const api::Task& t) {
    write([&](store::WriteTxn& tx) { return tx.create(t); });
  }

  // Applies fn to a copy of task `id` and writes it.
  void change_task(const std::string& id, const std::function<void(api::Task&)>& fn) {
    write([&](store::WriteTxn& tx) {
      auto current = tx.get<api::Task>(id);
      if (!current) return Status(Code::kNotFound, "no task " + id);
      api::Task t = *current;
      fn(t);
      return tx.update(t);
    });
  }

  void add_secret(const std::string& id) {
    api::Secret s;
    s.ID = id;
    s.Spec.Name = "secret-" + id;
    s.Spec.Data = api::Bytes(std::string("value-") + id);
    write([&](store::WriteTxn& tx) { return tx.create(s); });
  }

  void add_config(const std::string& id) {
    api::Config c;
    c.ID = id;
    c.Spec.Name = "config-" + id;
    write([&](store::WriteTxn& tx) { return tx.create(c); });
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(kStartNanos));
  store::MemoryDatastore* ds_ = nullptr;  // owned by store_
  std::unique_ptr<store::Store> store_;
};

}  // namespace shoal::manager::dispatcher::testing
