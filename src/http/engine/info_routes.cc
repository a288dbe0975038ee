// GET /info.
#include "http/engine/handlers.h"
#include "http/engine/info.h"
#include "manager/controlapi/info.h"

namespace shoal::http::engine {

namespace ca = manager::controlapi;

Status register_info_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  std::string version = deps.version;
  return router.add(Method::kGet, "/info", [ctx, version](Request&) -> Result<Response> {
    HostFacts facts;
    api::NodeDescription self = ctx->local.description();
    facts.id = ctx->local.engine_id();
    facts.name = self.Hostname;
    facts.server_version = version;
    facts.ncpu = self.Resources.NanoCPUs / 1'000'000'000;
    facts.mem_total = self.Resources.MemoryBytes;
    facts.root_dir = ctx->local.data_dir();
    facts.now = ctx->clock.now();
    read_host_facts(facts);
    ca::ContainerCounts counts = ca::local_container_counts(*ctx);
    facts.containers = counts.total;
    facts.containers_running = counts.running;
    facts.containers_stopped = counts.stopped;
    std::string body = info_body(facts, ca::swarm_info(*ctx)).dump();
    body.push_back('\n');
    return Response::json_text(200, std::move(body));
  });
}

}  // namespace shoal::http::engine
