// The agent's secrets and configs for the runtime's tests: maps a test fills.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "agent/executor.h"

namespace shoal::runtime::testing {

class FakeDeps final : public agent::DependencyGetter {
 public:
  std::map<std::string, std::shared_ptr<const api::Secret>, std::less<>> secrets;
  std::map<std::string, std::shared_ptr<const api::Config>, std::less<>> configs;
  std::shared_ptr<const api::Secret> secret(std::string_view id) const override {
    auto it = secrets.find(id);
    return it == secrets.end() ? nullptr : it->second;
  }
  std::shared_ptr<const api::Config> config(std::string_view id) const override {
    auto it = configs.find(id);
    return it == configs.end() ? nullptr : it->second;
  }
};

}  // namespace shoal::runtime::testing
