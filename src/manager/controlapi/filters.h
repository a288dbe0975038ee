// The matching rules list calls share (swarmkit controlapi/common.go): empty criteria match
// everything; prefixes match when any one does; labels match when every wanted label is
// present and, where a value is given, equal.
//
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"

namespace shoal::manager::controlapi {

// Wanted labels: key → value, where "" means "the key is present with any value".
using LabelFilter = api::StringMap;

// True when `candidates` is empty or `value` starts with one of them.
inline bool match_prefixes(std::string_view value, const std::vector<std::string>& candidates) {
  if (candidates.empty()) return true;
  return std::any_of(candidates.begin(), candidates.end(),
                     [&](const std::string& c) { return value.starts_with(c); });
}

// True when `candidates` is empty or `value` equals one of them.
inline bool match_exact(std::string_view value, const std::vector<std::string>& candidates) {
  if (candidates.empty()) return true;
  return std::find(candidates.begin(), candidates.end(), value) != candidates.end();
}

// True when every wanted label is in `labels` (with the wanted value, unless that is "").
inline bool match_labels(const api::StringMap& labels, const LabelFilter& wanted) {
  for (const auto& [key, value] : wanted) {
    auto it = labels.find(key);
    if (it == labels.end()) return false;
    if (!value.empty() && it->second != value) return false;
  }
  return true;
}

}  // namespace shoal::manager::controlapi
