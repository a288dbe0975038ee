// The ?filters= parameter of the list routes: parsed, checked against a route's keys, and
// read the ways the routes read it (values, labels, exact and pattern matches).
#include "fuzz_decode.h"
#include "http/engine/filters.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using shoal::http::engine::Filters;
  auto filters = Filters::parse(shoal::fuzz::as_text(data, size));
  if (!filters.is_ok()) {
    shoal::fuzz::check(filters.status().code() == shoal::Code::kInvalidArgument,
                       "filters error is not a 400", filters.status().to_string());
    return 0;
  }
  (void)filters->validate({"name", "id", "label", "mode", "runtime"});
  for (const char* key : {"name", "id", "label", "node", "desired-state"}) {
    (void)filters->get(key);
    (void)filters->labels(key);
    (void)filters->exact_match(key, "web-1");
    (void)filters->match(key, "web-1");
  }
  return 0;
}
