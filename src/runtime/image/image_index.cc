#include "runtime/image/image_index.h"

#include <nlohmann/json.hpp>
#include <set>

#include "runtime/image/content_store.h"
#include "runtime/image/digest.h"

namespace shoal::runtime::image {
namespace {

using nlohmann::json;
constexpr int kFormatVersion = 1;

json to_json(const ImageRecord& r) {
  return json{{"id", r.id},
              {"diff_ids", r.diff_ids},
              {"manifest_digest", r.manifest_digest},
              {"repo_tags", r.repo_tags},
              {"repo_digests", r.repo_digests},
              {"added", r.added.is_zero() ? "" : format_rfc3339_nano(r.added)}};
}

Result<ImageRecord> record_from(const json& j) {
  ImageRecord r;
  r.id = j.at("id").get<std::string>();
  r.diff_ids = j.at("diff_ids").get<std::vector<std::string>>();
  r.manifest_digest = j.value("manifest_digest", "");
  r.repo_tags = j.value("repo_tags", std::vector<std::string>{});
  r.repo_digests = j.value("repo_digests", std::vector<std::string>{});
  if (std::string added = j.value("added", ""); !added.empty()) {
    SHOAL_ASSIGN_OR_RETURN(r.added, parse_rfc3339(added));
  }
  if (!is_sha256_digest(r.id)) return error(Code::kInvalidArgument, "bad image id {}", r.id);
  return r;
}

}  // namespace

Result<IndexState> load_index(const std::filesystem::path& path) {
  auto bytes = read_whole_file(path);
  if (!bytes.is_ok() && bytes.status().code() == Code::kNotFound) return IndexState{};
  if (!bytes.is_ok()) return bytes.status();
  auto corrupt = [&](std::string_view why) {
    return error(Code::kDataLoss, "image index {} is corrupt: {}", path.string(), why);
  };
  json j = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");
  IndexState state;
  try {
    if (j.at("version").get<int>() != kFormatVersion) return corrupt("unknown format version");
    for (const auto& item : j.at("images")) {
      auto r = record_from(item);
      if (!r.is_ok()) return corrupt(r.status().message());
      std::string id = r->id;
      state.images.emplace(std::move(id), std::move(*r));
    }
    for (const auto& [diff_id, size] : j.at("layers").items()) {
      state.layer_sizes[diff_id] = size.get<int64_t>();
    }
  } catch (const json::exception& e) {
    return corrupt(e.what());
  }
  if (Status st = validate(state); !st.is_ok()) return corrupt(st.message());
  return state;
}

Status save_index(const std::filesystem::path& path, const IndexState& state,
                  const std::filesystem::path& tmp_dir) {
  json images = json::array();
  for (const auto& [id, r] : state.images) images.push_back(to_json(r));
  json j{{"version", kFormatVersion}, {"images", std::move(images)}, {"layers", state.layer_sizes}};
  return write_file_atomic(path, j.dump(1) + "\n", tmp_dir);
}

Status validate(const IndexState& state) {
  std::set<std::string> names;
  for (const auto& [id, r] : state.images) {
    if (id != r.id) return error(Code::kInternal, "image {} filed under {}", r.id, id);
    for (const auto& d : r.diff_ids) {
      if (!is_sha256_digest(d)) return error(Code::kInternal, "image {}: bad diff ID {}", id, d);
      if (!state.layer_sizes.contains(d)) {
        return error(Code::kInternal, "image {}: layer {} has no size", id, d);
      }
    }
    for (const auto* refs : {&r.repo_tags, &r.repo_digests}) {
      for (const auto& ref : *refs) {
        if (!names.insert(ref).second) {
          return error(Code::kInternal, "reference {} names two images", ref);
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace shoal::runtime::image
