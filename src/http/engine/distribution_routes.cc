// GET /distribution/{name}/json: the registry digest and platforms of an image, which
// `docker service create/update` and `stack deploy` ask for to pin images.
//
// shoal has no registry client or image store yet, so every name is answered 404 the way
// a daemon answers for an unknown manifest; the CLI then warns ("could not be accessed on a
// registry to record its digest") and keeps the tag (docker-cli-api.md §12). This is the one
// place to answer from the image store once it exists.
#include "http/engine/handlers.h"

namespace shoal::http::engine {

Status register_distribution_routes(Router& router, const EngineDeps&) {
  return router.add(
      Method::kGet, "/distribution/{name:.*}/json", [](Request& req) -> Result<Response> {
        return error(
            Code::kNotFound,
            "manifest for {} not found: manifest unknown: shoal has no registry access yet",
            req.param("name"));
      });
}

}  // namespace shoal::http::engine
