#include "http/engine/image_routes.h"

#include <fnmatch.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/mutex.h"
#include "http/engine/handlers.h"
#include "http/engine/params.h"
#include "runtime/image/digest.h"
#include "runtime/image/reference.h"
#include "runtime/image/registry_auth.h"

namespace shoal::http::engine {
namespace img = runtime::image;
using nlohmann::json;

namespace {

constexpr size_t kMaxArchiveBytes = size_t{8} << 30;  // POST /images/load bodies

json string_list(const std::vector<std::string>& v) { return v.empty() ? json::array() : json(v); }

int64_t unix_seconds(Timestamp t) { return t.is_zero() ? 0 : t.unix_nanos() / 1'000'000'000; }

// moby's reference.FamiliarMatch: the pattern against the familiar string, then the
// familiar name (path.Match: '*' does not cross '/').
bool familiar_match(const std::string& pattern, const std::string& ref) {
  auto match = [&](const std::string& s) {
    return ::fnmatch(pattern.c_str(), s.c_str(), FNM_PATHNAME) == 0;
  };
  if (match(ref)) return true;
  auto parsed = img::parse_reference(ref);
  return parsed.is_ok() && match(parsed->familiar_name());
}

// Keeps the references that match one of `patterns` (moby lists only those).
std::vector<std::string> matching(const std::vector<std::string>& refs,
                                  const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& r : refs) {
    if (std::any_of(patterns.begin(), patterns.end(),
                    [&](const auto& p) { return familiar_match(p, r); })) {
      out.push_back(r);
    }
  }
  return out;
}

bool has_labels(const img::Image& image, const api::StringMap& wanted) {
  for (const auto& [k, v] : wanted) {
    auto it = image.Config.Labels.find(k);
    if (it == image.Config.Labels.end() || (!v.empty() && it->second != v)) return false;
  }
  return true;
}

}  // namespace

json image_summary_json(const img::Image& image) {
  json labels = image.Config.Labels.empty() ? json(nullptr) : json(image.Config.Labels);
  json tags = string_list(image.RepoTags), digests = string_list(image.RepoDigests);
  if (image.RepoTags.empty() && image.RepoDigests.empty()) {
    tags = json::array({"<none>:<none>"});
    digests = json::array({"<none>@<none>"});
  }
  return json{{"Containers", -1},   {"Created", unix_seconds(image.Created)},
              {"Id", image.ID},     {"Labels", labels},
              {"ParentId", ""},     {"RepoDigests", digests},
              {"RepoTags", tags},   {"SharedSize", -1},
              {"Size", image.Size}, {"VirtualSize", image.Size}};
}

json image_inspect_json(const img::Image& image, std::string_view config_json) {
  json raw = json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (raw.is_discarded() || !raw.is_object()) raw = json::object();
  json config =
      raw.contains("config") && raw["config"].is_object() ? raw["config"] : json::object();
  json defaults = {{"Hostname", ""},       {"Domainname", ""},      {"User", ""},
                   {"AttachStdin", false}, {"AttachStdout", false}, {"AttachStderr", false},
                   {"Tty", false},         {"OpenStdin", false},    {"StdinOnce", false},
                   {"Env", nullptr},       {"Cmd", nullptr},        {"Image", ""},
                   {"Volumes", nullptr},   {"WorkingDir", ""},      {"Entrypoint", nullptr},
                   {"OnBuild", nullptr},   {"Labels", nullptr}};
  for (const auto& [k, v] : defaults.items()) {
    if (!config.contains(k)) config[k] = v;
  }
  json layers = json::array();
  for (const auto& d : json(raw.value("rootfs", json::object())).value("diff_ids", json::array()))
    layers.push_back(d);
  std::string lower;
  for (auto it = image.LayerDirs.rbegin(); it != image.LayerDirs.rend(); ++it) {
    lower += (lower.empty() ? "" : ":") + it->string();
  }
  json out = {{"Id", image.ID},
              {"RepoTags", string_list(image.RepoTags)},
              {"RepoDigests", string_list(image.RepoDigests)},
              {"Parent", ""},
              {"Comment", raw.value("comment", "")},
              {"Created", format_rfc3339_nano(image.Created)},
              {"Container", ""},
              {"DockerVersion", raw.value("docker_version", "")},
              {"Author", raw.value("author", "")},
              {"Config", config},
              {"Architecture", image.Architecture},
              {"Os", image.Os},
              {"Size", image.Size},
              {"VirtualSize", image.Size},
              {"GraphDriver", {{"Name", "overlay"}, {"Data", {{"LowerDir", lower}}}}},
              {"RootFS", {{"Type", "layers"}, {"Layers", layers}}},
              {"Metadata", {{"LastTagTime", "0001-01-01T00:00:00Z"}}}};
  if (!image.Variant.empty()) out["Variant"] = image.Variant;
  return out;
}

Status validate_image_filters(const Filters& filters) {
  return filters.validate({"dangling", "label", "label!", "reference", "before", "since", "until"});
}

Result<bool> image_matches(const img::Image& image, const Filters& filters,
                           const img::Image* before, const img::Image* since) {
  SHOAL_RETURN_IF_ERROR(validate_image_filters(filters));
  for (const auto& v : filters.get("dangling")) {
    if (v != "true" && v != "1" && v != "false" && v != "0") {
      return error(Code::kInvalidArgument, "invalid filter 'dangling={}'", v);
    }
    if ((v == "true" || v == "1") != image.RepoTags.empty()) return false;
  }
  if (filters.contains("label") && !has_labels(image, filters.labels("label"))) return false;
  if (filters.contains("label!")) {
    for (const auto& [k, v] : filters.labels("label!")) {
      if (has_labels(image, {{k, v}})) return false;
    }
  }
  if (filters.contains("reference")) {
    auto patterns = filters.get("reference");
    if (matching(image.RepoTags, patterns).empty() && matching(image.RepoDigests, patterns).empty())
      return false;
  }
  if (before && !(image.Created < before->Created)) return false;
  if (since && !(image.Created > since->Created)) return false;
  for (const auto& v : filters.get("until")) {
    SHOAL_ASSIGN_OR_RETURN(Timestamp t, parse_until(v));
    if (!(image.Created < t)) return false;
  }
  return true;
}

std::string json_message_status(const img::PullProgress& p) {
  json j = {{"status", p.status}};
  if (p.current >= 0) {
    j["progressDetail"] = {{"current", p.current}, {"total", p.total}};
  } else if (!p.id.empty()) {
    j["progressDetail"] = json::object();
  }
  if (!p.id.empty()) j["id"] = p.id;
  return j.dump() + "\r\n";
}

std::string json_message_stream(std::string_view text) {
  return json{{"stream", std::string(text) + "\n"}}.dump() + "\r\n";
}

std::string json_message_error(std::string_view message) {
  return json{{"errorDetail", {{"message", message}}}, {"error", message}}.dump() + "\r\n";
}

json distribution_json(const img::DistributionInfo& info) {
  json platforms = json::array();
  for (const auto& p : info.platforms) {
    json j = {{"architecture", p.architecture}, {"os", p.os}};
    if (!p.variant.empty()) j["variant"] = p.variant;
    platforms.push_back(j);
  }
  return json{{"Descriptor",
               {{"mediaType", info.media_type}, {"digest", info.digest}, {"size", info.size}}},
              {"Platforms", platforms}};
}

namespace {

img::RegistryAuth registry_auth(const Request& req) {
  // moby ignores a malformed X-Registry-Auth for pulls; so does shoal.
  auto auth = img::decode_registry_auth(req.headers.get("X-Registry-Auth").value_or(""));
  return auth.is_ok() ? *auth : img::RegistryAuth{};
}

// fromImage and tag as moby combines them (a tag may be a digest; "pull -a" sends "x:").
Result<std::string> pull_reference(const Request& req) {
  std::string image(req.query.value("fromImage"));
  while (!image.empty() && image.back() == ':') image.pop_back();
  std::string tag(req.query.value("tag"));
  SHOAL_ASSIGN_OR_RETURN(img::Reference ref, img::parse_reference(image));
  if (!tag.empty()) {
    ref.tag.clear();
    ref.digest.clear();
    std::string full = ref.name() + (tag.starts_with("sha256:") ? "@" : ":") + tag;
    SHOAL_ASSIGN_OR_RETURN(ref, img::parse_reference(full));
  }
  return ref.string();
}

// docker pull: the store pulls on a thread of its own while this handler's thread writes
// its progress (a ResponseStream is written from its handler's thread only).
Status pull_stream(img::ImageStore& store, Request& req, ResponseStream& stream) {
  if (req.query.value("fromImage").empty()) {
    return Status(Code::kUnimplemented, "shoal cannot import images (fromSrc); use docker load");
  }
  SHOAL_ASSIGN_OR_RETURN(std::string reference, pull_reference(req));
  img::RegistryAuth auth = registry_auth(req);
  Mutex mu;
  CondVar cv;
  std::deque<std::string> lines;
  bool done = false;
  Status result;
  std::thread puller([&] {
    auto r = store.pull(reference, auth, [&](const img::PullProgress& p) {
      MutexLock lock(mu);
      lines.push_back(json_message_status(p));
      cv.notify_one();
    });
    MutexLock lock(mu);
    result = r.status();
    done = true;
    cv.notify_one();
  });
  bool writable = true;
  MutexLock lock(mu);
  while (true) {
    cv.wait(lock, [&]() REQUIRES(mu) { return done || !lines.empty(); });
    std::deque<std::string> batch;
    batch.swap(lines);
    bool finished = done;
    lock.unlock();
    for (const auto& line : batch) {
      if (writable && !stream.begun()) {
        Headers h;
        h.set("Content-Type", kContentTypeJson);
        writable = stream.begin(200, std::move(h));
      }
      if (writable) writable = stream.write(line);
    }
    lock.lock();
    if (finished && lines.empty()) break;
  }
  lock.unlock();
  puller.join();
  if (result.is_ok()) return Status::ok();
  if (!stream.begun()) return result;
  if (writable) stream.write(json_message_error(result.message()));
  return Status::ok();
}

Result<Response> list_images(img::ImageStore& store, const Request& req) {
  SHOAL_ASSIGN_OR_RETURN(Filters filters, Filters::parse(req.query.value("filters")));
  SHOAL_RETURN_IF_ERROR(validate_image_filters(filters));
  std::optional<img::Image> before, since;
  for (const auto& v : filters.get("before")) {
    SHOAL_ASSIGN_OR_RETURN(before, store.inspect(v));
  }
  for (const auto& v : filters.get("since")) {
    SHOAL_ASSIGN_OR_RETURN(since, store.inspect(v));
  }
  json out = json::array();
  for (img::Image& image : store.list()) {
    SHOAL_ASSIGN_OR_RETURN(bool keep, image_matches(image, filters, before ? &*before : nullptr,
                                                    since ? &*since : nullptr));
    if (!keep) continue;
    if (filters.contains("reference")) {  // only the references that matched are listed
      image.RepoTags = matching(image.RepoTags, filters.get("reference"));
      image.RepoDigests = matching(image.RepoDigests, filters.get("reference"));
    }
    out.push_back(image_summary_json(image));
  }
  return Response::json(200, out);
}

}  // namespace

Status register_image_routes(Router& router, const EngineDeps& deps) {
  img::ImageStore* store = deps.images;
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/images/json",
                                   [store](Request& req) { return list_images(*store, req); }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/images/{name:.*}/json", [store](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(img::Image image, store->inspect(req.param("name")));
        SHOAL_ASSIGN_OR_RETURN(std::string config, store->config_json(image.ID));
        return Response::json(200, image_inspect_json(image, config));
      }));
  SHOAL_RETURN_IF_ERROR(router.add_stream(
      Method::kPost, "/images/create",
      [store](Request& req, ResponseStream& stream) { return pull_stream(*store, req, stream); }));
  SHOAL_RETURN_IF_ERROR(router.add(
      Method::kPost, "/images/load",
      [store](Request& req) -> Result<Response> {
        auto loaded = store->load_bytes(req.body);
        std::string body;
        if (!loaded.is_ok()) {
          body = json_message_error(loaded.status().message());
        } else {
          for (const auto& m : *loaded) body += json_message_stream(m);
        }
        return Response::json_text(200, std::move(body));
      },
      RouteOptions{.max_body_bytes = kMaxArchiveBytes}));
  return router.add(
      Method::kDelete, "/images/{name:.*}", [store](Request& req) -> Result<Response> {
        std::string name(req.param("name"));
        if (name.find_first_not_of(" \t") == std::string::npos) {
          return Status(Code::kInvalidArgument, "image name cannot be blank");
        }
        SHOAL_ASSIGN_OR_RETURN(auto records, store->remove(name, req.query.get_bool("force")));
        json out = json::array();
        for (const auto& r : records) {
          out.push_back(r.untagged.empty() ? json{{"Deleted", r.deleted}}
                                           : json{{"Untagged", r.untagged}});
        }
        return Response::json(200, out);
      });
}

}  // namespace shoal::http::engine
