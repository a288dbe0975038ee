#include "runtime/image/registry_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/mutex.h"
#include "runtime/image/digest.h"
#include "runtime/image/manifest.h"
#include "runtime/image/registry_auth.h"

namespace shoal::runtime::image {
namespace {

using nlohmann::json;
constexpr size_t kMaxSmallBlob = 16u << 20;

// The host part of a domain ("127.0.0.1:5000" → "127.0.0.1", "[::1]:5000" → "::1").
std::string host_of(std::string_view domain) {
  if (domain.starts_with('[')) {
    size_t end = domain.find(']');
    return std::string(domain.substr(1, end == std::string_view::npos ? domain.size() : end - 1));
  }
  size_t colon = domain.rfind(':');
  return std::string(colon == std::string_view::npos ? domain : domain.substr(0, colon));
}

const char* reason_phrase(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 405:
      return "Method Not Allowed";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// The first error of a registry's error body: {"errors":[{"code":..,"message":..}]}.
struct RegistryError {
  std::string code;     // "MANIFEST_UNKNOWN"
  std::string message;  // "manifest unknown"
  // errcode's Error(): "manifest unknown: <message>"
  std::string text() const {
    std::string c = code;
    std::transform(c.begin(), c.end(), c.begin(),
                   [](unsigned char ch) { return ch == '_' ? ' ' : std::tolower(ch); });
    return message.empty() ? c : c + ": " + message;
  }
};

std::optional<RegistryError> first_error(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("errors") || !j["errors"].is_array() ||
      j["errors"].empty() || !j["errors"][0].is_object()) {
    return std::nullopt;
  }
  const json& e = j["errors"][0];
  return RegistryError{e.value("code", ""), e.value("message", "")};
}

}  // namespace

std::string registry_scheme(std::string_view domain, const std::vector<std::string>& insecure) {
  std::string host = host_of(domain);
  if (host == "localhost" || host == "::1" || host.starts_with("127.")) return "http";
  for (const auto& r : insecure) {
    if (r == domain || r == host) return "http";
  }
  return "https";
}

RegistryClient::RegistryClient(const Reference& ref, RegistryAuth auth, RegistryOptions options)
    : ref_(ref),
      auth_(std::move(auth)),
      options_(std::move(options)),
      base_(registry_scheme(ref.domain, options_.insecure_registries) + "://" +
            registry_host(ref.domain) + "/v2/" + ref.path) {}

HttpRequest RegistryClient::request(const std::string& url,
                                    std::vector<std::string> headers) const {
  HttpRequest req;
  req.url = url;
  req.headers = std::move(headers);
  req.headers.push_back("User-Agent: shoal");
  req.connect_timeout = options_.connect_timeout;
  req.stall_timeout = options_.stall_timeout;
  MutexLock lock(mu_);
  if (!authorization_.empty()) req.headers.push_back(authorization_);
  return req;
}

Result<HttpResponse> RegistryClient::get(const std::string& path,
                                         const std::vector<std::string>& headers,
                                         const std::function<bool(std::string_view)>& on_data,
                                         const std::function<void()>& before_retry) {
  for (int attempt = 0;; ++attempt) {
    HttpRequest req = request(path.empty() ? base_ : base_ + "/" + path, headers);
    req.on_data = on_data;
    auto r = http_fetch(req);
    if (!r.is_ok()) {
      if (r.status().code() != Code::kUnavailable) return r.status();
      return error(Code::kUnavailable, "cannot reach registry {}: {}", ref_.domain,
                   r.status().message());
    }
    if (r->status != 401 || attempt > 0) return r;
    SHOAL_RETURN_IF_ERROR(authorize(*r));
    if (before_retry) before_retry();
  }
}

Result<std::string> RegistryClient::fetch_token(const std::string& url) {
  HttpRequest req = request(url, {});
  req.headers.erase(
      std::remove_if(req.headers.begin(), req.headers.end(),
                     [](const std::string& h) { return h.starts_with("Authorization:"); }),
      req.headers.end());
  if (!auth_.IdentityToken.empty()) {
    // OAuth2 refresh-token grant (docker login's identity token).
    size_t q = url.find('?');
    req.url = url.substr(0, q);
    req.method = "POST";
    req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    req.body = "grant_type=refresh_token&client_id=shoal&refresh_token=" + auth_.IdentityToken +
               (q == std::string::npos ? "" : "&" + url.substr(q + 1));
  } else if (!auth_.Username.empty()) {
    req.headers.push_back("Authorization: Basic " + base64(auth_.Username + ":" + auth_.Password));
  }
  auto r = http_fetch(req);
  if (!r.is_ok())
    return error(Code::kUnavailable, "cannot reach registry {}: {}", ref_.domain,
                 r.status().message());
  if (r->status == 401 || r->status == 403) {
    auto e = first_error(r->body);
    return error(Code::kPermissionDenied, "unauthorized: {}",
                 e && !e->message.empty() ? e->message : "incorrect username or password");
  }
  if (r->status != 200) return registry_error(*r, "token");
  json j = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  std::string token = j.is_object() ? j.value("token", j.value("access_token", "")) : "";
  if (token.empty()) return error(Code::kUnavailable, "registry {} sent no token", ref_.domain);
  return token;
}

Status RegistryClient::authorize(const HttpResponse& unauthorized) {
  std::vector<Challenge> challenges =
      parse_www_authenticate(unauthorized.header("www-authenticate"));
  auto find = [&](std::string_view scheme) -> const Challenge* {
    for (const auto& c : challenges) {
      if (c.scheme == scheme) return &c;
    }
    return nullptr;
  };
  std::string value;
  if (!auth_.RegistryToken.empty()) {
    value = "Bearer " + auth_.RegistryToken;
  } else if (const Challenge* bearer = find("bearer")) {
    std::string scope = ref_.path.empty() ? "" : "repository:" + ref_.path + ":pull";
    SHOAL_ASSIGN_OR_RETURN(std::string token, fetch_token(token_url(*bearer, scope)));
    value = "Bearer " + token;
  } else if (find("basic") != nullptr) {
    if (auth_.Username.empty()) {
      return error(Code::kPermissionDenied,
                   "unauthorized: registry {} needs credentials (no basic auth credentials)",
                   ref_.domain);
    }
    value = "Basic " + base64(auth_.Username + ":" + auth_.Password);
  } else {
    return registry_error(unauthorized, ref_.familiar_name());
  }
  MutexLock lock(mu_);
  authorization_ = "Authorization: " + value;
  return Status::ok();
}

Status RegistryClient::registry_error(const HttpResponse& r, std::string_view subject) const {
  auto e = first_error(r.body);
  std::string code = e ? e->code : "";
  std::string name = ref_.familiar_name();
  if (r.status == 401 || code == "UNAUTHORIZED") {
    return error(Code::kPermissionDenied, "{}",
                 e ? e->text() : "unauthorized: authentication required");
  }
  if (code == "DENIED" || (r.status == 403 && !e)) {
    return error(
        Code::kNotFound,
        "pull access denied for {}, repository does not exist or may require 'docker login': {}",
        name, e ? e->text() : "denied");
  }
  if (code == "MANIFEST_UNKNOWN" || (r.status == 404 && !e && subject != "blob")) {
    return error(Code::kNotFound, "manifest for {} not found: {}", subject,
                 e ? e->text() : "manifest unknown");
  }
  if (code == "NAME_UNKNOWN")
    return error(Code::kNotFound, "repository {} not found: {}", name, e->text());
  if (r.status == 404)
    return error(Code::kNotFound, "{}", e ? e->text() : "blob unknown: blob unknown to registry");
  if (r.status == 429 || r.status >= 500) {
    return error(Code::kUnavailable, "received unexpected HTTP status: {} {}{}", r.status,
                 reason_phrase(r.status), e ? " (" + e->text() + ")" : "");
  }
  return error(Code::kInvalidArgument, "received unexpected HTTP status: {} {}{}", r.status,
               reason_phrase(r.status), e ? " (" + e->text() + ")" : "");
}

Status RegistryClient::ping() {
  auto r = get("", {}, nullptr, nullptr);
  if (!r.is_ok()) {
    if (r.status().code() == Code::kPermissionDenied)
      return Status(Code::kUnauthenticated, r.status().message());
    return r.status();
  }
  if (r->status == 200) return Status::ok();
  if (r->status == 401) {
    auto e = first_error(r->body);
    return error(
        Code::kUnauthenticated, "{}",
        e && !e->message.empty() ? e->text() : "unauthorized: incorrect username or password");
  }
  return registry_error(*r, "login");
}

Result<FetchedManifest> RegistryClient::manifest(std::string_view tag_or_digest) {
  bool by_digest = tag_or_digest.starts_with(kSha256Prefix);
  std::string subject = ref_.familiar_name() + (by_digest ? "@" : ":") + std::string(tag_or_digest);
  SHOAL_ASSIGN_OR_RETURN(HttpResponse r,
                         get("manifests/" + std::string(tag_or_digest),
                             {"Accept: " + std::string(media::kManifestAccept)}, nullptr, nullptr));
  if (r.status != 200) return registry_error(r, subject);
  if (r.body.size() > kMaxSmallBlob)
    return error(Code::kInvalidArgument, "manifest for {} is too large", subject);
  FetchedManifest m{std::move(r.body), r.header("content-type"), ""};
  m.digest = sha256_digest(m.bytes);
  std::string expected = by_digest ? std::string(tag_or_digest) : r.header("docker-content-digest");
  if (is_sha256_digest(expected) && expected != m.digest) {
    return error(Code::kDataLoss, "manifest {} digest mismatch: content is {}", expected, m.digest);
  }
  return m;
}

Result<std::string> RegistryClient::blob(std::string_view digest, std::string_view what) {
  std::string body;
  bool too_large = false;
  auto on_data = [&](std::string_view chunk) {
    if (body.size() + chunk.size() > kMaxSmallBlob) {
      too_large = true;
      return false;
    }
    body.append(chunk);
    return true;
  };
  auto r = get("blobs/" + std::string(digest), {}, on_data, [&] { body.clear(); });
  if (too_large) return error(Code::kInvalidArgument, "{} {} is larger than 16 MiB", what, digest);
  if (!r.is_ok()) return r.status();
  if (r->status != 200) return registry_error(*r, "blob");
  if (std::string actual = sha256_digest(body); actual != digest) {
    return error(Code::kDataLoss, "{} {} digest mismatch: content is {}", what, digest, actual);
  }
  return body;
}

Status RegistryClient::blob_to_file(std::string_view digest, const std::filesystem::path& file,
                                    const std::function<void(int64_t)>& progress,
                                    std::string_view what) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return error(Code::kInternal, "cannot open {}: {}", file.string(), std::strerror(errno));
  Sha256 hash;
  int64_t received = 0;
  bool write_failed = false;
  auto on_data = [&](std::string_view chunk) {
    while (!chunk.empty()) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        write_failed = true;
        return false;
      }
      hash.update(chunk.data(), static_cast<size_t>(n));
      received += n;
      chunk.remove_prefix(static_cast<size_t>(n));
    }
    if (progress) progress(received);
    return true;
  };
  auto restart = [&] {
    hash = Sha256();
    received = 0;
    if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) write_failed = true;
  };
  auto r = get("blobs/" + std::string(digest), {}, on_data, restart);
  int saved = errno;
  ::close(fd);
  if (write_failed)
    return error(Code::kInternal, "cannot write {}: {}", file.string(), std::strerror(saved));
  if (!r.is_ok()) return r.status();
  if (r->status != 200) return registry_error(*r, "blob");
  if (std::string actual = hash.digest(); actual != digest) {
    return error(Code::kDataLoss, "{} {} digest mismatch: content is {}", what, digest, actual);
  }
  return Status::ok();
}

}  // namespace shoal::runtime::image
