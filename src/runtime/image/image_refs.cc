#include "runtime/image/image_refs.h"

#include <algorithm>
#include <set>

#include "runtime/image/digest.h"

namespace shoal::runtime::image {
namespace {

Status no_such_image(std::string_view name) {
  return error(Code::kNotFound, "No such image: {}", name);
}

// The image holding the full reference `ref`, or nullptr.
const ImageRecord* holder(const IndexState& state, const std::string& ref) {
  for (const auto& [id, r] : state.images) {
    if (std::find(r.repo_tags.begin(), r.repo_tags.end(), ref) != r.repo_tags.end()) return &r;
    if (std::find(r.repo_digests.begin(), r.repo_digests.end(), ref) != r.repo_digests.end())
      return &r;
  }
  return nullptr;
}

// The full reference a lookup uses: name@digest when there is a digest, else name:tag.
std::string lookup_key(const Reference& ref) {
  if (!ref.digest.empty()) return ref.name() + "@" + ref.digest;
  return with_default_tag(ref).string();
}

Result<std::string> by_prefix(const IndexState& state, std::string_view name) {
  std::string_view hex = name;
  if (hex.starts_with(kSha256Prefix)) hex.remove_prefix(kSha256Prefix.size());
  if (!is_hex_prefix(hex)) return Status(Code::kNotFound, "");
  std::vector<const std::string*> found;
  for (const auto& [id, r] : state.images) {
    if (std::string_view(id).substr(kSha256Prefix.size()).starts_with(hex)) found.push_back(&id);
  }
  if (found.empty()) return Status(Code::kNotFound, "");
  if (found.size() > 1) {
    return error(Code::kInvalidArgument, "image ID prefix {} is ambiguous ({} matches found)", name,
                 found.size());
  }
  return *found[0];
}

// The repository of a full reference ("docker.io/library/busybox:1" → ".../busybox").
std::string repository_of(std::string_view ref) {
  size_t at = ref.find('@');
  if (at != std::string_view::npos) return std::string(ref.substr(0, at));
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    return std::string(ref.substr(0, colon));
  }
  return std::string(ref);
}

// moby's isSingleReference: one tag (or none) and digest references of that same
// repository only; false for no references at all.
bool is_single_reference(const ImageRecord& r) {
  size_t total = r.repo_tags.size() + r.repo_digests.size();
  if (total <= 1) return total == 1;
  if (r.repo_tags.size() > 1) return false;
  std::set<std::string> digest_repos;
  for (const auto& d : r.repo_digests) digest_repos.insert(repository_of(d));
  std::string single = r.repo_tags.empty() ? r.repo_digests[0] : r.repo_tags[0];
  return digest_repos.size() == 1 && digest_repos.contains(repository_of(single));
}

std::vector<std::string> all_refs(const ImageRecord& r) {
  std::vector<std::string> refs = r.repo_tags;
  refs.insert(refs.end(), r.repo_digests.begin(), r.repo_digests.end());
  return refs;
}

Result<DeletePlan> plan_untag(const ImageRecord& img, std::string_view name, bool force,
                              const InUseCheck& in_use) {
  DeletePlan plan{img.id, {}, false};
  if (!force && is_single_reference(img)) {
    if (auto user = in_use(img.id)) {
      return error(Code::kConflict,
                   "conflict: unable to remove repository reference \"{}\" (must force) - "
                   "container {} is using its referenced image {}",
                   name, *user, short_id(img.id));
    }
  }
  SHOAL_ASSIGN_OR_RETURN(Reference ref, parse_reference(name));
  std::string key = lookup_key(ref);
  plan.untag.push_back(key);
  std::vector<std::string> left;
  for (const auto& r : all_refs(img)) {
    if (r != key) left.push_back(r);
  }
  if (ref.digest.empty()) {
    bool repo_tag_left =
        std::any_of(img.repo_tags.begin(), img.repo_tags.end(),
                    [&](const auto& t) { return t != key && repository_of(t) == ref.name(); });
    if (!repo_tag_left) {
      std::vector<std::string> kept;
      for (const auto& r : left) {
        bool same_repo_digest = r.find('@') != std::string::npos && repository_of(r) == ref.name();
        (same_repo_digest ? plan.untag : kept).push_back(r);
      }
      left = std::move(kept);
    }
  }
  // The image goes when no name is left, unless a running container uses it (kept quietly).
  plan.delete_image = left.empty() && !in_use(img.id);
  return plan;
}

Result<DeletePlan> plan_delete_id(const ImageRecord& img, bool force, const InUseCheck& in_use) {
  if (auto user = in_use(img.id)) {
    return error(Code::kConflict,
                 "conflict: unable to delete {} (cannot be forced) - image is being used by "
                 "running container {}",
                 short_id(img.id), *user);
  }
  if (!force && !is_single_reference(img) && !all_refs(img).empty()) {
    return error(Code::kConflict,
                 "conflict: unable to delete {} (must be forced) - image is referenced in "
                 "multiple repositories",
                 short_id(img.id));
  }
  return DeletePlan{img.id, all_refs(img), true};
}

}  // namespace

bool is_id_prefix(std::string_view id, std::string_view name) {
  if (name.empty()) return false;
  if (id.starts_with(name)) return true;
  return id.starts_with(kSha256Prefix) && id.substr(kSha256Prefix.size()).starts_with(name);
}

Result<std::string> resolve_image(const IndexState& state, std::string_view name) {
  // 1. An ID.
  std::string_view hex = name;
  if (hex.starts_with(kSha256Prefix)) hex.remove_prefix(kSha256Prefix.size());
  if (hex.size() == 64 && is_hex_prefix(hex)) {
    std::string id = std::string(kSha256Prefix) + std::string(hex);
    if (state.images.contains(id)) return id;
    return no_such_image(id);
  }
  if (name.starts_with(kSha256Prefix)) {
    auto found = by_prefix(state, name);
    if (found.is_ok() || found.status().code() != Code::kNotFound) return found;
    return no_such_image(name);
  }
  // 2. A reference.
  SHOAL_ASSIGN_OR_RETURN(Reference ref, parse_reference(name));
  if (const ImageRecord* r = holder(state, lookup_key(ref))) return r->id;
  // 3. An ID prefix.
  auto found = by_prefix(state, name);
  if (found.is_ok() || found.status().code() != Code::kNotFound) return found;
  return no_such_image(with_default_tag(ref).familiar_string());
}

std::string set_reference(IndexState& state, const std::string& ref, const std::string& id) {
  std::string previous;
  bool is_digest = ref.find('@') != std::string::npos;
  for (auto& [other_id, r] : state.images) {
    auto& refs = is_digest ? r.repo_digests : r.repo_tags;
    auto it = std::find(refs.begin(), refs.end(), ref);
    if (it == refs.end()) continue;
    if (other_id == id) return "";
    refs.erase(it);
    previous = other_id;
  }
  auto& refs = is_digest ? state.images.at(id).repo_digests : state.images.at(id).repo_tags;
  refs.push_back(ref);
  return previous;
}

Result<DeletePlan> plan_delete(const IndexState& state, std::string_view name, bool force,
                               const InUseCheck& in_use) {
  SHOAL_ASSIGN_OR_RETURN(std::string id, resolve_image(state, name));
  const ImageRecord& img = state.images.at(id);
  if (is_id_prefix(id, name)) return plan_delete_id(img, force, in_use);
  return plan_untag(img, name, force, in_use);
}

std::string familiar(std::string_view full_reference) {
  auto ref = parse_reference(full_reference);
  return ref.is_ok() ? ref->familiar_string() : std::string(full_reference);
}

}  // namespace shoal::runtime::image
