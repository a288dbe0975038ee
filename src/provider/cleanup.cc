#include "provider/cleanup.h"

#include <algorithm>

namespace shoal::provider {
namespace {

int rank(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kPid:
      return 0;
    case ResourceKind::kMount:
      return 1;
    case ResourceKind::kNetns:
      return 2;
    case ResourceKind::kVeth:
      return 3;
    case ResourceKind::kBridge:
      return 4;
    case ResourceKind::kNftTable:
      return 5;
    case ResourceKind::kDir:
      return 6;
  }
  return 7;
}

}  // namespace

std::vector<CleanupStep> plan_cleanup(const ClusterState& state,
                                      const std::optional<std::string>& machine) {
  std::vector<CleanupStep> steps;
  for (auto it = state.made.rbegin(); it != state.made.rend(); ++it) {
    if (machine && it->machine != *machine) continue;
    bool seen = std::any_of(steps.begin(), steps.end(),
                            [&](const CleanupStep& s) { return s.resource == *it; });
    if (!seen) steps.push_back({*it});
  }
  std::stable_sort(steps.begin(), steps.end(), [](const CleanupStep& a, const CleanupStep& b) {
    return rank(a.resource.kind) < rank(b.resource.kind);
  });
  return steps;
}

bool forget(ClusterState& state, const Resource& r) {
  auto before = state.made.size();
  std::erase(state.made, r);
  return state.made.size() != before;
}

}  // namespace shoal::provider
