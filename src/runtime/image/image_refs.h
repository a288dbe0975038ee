// Pure decisions over the image index: which image a name means (moby's GetImage), how a
// tag moves, and what `docker rmi` does (moby's ImageDelete, without parent images).
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/image/image_index.h"
#include "runtime/image/reference.h"

namespace shoal::runtime::image {

// The ID of the image `name` means, tried in moby's order:
//   1. "sha256:<64 hex>" or 64 hex digits: that image ID;
//   2. a reference: by digest when it has one (a tag next to it is ignored), else by tag
//      ("latest" when none);
//   3. a unique prefix of an image ID ("2bda2f", "sha256:2bda2f").
// Errors: kNotFound "No such image: <name with default tag, familiar>" (Docker's text);
// kInvalidArgument for a malformed reference or an ambiguous ID prefix.
Result<std::string> resolve_image(const IndexState& state, std::string_view name);

// True when `name` is a prefix of `id`, with or without "sha256:" (moby's isImageIDPrefix).
bool is_id_prefix(std::string_view id, std::string_view name);

// Points the reference `ref` (a full string: "docker.io/library/busybox:1" or
// ".../busybox@sha256:...") at image `id`, taking it from any other image. Returns the ID of
// the image it was taken from, or "" when none (or `id` already had it).
// REQUIRES: state.images contains id.
std::string set_reference(IndexState& state, const std::string& ref, const std::string& id);

// What removing one image name does.
struct DeletePlan {
  std::string image_id;
  std::vector<std::string> untag;  // full references to remove, in order
  bool delete_image = false;       // remove the image itself (and then unused layers)
};

// Tells whether a running container uses the image; its ID (for the message) when so.
using InUseCheck = std::function<std::optional<std::string>(const std::string& image_id)>;

// moby's ImageDelete for `name` (image ID, ID prefix or reference):
//  - a reference is untagged; when it was the last tag of its repository, that
//    repository's digest references go too; the image is deleted when no reference is left
//    and no running container uses it (quietly kept otherwise);
//  - an ID deletes the image: with one repository's references they are untagged first;
//    references in several repositories need `force`.
// Errors: resolve_image's; kConflict "conflict: unable to remove repository reference
// \"<name>\" (must force) - container <c> is using its referenced image <short id>";
// kConflict "conflict: unable to delete <short id> (cannot be forced) - image is being used
// by running container <c>"; kConflict "conflict: unable to delete <short id> (must be
// forced) - image is referenced in multiple repositories".
Result<DeletePlan> plan_delete(const IndexState& state, std::string_view name, bool force,
                               const InUseCheck& in_use);

// The familiar form of a stored full reference ("docker.io/library/busybox:1" → "busybox:1").
std::string familiar(std::string_view full_reference);

}  // namespace shoal::runtime::image
