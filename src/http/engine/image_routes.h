// The Docker Engine API's image routes (API v1.41) over the image store
// (runtime/image/image_store.h):
//   GET    /images/json              docker images: ImageSummary list; filters dangling,
//                                    label, reference, before, since
//   GET    /images/{name}/json       docker image inspect
//   POST   /images/create            docker pull (?fromImage=&tag=): a JSON progress stream;
//                                    errors before the first message are HTTP errors, later
//                                    ones an {"errorDetail":...,"error":...} line (as moby)
//   POST   /images/load              docker load: the body is the archive; JSON lines
//                                    {"stream":"Loaded image: busybox:latest\n"}, an error
//                                    as an {"errorDetail":...} line with status 200 (as moby)
//   DELETE /images/{name}            docker rmi (?force=, noprune= accepted): the
//                                    [{"Untagged":...},{"Deleted":...}] list
// and GET /distribution/{name}/json and POST /auth (distribution_routes.cc). Not served: push, tag,
// history, search, import, build, prune, save.
//
// The JSON shaping is here as pure functions, so it can be tested without a server.
//
// Thread safety: pure functions; handlers run concurrently (the store is thread-safe).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/engine/filters.h"
#include "runtime/image/image_store.h"

namespace shoal::http::engine {

// moby's ImageSummary at API 1.41: untagged images list "<none>:<none>" and
// "<none>@<none>"; VirtualSize = Size; Containers and SharedSize -1 (not computed).
nlohmann::json image_summary_json(const runtime::image::Image& image);

// moby's image inspect answer at API 1.41; `config_json` is the image's config blob (its
// "config" object becomes Config, with container.Config's keys filled in).
nlohmann::json image_inspect_json(const runtime::image::Image& image, std::string_view config_json);

// OK when every key is one docker images accepts; kInvalidArgument "invalid filter '<k>'".
Status validate_image_filters(const Filters& filters);

// Whether `image` passes the docker images filters (keys dangling, label, label!,
// reference, before, since, until; `before`/`since` are resolved by the caller to images).
// With a reference filter the caller lists only the matching references, as moby does. Errors:
// kInvalidArgument for an unknown key or a bad dangling value (moby's texts).
Result<bool> image_matches(const runtime::image::Image& image, const Filters& filters,
                           const runtime::image::Image* before, const runtime::image::Image* since);

// One line of Docker's JSON message stream.
std::string json_message_status(const runtime::image::PullProgress& progress);
std::string json_message_stream(std::string_view text);  // {"stream":"<text>\n"}
std::string json_message_error(std::string_view message);

// {"Descriptor":{...},"Platforms":[...]} as moby's DistributionInspect.
nlohmann::json distribution_json(const runtime::image::DistributionInfo& info);

}  // namespace shoal::http::engine
