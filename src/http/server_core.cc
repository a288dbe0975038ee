#include "http/server_core.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "common/mutex.h"
#include "http/api_version.h"

namespace shoal::http {

PreparedRequest prepare_request(const Router& router, Method method, std::string_view target,
                                Headers headers) {
  PreparedRequest p;
  Request& r = p.request;
  r.method = method;
  r.target = std::string(target);
  r.headers = std::move(headers);

  std::string_view raw_path = target.substr(0, target.find('?'));
  std::string_view raw_query;
  if (size_t q = target.find('?'); q != std::string_view::npos) raw_query = target.substr(q + 1);

  std::string_view rest;
  std::string_view version = split_version_prefix(raw_path, &rest);
  r.api_version = version.empty() ? std::string(kApiVersion) : std::string(version);
  r.path = percent_decode(rest, false).value_or(std::string(rest));
  r.query = QueryParams::parse(raw_query);

  std::optional<RouteMatch> match = router.match(method, rest);
  if (!match) {
    p.early = Response::error(404, "page not found");
    return p;
  }
  // As moby's VersionMiddleware: only a matched route checks the version.
  if (Status st = check_api_version(r.api_version); !st.is_ok()) {
    p.early = Response::error(st);
    return p;
  }
  p.route = match->route;
  p.max_body_bytes = match->route->options.max_body_bytes;
  r.pattern = match->route->pattern;
  r.params = std::move(match->params);
  return p;
}

Response invoke_handler(const Route& route, Request& request) {
  try {
    Result<Response> result = route.handler(request);
    if (!result.is_ok()) {
      Status st = result.status();
      if (http_status(st.code()) >= 500) {
        spdlog::error("handler for {} {} returned error: {}", method_name(request.method),
                      request.path, st.to_string());
      }
      return Response::error(st);
    }
    return std::move(result).value();
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", method_name(request.method), request.path,
                  e.what());
    return Response::error(500, std::string("internal error: ") + e.what());
  } catch (...) {
    spdlog::error("handler for {} {} threw", method_name(request.method), request.path);
    return Response::error(500, "internal error");
  }
}

Response serve_request(const Router& router, const Route& route, Request& request) {
  if (const Router::Interceptor& intercept = router.interceptor()) {
    if (std::optional<Response> answer = intercept(request)) return std::move(*answer);
  }
  return invoke_handler(route, request);
}

Response serve_in_process(const Router& router, Method method, std::string_view target,
                          Headers headers, std::string body) {
  PreparedRequest p = prepare_request(router, method, target, std::move(headers));
  if (p.early) return std::move(*p.early);
  if (p.route->is_stream()) {
    return Response::error(501, "a streaming request cannot be forwarded to another manager");
  }
  if (body.size() > p.max_body_bytes) return Response::error(413, "request body too large");
  p.request.body = std::move(body);
  return serve_request(router, *p.route, p.request);
}

Status invoke_stream_handler(const Route& route, Request& request, ResponseStream& stream) {
  try {
    Status st = route.stream_handler(request, stream);
    if (!st.is_ok() && http_status(st.code()) >= 500) {
      spdlog::error("stream handler for {} {} returned error: {}", method_name(request.method),
                    request.path, st.to_string());
    }
    return st;
  } catch (const std::exception& e) {
    spdlog::error("stream handler for {} {} threw: {}", method_name(request.method), request.path,
                  e.what());
    return Status(Code::kInternal, std::string("internal error: ") + e.what());
  } catch (...) {
    spdlog::error("stream handler for {} {} threw", method_name(request.method), request.path);
    return Status(Code::kInternal, "internal error");
  }
}

std::vector<std::pair<std::string, std::string>> common_headers(const ServerOptions& options) {
  return {
      {"Api-Version", std::string(kApiVersion)},
      {"Docker-Experimental", "false"},
      {"Ostype", "linux"},
      {"Server", "shoal/" + options.version + " (linux)"},
  };
}

// ---- ServerCore ---------------------------------------------------------------------------

ServerCore::ServerCore(const Router& router, const ServerOptions& options)
    : router_(router),
      options_(options),
      headers_(common_headers(options)),
      workers_(WorkerPool::Options{options.max_workers, options.worker_idle_timeout, "http"}) {}

bool ServerCore::add_connection(ConnectionBase* connection, std::weak_ptr<ConnectionBase> handle) {
  MutexLock lock(mu_);
  if (stopping_) return false;
  live_.emplace(connection, std::move(handle));
  return true;
}

void ServerCore::remove_connection(ConnectionBase* connection) {
  {
    MutexLock lock(mu_);
    live_.erase(connection);
  }
  cv_.notify_all();
}

size_t ServerCore::connections() const {
  MutexLock lock(mu_);
  return live_.size();
}

void ServerCore::shutdown_connections() {
  std::vector<std::shared_ptr<ConnectionBase>> live;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    for (auto& [ptr, weak] : live_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->shutdown();
}

bool ServerCore::stopping() const {
  MutexLock lock(mu_);
  return stopping_;
}

bool ServerCore::wait_no_connections(std::chrono::steady_clock::time_point deadline) {
  MutexLock lock(mu_);
  return cv_.wait_until(lock, deadline, [&]() REQUIRES(mu_) { return live_.empty(); });
}

// ---- StreamChannel ------------------------------------------------------------------------

StreamChannel::StreamChannel(std::stop_source stop, std::function<void()> wake)
    : stop_(std::move(stop)), wake_(std::move(wake)) {}

bool StreamChannel::begin(int status, Headers headers) {
  {
    MutexLock lock(mu_);
    if (cancelled_ || begun_ || stop_.stop_requested()) return false;
    begun_ = true;
    status_ = status;
    headers_ = std::move(headers);
  }
  wake_();
  return true;
}

bool StreamChannel::write(std::string_view data) {
  bool need_begin = false;
  {
    MutexLock lock(mu_);
    if (cancelled_ || stop_.stop_requested()) return false;
    need_begin = !begun_;
  }
  if (need_begin && !begin(200, Headers())) return false;
  if (data.empty()) return true;
  {
    MutexLock lock(mu_);
    // Backpressure: wait for the connection to catch up. An empty queue always accepts,
    // so a single write larger than kMaxUnsent still goes through.
    bool room = cv_.wait(lock, stop_.get_token(), [&]() REQUIRES(mu_) {
      return cancelled_ || unsent_ == 0 || unsent_ + data.size() <= kMaxUnsent;
    });
    if (!room || cancelled_) return false;
    queued_.append(data);
    unsent_ += data.size();
  }
  wake_();
  return true;
}

bool StreamChannel::begun() const {
  MutexLock lock(mu_);
  return begun_;
}

void StreamChannel::finish(Status status) {
  {
    MutexLock lock(mu_);
    finished_ = true;
    final_status_ = std::move(status);
  }
  wake_();
}

StreamChannel::Next StreamChannel::next() {
  MutexLock lock(mu_);
  Next n;
  if (cancelled_) return n;
  if (finished_ && !begun_) {
    if (!final_status_.is_ok()) {
      n.kind = Next::kError;
      n.error = final_status_;
      end_taken_ = true;
      return n;
    }
    begun_ = true;  // OK without a write: an empty 200 stream
  }
  if (begun_ && !head_taken_) {
    head_taken_ = true;
    n.kind = Next::kHead;
    n.status = status_;
    n.headers = std::move(headers_);
    return n;
  }
  if (!queued_.empty()) {
    n.kind = Next::kData;
    n.data.swap(queued_);
    return n;
  }
  if (finished_ && !end_taken_) {
    end_taken_ = true;
    n.kind = Next::kEnd;
    n.error = final_status_;
  }
  return n;
}

void StreamChannel::sent(size_t bytes) {
  {
    MutexLock lock(mu_);
    unsent_ -= std::min(bytes, unsent_);
  }
  cv_.notify_all();
}

void StreamChannel::cancel() {
  {
    MutexLock lock(mu_);
    cancelled_ = true;
  }
  stop_.request_stop();
  cv_.notify_all();
}

}  // namespace shoal::http
