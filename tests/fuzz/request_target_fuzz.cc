// A request-target as the server core reads it (prepare_request): the /vX.Y prefix and its
// version check, the path decoded and matched against route patterns of each shape the
// engine uses, and the query string decoded.
#include "fuzz_decode.h"
#include "http/api_version.h"
#include "http/router.h"
#include "http/server_core.h"

namespace {

const shoal::http::Router& routes() {
  static const shoal::http::Router* router = [] {
    auto* r = new shoal::http::Router;
    auto handler = [](shoal::http::Request&) -> shoal::Result<shoal::http::Response> {
      return shoal::http::Response::empty(200);
    };
    for (const char* pattern :
         {"/services", "/services/create", "/services/{id}", "/services/{id}/update",
          "/nodes/{id}/update", "/distribution/{name:.*}/json", "/images/{name:.*}/json",
          "/images/{name:.*}", "/tasks/{id}/logs"}) {
      shoal::fuzz::check(r->add(shoal::http::Method::kGet, pattern, handler).is_ok(),
                         "route pattern refused", pattern);
    }
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace http = shoal::http;
  const std::string_view target = shoal::fuzz::as_text(data, size);
  http::PreparedRequest prepared =
      http::prepare_request(routes(), http::Method::kGet, target, http::Headers());
  shoal::fuzz::check(prepared.route != nullptr || prepared.early.has_value(),
                     "neither a route nor an early answer", target);
  (void)http::compare_api_versions(prepared.request.api_version, "1.41");
  return 0;
}
