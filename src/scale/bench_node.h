// BenchNode: the controlapi::LocalNode of a scale run's manager — a process that is a
// swarm's only manager and runs no tasks itself. It keeps the membership swarm init hands
// it in memory (the run's data dir is thrown away) and answers the address questions with
// the loopback address; starting the manager's loops is the run's job (scale_run.h), since
// it also decides when.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "common/mutex.h"
#include "manager/controlapi/local_node.h"

namespace shoal::scale {

class BenchNode final : public manager::controlapi::LocalNode {
 public:
  explicit BenchNode(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  api::LocalNodeState state() const override {
    MutexLock lock(mu_);
    return joined_ ? api::LocalNodeState::kActive : api::LocalNodeState::kInactive;
  }
  bool is_manager() const override { return state() == api::LocalNodeState::kActive; }
  std::string error() const override { return ""; }
  std::string node_id() const override {
    MutexLock lock(mu_);
    return membership_.node_id;
  }
  std::string advertise_addr() const override {
    MutexLock lock(mu_);
    return membership_.advertise_addr;
  }
  api::NodeDescription description() const override {
    api::NodeDescription d;
    d.Hostname = "shoal-bench-manager";
    d.Platform.OS = "linux";
    d.Platform.Architecture = "x86_64";
    return d;
  }
  std::string engine_id() const override { return "shoal-bench"; }
  std::string data_dir() const override { return data_dir_; }
  Result<std::string> resolve_ip(std::string_view) const override {
    return std::string("127.0.0.1");
  }

  Status on_joined(const manager::controlapi::Membership& membership) override {
    MutexLock lock(mu_);
    membership_ = membership;
    joined_ = true;
    return Status::ok();
  }
  Status on_leaving() override {
    MutexLock lock(mu_);
    joined_ = false;
    membership_ = {};
    return Status::ok();
  }

  std::string unlock_key() const override { return ""; }
  Status set_unlock_key(std::string) override {
    return Status(Code::kUnimplemented, "a scale run does not lock its swarm");
  }
  Status unlock(std::string_view) override {
    return Status(Code::kUnimplemented, "a scale run does not lock its swarm");
  }

 private:
  const std::string data_dir_;
  mutable Mutex mu_;
  bool joined_ GUARDED_BY(mu_) = false;
  manager::controlapi::Membership membership_ GUARDED_BY(mu_);
};

}  // namespace shoal::scale
