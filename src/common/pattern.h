// Regular expressions for text that requests control: RE2, the engine behind Go's regexp
// (so Docker's filter patterns mean the same here). Matching is linear in the input, uses
// no stack recursion and bounded memory, so neither a long or deeply nested pattern nor
// a pathological one such as `^(a|a)*$` can crash the daemon or pin a core.
//
// Thread safety: a compiled Pattern is immutable; copies share it and may be used from
// any thread.
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"

namespace re2 {
class RE2;
}

namespace shoal {

class Pattern {
 public:
  // Longest pattern a request may send; a longer one is refused before compiling.
  static constexpr size_t kMaxLength = 1024;
  // Memory RE2 may use for one compiled pattern (its default is 8 MiB).
  static constexpr int64_t kMaxProgramBytes = 1 << 20;

  // Compiles `pattern` in Go's regexp syntax. Errors: kInvalidArgument naming the pattern
  // when it is longer than kMaxLength, does not parse, or needs more than
  // kMaxProgramBytes.
  static Result<Pattern> compile(std::string_view pattern);

  // True when the pattern matches some part of `text` (Go's regexp.MatchString).
  bool search(std::string_view text) const;
  // True when the pattern matches all of `text`.
  bool full_match(std::string_view text) const;

  // For patterns written in the code, not taken from a request: compiles or aborts (a
  // pattern of ours that does not compile is a programming error). Keep the result in a
  // function-local static.
  static Pattern must(std::string_view pattern);

  const re2::RE2& re2() const { return *re_; }

 private:
  explicit Pattern(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace shoal
