// A client of one repository on a Docker Registry HTTP API v2 (OCI distribution) server:
// manifests by tag or digest, blobs into memory or a file, every byte checked against its
// digest.
//
// Transport: plain http for localhost, 127.0.0.0/8, ::1 and the registries the daemon was
// told are insecure (--insecure-registry host[:port]); https otherwise. docker.io means
// registry-1.docker.io.
// Authentication, on the registry's 401: Bearer challenges get a token from the realm
// (`service`, `scope=repository:<path>:pull`; basic credentials sent to the realm when
// given; an identity token is exchanged with the refresh_token grant; a registry token is
// used as is); Basic challenges get the username and password. The token is cached for
// the client's later requests (layers share it).
//
// Thread safety: one client may serve concurrent blob downloads (the layers of a pull).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "runtime/image/http_fetch.h"
#include "runtime/image/image.h"
#include "runtime/image/reference.h"

namespace shoal::runtime::image {

struct RegistryOptions {
  // Registries (host or host:port) reached over plain http.
  std::vector<std::string> insecure_registries;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds stall_timeout{60};
};

// "http" or "https" for `domain` (see the file comment).
std::string registry_scheme(std::string_view domain, const std::vector<std::string>& insecure);

struct FetchedManifest {
  std::string bytes;
  std::string media_type;  // the Content-Type the registry sent
  std::string digest;      // sha256 of bytes
};

class RegistryClient {
 public:
  // `ref` names the repository (its tag and digest are not used). A reference with an
  // empty path names the registry alone (for ping()).
  RegistryClient(const Reference& ref, RegistryAuth auth, RegistryOptions options);

  // Checks the credentials, as `docker login` has the daemon do: GET /v2/, authorizing on
  // the registry's 401 (a Bearer token without a scope, or Basic).
  // Errors: kUnauthenticated "unauthorized: incorrect username or password" (or the
  // registry's own text); kUnavailable "cannot reach registry ..."; as manifest() otherwise.
  Status ping();

  // The manifest (or index) `tag_or_digest` names, as bytes. When asked by digest the bytes
  // must hash to it; when asked by tag and the registry sends Docker-Content-Digest, they
  // must hash to that.
  // Errors: kNotFound with Docker's texts: "manifest for <ref> not found: manifest unknown:
  // <registry's message>", "repository <name> not found: name unknown: ...", "pull access
  // denied for <name>, repository does not exist or may require 'docker login': denied:
  // ..."; kPermissionDenied "unauthorized: ..." when credentials are missing or refused;
  // kUnavailable "cannot reach registry <domain>: ..." when it cannot be reached, and for
  // 5xx and 429 answers; kDataLoss "manifest <digest> digest mismatch"; kInvalidArgument for
  // other answers ("received unexpected HTTP status: <code>").
  Result<FetchedManifest> manifest(std::string_view tag_or_digest);

  // A small blob (a config) in memory, verified. `what` names it in errors ("config").
  // Errors: as manifest() ("blob unknown" for a missing blob is kNotFound), kDataLoss
  // "<what> <digest> digest mismatch", kInvalidArgument when larger than 16 MiB.
  Result<std::string> blob(std::string_view digest, std::string_view what);

  // Streams a blob into `file` (created or truncated), hashing as it goes; `progress` gets
  // the bytes received so far. Errors: as blob(); on any error the file's content is
  // unspecified (the caller removes it).
  Status blob_to_file(std::string_view digest, const std::filesystem::path& file,
                      const std::function<void(int64_t)>& progress, std::string_view what);

 private:
  // GET <base>/<path>, authorizing and retrying once on 401.
  Result<HttpResponse> get(const std::string& path, const std::vector<std::string>& headers,
                           const std::function<bool(std::string_view)>& on_data,
                           const std::function<void()>& before_retry);
  HttpRequest request(const std::string& url, std::vector<std::string> headers) const;
  Status authorize(const HttpResponse& unauthorized);
  Result<std::string> fetch_token(const std::string& url);
  Status registry_error(const HttpResponse& r, std::string_view subject) const;

  const Reference ref_;
  const RegistryAuth auth_;
  const RegistryOptions options_;
  const std::string base_;  // scheme://host/v2/<path>

  mutable Mutex mu_;
  std::string authorization_ GUARDED_BY(mu_);  // "Authorization: ..." once known
};

}  // namespace shoal::runtime::image
