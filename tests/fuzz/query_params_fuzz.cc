// A raw query string as the server core decodes it, then every query-parameter reader of the
// engine routes on it: version, Go and moby booleans, integers, since, until.
#include "fuzz_decode.h"
#include "http/engine/params.h"
#include "http/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace http = shoal::http;
  namespace engine = shoal::http::engine;
  http::Request req;
  shoal::Status query_error;
  req.query = http::QueryParams::parse(shoal::fuzz::as_text(data, size), &query_error);
  for (std::string_view kind : {"service", "node", "swarm", "secret"}) {
    (void)engine::version_param(req, kind);
  }
  for (const char* name : {"status", "insertDefaults", "rotateWorkerToken", "force"}) {
    (void)engine::go_bool_param(req, name);
    (void)req.query.get_bool(name);
    (void)req.query.get_bool_or(name, true);
  }
  (void)req.query.get_int("tail", -1);
  (void)req.query.values("filters");
  (void)engine::parse_since(req.query.value("since"));
  (void)engine::parse_until(req.query.value("until"));
  (void)engine::filters_param(req, {"name", "id", "label"});
  (void)http::percent_decode(shoal::fuzz::as_text(data, size), true);
  return 0;
}
