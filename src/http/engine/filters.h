// The `filters` query parameter of Docker's list routes (moby api/types/filters):
// `{"key":{"value":true,...},...}`, or the legacy `{"key":["value",...]}`, URL-decoded
// already. Each list route accepts its own keys (docker-cli-api.md §3.2); an unknown key is
// 400 `invalid filter '<key>'`.
//
// Thread safety: values.
#pragma once

#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "common/pattern.h"
#include "common/status.h"

namespace shoal::http::engine {

class Filters {
 public:
  // Parses the parameter's value ("" = no filters). Errors: kInvalidArgument "invalid
  // filter" for text that is neither form (moby's text).
  static Result<Filters> parse(std::string_view json);

  // OK when every key is in `accepted`; else kInvalidArgument "invalid filter '<key>'".
  Status validate(std::initializer_list<std::string_view> accepted) const;

  bool contains(std::string_view key) const { return fields_.contains(std::string(key)); }
  // The values of `key`, sorted; empty when absent.
  std::vector<std::string> get(std::string_view key) const;
  // The values of `key` as labels: "k=v" → k: v, "k" (or "k=") → k: "" (any value).
  api::StringMap labels(std::string_view key) const;
  // Compiles the values of `key` as regular expressions (Go's syntax, through RE2) for
  // match(). Errors: kInvalidArgument naming the pattern when one is longer than
  // Pattern::kMaxLength or does not compile (moby skips such a pattern silently; a 400
  // tells the client why nothing would match).
  Status compile_patterns(std::string_view key);
  // moby Args.Match: a value equal to `source`, or one that as a regular expression
  // matches part of it. True when the key is absent. Only values compiled by
  // compile_patterns(key) match as patterns; without it, only equal values match.
  bool match(std::string_view key, std::string_view source) const;
  // moby Args.ExactMatch: true when the key is absent or `source` is one of its values.
  bool exact_match(std::string_view key, std::string_view source) const;

  size_t size() const { return fields_.size(); }
  void add(std::string key, std::string value) { fields_[std::move(key)].insert(std::move(value)); }

 private:
  std::map<std::string, std::set<std::string>> fields_;
  std::map<std::string, std::vector<Pattern>, std::less<>> patterns_;
};

}  // namespace shoal::http::engine
