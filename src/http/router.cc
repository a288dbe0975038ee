#include "http/router.h"

#include <algorithm>

namespace shoal::http {

// One segment of a route pattern. Outside the anonymous namespace: Router::Compiled, declared
// in the header, holds them.
enum class RouteSegmentKind { kLiteral = 0, kParam = 1, kGreedy = 2 };

struct RouteSegment {
  RouteSegmentKind kind;
  std::string text;  // the literal, or the parameter name
};

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  // REQUIRES: path starts with '/'. "/a/b" → {"a","b"}; "/" → {""}; "/a/" → {"a",""}.
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

Result<std::vector<RouteSegment>> compile(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '/') {
    return error(Code::kInvalidArgument, "route pattern \"{}\" must start with '/'", pattern);
  }
  std::vector<RouteSegment> segs;
  bool greedy_seen = false;
  for (std::string_view s : split_path(pattern)) {
    if (s.empty() || s.front() != '{') {
      if (s.find_first_of("{}") != std::string_view::npos) {
        return error(Code::kInvalidArgument, "route pattern \"{}\": '{{' must open a segment",
                     pattern);
      }
      segs.push_back({RouteSegmentKind::kLiteral, std::string(s)});
      continue;
    }
    if (s.back() != '}' || s.size() < 3) {
      return error(Code::kInvalidArgument, "route pattern \"{}\": bad parameter \"{}\"", pattern,
                   s);
    }
    std::string_view inner = s.substr(1, s.size() - 2);
    RouteSegmentKind kind = RouteSegmentKind::kParam;
    if (size_t colon = inner.find(':'); colon != std::string_view::npos) {
      if (inner.substr(colon + 1) != ".*") {
        return error(Code::kInvalidArgument,
                     "route pattern \"{}\": only the greedy form {{name:.*}} is supported",
                     pattern);
      }
      if (greedy_seen) {
        return error(Code::kInvalidArgument, "route pattern \"{}\": more than one greedy segment",
                     pattern);
      }
      greedy_seen = true;
      kind = RouteSegmentKind::kGreedy;
      inner = inner.substr(0, colon);
    }
    if (inner.empty() || inner.find_first_of("{}/") != std::string_view::npos) {
      return error(Code::kInvalidArgument, "route pattern \"{}\": bad parameter name", pattern);
    }
    for (const RouteSegment& seg : segs) {
      if (seg.kind != RouteSegmentKind::kLiteral && seg.text == inner) {
        return error(Code::kInvalidArgument, "route pattern \"{}\": parameter \"{}\" used twice",
                     pattern, inner);
      }
    }
    segs.push_back({kind, std::string(inner)});
  }
  return segs;
}

}  // namespace

struct Router::Compiled {
  Route route;
  std::vector<RouteSegment> segments;
  size_t greedy_at = SIZE_MAX;  // index of the greedy segment, SIZE_MAX when none

  // Matches decoded path segments; fills `params` on success.
  bool match(const std::vector<std::string>& path,
             std::vector<std::pair<std::string, std::string>>* params) const {
    params->clear();
    if (greedy_at == SIZE_MAX) {
      if (path.size() != segments.size()) return false;
      for (size_t i = 0; i < path.size(); ++i) {
        if (!match_one(segments[i], path[i], params)) return false;
      }
      return true;
    }
    // Prefix and suffix each take one path segment per pattern segment, so the greedy
    // segment's span (the longest and only one possible) is what lies between them.
    size_t suffix = segments.size() - greedy_at - 1;
    if (path.size() < greedy_at + 1 + suffix) return false;
    for (size_t i = 0; i < greedy_at; ++i) {
      if (!match_one(segments[i], path[i], params)) return false;
    }
    for (size_t j = 0; j < suffix; ++j) {
      if (!match_one(segments[greedy_at + 1 + j], path[path.size() - suffix + j], params)) {
        return false;
      }
    }
    std::string joined;
    for (size_t i = greedy_at; i < path.size() - suffix; ++i) {
      if (i > greedy_at) joined.push_back('/');
      joined += path[i];
    }
    params->emplace_back(segments[greedy_at].text, std::move(joined));
    return true;
  }

  static bool match_one(const RouteSegment& seg, const std::string& value,
                        std::vector<std::pair<std::string, std::string>>* params) {
    if (seg.kind == RouteSegmentKind::kLiteral) return seg.text == value;
    params->emplace_back(seg.text, value);
    return true;
  }

  // Negative when this route is more specific than `other` (see the header).
  int compare_specificity(const Compiled& other) const {
    size_t n = std::min(segments.size(), other.segments.size());
    for (size_t i = 0; i < n; ++i) {
      int a = static_cast<int>(segments[i].kind);
      int b = static_cast<int>(other.segments[i].kind);
      if (a != b) return a - b;
    }
    return 0;
  }
};

Router::Router() = default;
Router::~Router() = default;

Status Router::add(Method method, std::string_view pattern, Handler handler, RouteOptions options) {
  if (!handler) return error(Code::kInvalidArgument, "route {}: empty handler", pattern);
  return add_route(Route{method, std::string(pattern), std::move(handler), nullptr, options});
}

Status Router::add_stream(Method method, std::string_view pattern, StreamHandler handler,
                          RouteOptions options) {
  if (!handler) return error(Code::kInvalidArgument, "route {}: empty handler", pattern);
  return add_route(Route{method, std::string(pattern), nullptr, std::move(handler), options});
}

Status Router::add_route(Route route) {
  SHOAL_ASSIGN_OR_RETURN(std::vector<RouteSegment> segs, compile(route.pattern));
  for (const auto& r : routes_) {
    if (r->route.method == route.method && r->route.pattern == route.pattern) {
      return error(Code::kInvalidArgument, "route {} {} registered twice",
                   method_name(route.method), route.pattern);
    }
  }
  auto c = std::make_unique<Compiled>();
  c->route = std::move(route);
  c->segments = std::move(segs);
  for (size_t i = 0; i < c->segments.size(); ++i) {
    if (c->segments[i].kind == RouteSegmentKind::kGreedy) c->greedy_at = i;
  }
  routes_.push_back(std::move(c));
  return Status::ok();
}

std::optional<RouteMatch> Router::match(Method method, std::string_view path) const {
  if (path.empty() || path[0] != '/') return std::nullopt;
  std::vector<std::string> decoded;
  for (std::string_view seg : split_path(path)) {
    auto d = percent_decode(seg, /*plus_is_space=*/false);
    if (!d) return std::nullopt;
    decoded.push_back(std::move(*d));
  }
  const Compiled* best = nullptr;
  std::vector<std::pair<std::string, std::string>> params, best_params;
  for (const auto& r : routes_) {
    if (r->route.method != method) continue;
    if (!r->match(decoded, &params)) continue;
    if (best == nullptr || r->compare_specificity(*best) < 0) {
      best = r.get();
      best_params = std::move(params);
    }
  }
  if (best == nullptr) return std::nullopt;
  return RouteMatch{&best->route, std::move(best_params)};
}

size_t Router::size() const { return routes_.size(); }

}  // namespace shoal::http
