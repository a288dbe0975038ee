// The one HTTP router: method + path pattern → handler.
//
// Modules register their routes (src/http/engine/ for the Docker API, later osd/ and ui/);
// the server core only asks the router for a match and knows no handler.
//
// Patterns are '/'-separated segments, each one of
//   literal       "services"         matches exactly that segment
//   parameter     "{id}"             matches one whole segment (no '/'), may be empty
//   greedy        "{name:.*}"        matches one or more segments joined with '/', so raw
//                                    '/', ':' and '@' are kept: the docker CLI sends
//                                    /distribution/localhost:5000/foo/bar:latest/json
// A greedy segment may be followed by literal or parameter segments; it takes the longest
// span that lets them match (Go regexp `.*`, as moby's gorilla/mux route does).
//
// Paths are matched after the server strips the /vX.Y prefix; each path segment is
// percent-decoded after splitting on '/', so an encoded %2F stays inside one parameter.
// When several patterns match, the most specific wins, segment by segment from the left:
// literal before parameter before greedy (so "/services/create" beats "/services/{id}").
// A path that matches with another method only is "not found" (moby answers 404 for both).
//
// Thread safety: add() is not synchronised: register every route before the server starts.
// After that the router is read-only and match() may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/request.h"
#include "http/response.h"

namespace shoal::http {

struct RouteOptions {
  // Largest request body accepted; a larger one is answered 413 and the connection closed.
  // JSON bodies are small; `docker load` routes raise it.
  size_t max_body_bytes = 64u << 20;
};

struct Route {
  Method method;
  std::string pattern;
  Handler handler;  // exactly one of handler / stream_handler is set
  StreamHandler stream_handler;
  RouteOptions options;

  bool is_stream() const { return static_cast<bool>(stream_handler); }
};

struct RouteMatch {
  const Route* route = nullptr;  // owned by the Router
  std::vector<std::pair<std::string, std::string>> params;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers a plain handler. kInvalidArgument for a malformed pattern (not starting
  // with '/', an unclosed '{', an unknown "{x:regex}" form, a parameter name used twice,
  // more than one greedy segment) or when (method, pattern) is already registered.
  Status add(Method method, std::string_view pattern, Handler handler, RouteOptions options = {});
  // Registers a streaming handler; errors as add().
  Status add_stream(Method method, std::string_view pattern, StreamHandler handler,
                    RouteOptions options = {});

  // The best route for `method` and the (version-stripped, still percent-encoded) `path`,
  // with its decoded parameters; nullopt when none matches. A segment with a malformed
  // escape matches nothing.
  std::optional<RouteMatch> match(Method method, std::string_view path) const;

  size_t size() const;

  // Runs before every plain handler: a response it returns is the answer and the handler is
  // not called (a follower manager answers writes with its leader's response). Set before
  // the server starts.
  using Interceptor = std::function<std::optional<Response>(Request&)>;
  void set_interceptor(Interceptor interceptor) { interceptor_ = std::move(interceptor); }
  const Interceptor& interceptor() const { return interceptor_; }

 private:
  struct Compiled;
  Status add_route(Route route);

  std::vector<std::unique_ptr<Compiled>> routes_;
  Interceptor interceptor_;
};

}  // namespace shoal::http
