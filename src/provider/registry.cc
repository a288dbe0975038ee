#include <fmt/format.h>
#include <fmt/ranges.h>

#include "provider/provider.h"

namespace shoal::provider {

void ProviderRegistry::add(std::string name, Factory factory) {
  factories_[std::move(name)] = std::move(factory);
}

Result<std::unique_ptr<Provider>> ProviderRegistry::create(const std::string& name) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    return error(Code::kNotFound, "provider \"{}\" does not exist (known: {})", name,
                 fmt::join(names(), ", "));
  }
  return it->second();
}

std::vector<std::string> ProviderRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : factories_) out.push_back(name);
  return out;
}

}  // namespace shoal::provider
