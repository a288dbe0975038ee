#include "runtime/image/manifest.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "runtime/image/digest.h"

namespace shoal::runtime::image {
namespace {

using nlohmann::json;

std::string str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings(const json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

int64_t integer(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

Result<Descriptor> parse_descriptor(const json& j) {
  if (!j.is_object())
    return Status(Code::kInvalidArgument, "invalid manifest: descriptor is not an object");
  Descriptor d;
  d.mediaType = str(j, "mediaType");
  d.digest = str(j, "digest");
  d.size = integer(j, "size");
  if (!is_sha256_digest(d.digest)) {
    SHOAL_ASSIGN_OR_RETURN(std::string hex, digest_hex(d.digest));
    (void)hex;
  }
  if (d.size < 0)
    return error(Code::kInvalidArgument, "invalid manifest: negative size for {}", d.digest);
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.platform = Platform{str(*p, "os"), str(*p, "architecture"), str(*p, "variant")};
  }
  if (auto a = j.find("annotations"); a != j.end() && a->is_object()) {
    for (const auto& [k, v] : a->items()) {
      if (v.is_string()) d.annotations[k] = v.get<std::string>();
    }
  }
  return d;
}

bool is_index_type(std::string_view t) {
  return t == media::kOciIndex || t == media::kDockerManifestList;
}
bool is_manifest_type(std::string_view t) {
  return t == media::kOciManifest || t == media::kDockerManifest;
}

// The media type without parameters ("application/json; charset=utf-8" → "application/json").
std::string_view bare_type(std::string_view t) {
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

Result<ManifestDocument> parse_index(const json& j, std::string media_type) {
  Index index{std::move(media_type), {}};
  for (const auto& m : j["manifests"]) {
    SHOAL_ASSIGN_OR_RETURN(Descriptor d, parse_descriptor(m));
    index.manifests.push_back(std::move(d));
  }
  return ManifestDocument(std::move(index));
}

Result<ManifestDocument> parse_image_manifest(const json& j, std::string media_type) {
  Manifest m{std::move(media_type), {}, {}};
  auto config = j.find("config");
  if (config == j.end()) return Status(Code::kInvalidArgument, "invalid manifest: no config");
  SHOAL_ASSIGN_OR_RETURN(m.config, parse_descriptor(*config));
  if (auto layers = j.find("layers"); layers != j.end() && layers->is_array()) {
    for (const auto& l : *layers) {
      SHOAL_ASSIGN_OR_RETURN(Descriptor d, parse_descriptor(l));
      m.layers.push_back(std::move(d));
    }
  }
  return ManifestDocument(std::move(m));
}

}  // namespace

std::string Platform::string() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Result<ManifestDocument> parse_manifest(std::string_view body, std::string_view content_type) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Code::kInvalidArgument, "invalid manifest: not a JSON object");
  }
  std::string type = str(j, "mediaType");
  if (type.empty()) type = std::string(bare_type(content_type));
  if (type == media::kDockerSchema1 || type == media::kDockerSchema1Signed ||
      integer(j, "schemaVersion") == 1) {
    return Status(Code::kInvalidArgument,
                  "unsupported manifest media type " + std::string(media::kDockerSchema1Signed) +
                      ": Docker Image manifest version 2, schema 1 is no longer supported");
  }
  bool has_manifests = j.contains("manifests") && j["manifests"].is_array();
  bool has_layers = j.contains("config");
  if (is_index_type(type) || (!is_manifest_type(type) && has_manifests)) {
    if (!has_manifests)
      return Status(Code::kInvalidArgument, "invalid manifest: index without manifests");
    if (!is_index_type(type)) type = std::string(media::kOciIndex);
    return parse_index(j, std::move(type));
  }
  if (is_manifest_type(type) || has_layers) {
    if (!is_manifest_type(type)) type = std::string(media::kOciManifest);
    return parse_image_manifest(j, std::move(type));
  }
  return error(Code::kInvalidArgument, "unsupported manifest media type {}", type);
}

Result<ConfigInfo> parse_config(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Code::kInvalidArgument, "invalid image config: not a JSON object");
  }
  ConfigInfo info;
  info.os = str(j, "os");
  info.architecture = str(j, "architecture");
  info.variant = str(j, "variant");
  info.author = str(j, "author");
  if (std::string created = str(j, "created"); !created.empty()) {
    if (auto t = parse_rfc3339(created); t.is_ok()) info.created = *t;
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object() || str(*rootfs, "type") != "layers") {
    return Status(Code::kInvalidArgument, "invalid image config: rootfs type must be \"layers\"");
  }
  info.diff_ids = strings(*rootfs, "diff_ids");
  for (const auto& d : info.diff_ids) {
    if (!is_sha256_digest(d))
      return error(Code::kInvalidArgument, "invalid image config: diff ID {}", d);
  }
  auto c = j.find("config");
  if (c == j.end() || !c->is_object()) return info;
  ImageConfig& cfg = info.config;
  cfg.User = str(*c, "User");
  cfg.Env = strings(*c, "Env");
  cfg.Entrypoint = strings(*c, "Entrypoint");
  cfg.Cmd = strings(*c, "Cmd");
  cfg.WorkingDir = str(*c, "WorkingDir");
  cfg.StopSignal = str(*c, "StopSignal");
  if (auto l = c->find("Labels"); l != c->end() && l->is_object()) {
    for (const auto& [k, v] : l->items()) {
      if (v.is_string()) cfg.Labels[k] = v.get<std::string>();
    }
  }
  if (auto p = c->find("ExposedPorts"); p != c->end() && p->is_object()) {
    for (const auto& [k, v] : p->items()) cfg.ExposedPorts.push_back(k);
  }
  if (auto h = c->find("Healthcheck"); h != c->end() && h->is_object()) {
    cfg.HealthcheckTest = strings(*h, "Test");
    cfg.HealthcheckInterval = integer(*h, "Interval");
    cfg.HealthcheckTimeout = integer(*h, "Timeout");
    cfg.HealthcheckStartPeriod = integer(*h, "StartPeriod");
    cfg.HealthcheckRetries = integer(*h, "Retries");
  }
  return info;
}

std::string normalize_architecture(std::string_view arch) {
  std::string a(arch);
  std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
  if (a == "x86_64" || a == "x86-64") return "amd64";
  if (a == "aarch64") return "arm64";
  if (a == "i386" || a == "i486" || a == "i586" || a == "i686") return "386";
  if (a.starts_with("armv") || a == "armhf" || a == "armel") return "arm";
  return a;
}

Platform host_platform() {
  Platform p{"linux", "amd64", ""};
  struct utsname u {};
  if (::uname(&u) == 0) {
    std::string machine = u.machine;
    p.architecture = normalize_architecture(machine);
    if (p.architecture == "arm64") p.variant = "v8";
    if (p.architecture == "arm") p.variant = machine.starts_with("armv6") ? "v6" : "v7";
  }
  return p;
}

namespace {

// The rank of `have` for `want` (lower is better), or -1 when it does not match.
int variant_rank(const std::string& arch, std::string want, std::string have) {
  if (arch == "arm64") {
    if (want.empty()) want = "v8";
    if (have.empty()) have = "v8";
  }
  if (have == want) return 0;
  if (want.empty() || have.empty()) return 1;
  // arm: an older variant runs on a newer CPU (v7 runs v6 and v5).
  if (arch == "arm" && want.size() == 2 && have.size() == 2 && want[0] == 'v' && have[0] == 'v' &&
      have[1] < want[1]) {
    return 2 + (want[1] - have[1]);
  }
  return -1;
}

}  // namespace

Result<Descriptor> select_platform(const Index& index, const Platform& want) {
  const std::string want_arch = normalize_architecture(want.architecture);
  const Descriptor* best = nullptr;
  int best_rank = 0;
  for (const Descriptor& d : index.manifests) {
    if (!d.platform) continue;
    if (d.platform->os != want.os) continue;
    if (normalize_architecture(d.platform->architecture) != want_arch) continue;
    int rank = variant_rank(want_arch, want.variant, d.platform->variant);
    if (rank < 0) continue;
    if (best == nullptr || rank < best_rank) {
      best = &d;
      best_rank = rank;
    }
  }
  if (best == nullptr) {
    return error(Code::kNotFound, "no matching manifest for {} in the manifest list entries",
                 want.string());
  }
  return *best;
}

}  // namespace shoal::runtime::image
