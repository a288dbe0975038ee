#include "common/pattern.h"

#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>

namespace shoal {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);  // errors reach the caller as a Status, not stderr
  o.set_max_mem(Pattern::kMaxProgramBytes);
  return o;
}

}  // namespace

Result<Pattern> Pattern::compile(std::string_view pattern) {
  if (pattern.size() > kMaxLength) {
    return error(Code::kInvalidArgument, "invalid regular expression: longer than {} characters",
                 kMaxLength);
  }
  auto re =
      std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options());
  if (!re->ok()) {
    return error(Code::kInvalidArgument, "invalid regular expression \"{}\": {}", pattern,
                 re->error());
  }
  return Pattern(std::move(re));
}

Pattern Pattern::must(std::string_view pattern) {
  Result<Pattern> p = compile(pattern);
  if (!p.is_ok()) {
    std::fprintf(stderr, "shoal: built-in pattern does not compile: %s\n",
                 p.status().message().c_str());
    std::abort();
  }
  return std::move(p).value();
}

bool Pattern::search(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Pattern::full_match(std::string_view text) const {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace shoal
