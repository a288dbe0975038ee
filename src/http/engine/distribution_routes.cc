// GET /distribution/{name}/json: the registry digest and platforms of an image, which
// `docker service create/update` and `stack deploy` ask for to pin images (the CLI turns
// busybox:1 into busybox:1@<digest> and sets Placement.Platforms).
//
// Answered from the image's registry (ImageStore::distribution: the manifest's or index's
// descriptor; the index's platforms or the config's platform), as moby does. An image only
// loaded on this node (a local tag, no repo digest of that repository) is answered as a
// registry that does not know it answers — 404 "manifest ... not found: manifest unknown"
// — without asking one: the CLI then warns that the image could not be accessed on a
// registry, keeps the tag, and every task uses the local image (docker-cli-api.md §12).
// Without an image store (route tests), every name gets that answer.
//
// POST /auth: `docker login`'s check of credentials against a registry (ImageStore::login);
// 200 {"Status":"Login Succeeded"} and the CLI stores them; 401 with the registry's words
// when they are refused. Nothing is kept here: the CLI sends them with each request that
// needs them (X-Registry-Auth).
#include <nlohmann/json.hpp>

#include "http/engine/handlers.h"
#include "http/engine/image_routes.h"
#include "runtime/image/reference.h"
#include "runtime/image/registry_auth.h"

namespace shoal::http::engine {
namespace img = runtime::image;

namespace {

Status not_on_a_registry(std::string_view name) {
  auto ref = img::parse_reference(name);
  std::string shown =
      ref.is_ok() ? img::with_default_tag(*ref).familiar_string() : std::string(name);
  return error(Code::kNotFound, "manifest for {} not found: manifest unknown: manifest unknown",
               shown);
}

}  // namespace

Result<Response> login(img::ImageStore* store, const Request& req) {
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object()) return error(Code::kInvalidArgument, "invalid JSON in the request body");
  auto text = [&](const char* key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  img::RegistryAuth auth{text("username"), text("password"), text("identitytoken"),
                         text("registrytoken")};
  if (store == nullptr) return error(Code::kUnavailable, "this daemon has no image store");
  SHOAL_RETURN_IF_ERROR(store->login(text("serveraddress"), auth));
  return Response::json(200, {{"Status", "Login Succeeded"}, {"IdentityToken", ""}});
}

Status register_distribution_routes(Router& router, const EngineDeps& deps) {
  img::ImageStore* store = deps.images;
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/auth", [store](Request& req) { return login(store, req); }));
  return router.add(
      Method::kGet, "/distribution/{name:.*}/json", [store](Request& req) -> Result<Response> {
        std::string name(req.param("name"));
        if (store == nullptr) return not_on_a_registry(name);
        if (!name.starts_with("sha256:")) {
          SHOAL_ASSIGN_OR_RETURN(img::Reference ref, img::parse_reference(name));
          (void)ref;
        }
        if (store->is_local_only(name)) return not_on_a_registry(name);
        auto auth = img::decode_registry_auth(req.headers.get("X-Registry-Auth").value_or(""));
        SHOAL_ASSIGN_OR_RETURN(
            img::DistributionInfo info,
            store->distribution(name, auth.is_ok() ? *auth : img::RegistryAuth{}));
        return Response::json(200, distribution_json(info));
      });
}

}  // namespace shoal::http::engine
