// DependencyStore: the secrets and configs the dispatcher assigned to this node, as the
// worker keeps them for the executor (DependencyGetter). Values live in memory only
// (secrets never touch the agent's disk).
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agent/executor.h"
#include "common/mutex.h"

namespace shoal::agent {

class DependencyStore final : public DependencyGetter {
 public:
  std::shared_ptr<const api::Secret> secret(std::string_view id) const override {
    MutexLock lock(mu_);
    auto it = secrets_.find(std::string(id));
    return it != secrets_.end() ? it->second : nullptr;
  }
  std::shared_ptr<const api::Config> config(std::string_view id) const override {
    MutexLock lock(mu_);
    auto it = configs_.find(std::string(id));
    return it != configs_.end() ? it->second : nullptr;
  }

  // Forgets everything (before a complete assignment set).
  void clear() {
    MutexLock lock(mu_);
    secrets_.clear();
    configs_.clear();
  }
  void put(std::shared_ptr<const api::Secret> secret) {
    MutexLock lock(mu_);
    secrets_[secret->ID] = std::move(secret);
  }
  void put(std::shared_ptr<const api::Config> config) {
    MutexLock lock(mu_);
    configs_[config->ID] = std::move(config);
  }
  void remove_secret(const std::string& id) {
    MutexLock lock(mu_);
    secrets_.erase(id);
  }
  void remove_config(const std::string& id) {
    MutexLock lock(mu_);
    configs_.erase(id);
  }
  size_t secret_count() const {
    MutexLock lock(mu_);
    return secrets_.size();
  }
  size_t config_count() const {
    MutexLock lock(mu_);
    return configs_.size();
  }

 private:
  mutable Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const api::Secret>> secrets_ GUARDED_BY(mu_);
  std::unordered_map<std::string, std::shared_ptr<const api::Config>> configs_ GUARDED_BY(mu_);
};

}  // namespace shoal::agent
