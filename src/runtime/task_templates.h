// Swarm's placeholders in a task's ContainerSpec, expanded on the node that runs it, as
// swarmkit's template package does: `{{.Service.ID}}`, `{{.Service.Name}}`, `{{.Node.ID}}`,
// `{{.Node.Hostname}}`, `{{.Node.Platform.OS}}`, `{{.Node.Platform.Architecture}}`,
// `{{.Task.ID}}`, `{{.Task.Name}}`, `{{.Task.Slot}}` in Hostname, Env values and mount
// sources and targets (`docker service create --hostname "{{.Node.Hostname}}-{{.Task.Slot}}"`).
//
// Only field references are understood (no functions, pipelines or conditionals); anything
// else is an error naming the text, and the task fails to start with it.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "api/model.h"
#include "common/status.h"

namespace shoal::runtime {

struct TemplateContext {
  std::string service_id;
  std::string service_name;
  std::string node_id;
  std::string node_hostname;
  std::string node_os = "linux";
  std::string node_architecture;
  std::string task_id;
  std::string task_name;  // <service>.<slot>.<task ID>, or <service>.<node ID>.<task ID>
  int64_t task_slot = 0;
};

// The context of `task` on this node (hostname and architecture from uname).
TemplateContext template_context(const api::Task& task);

// `text` with every `{{ .Path }}` replaced. Errors: kInvalidArgument "template: <text>:
// <reason>" for an unknown field, an unclosed action or anything but a field reference.
Result<std::string> expand_template(std::string_view text, const TemplateContext& context);

// `spec` with Hostname, Env values and Mounts' Source and Target expanded.
// Errors: expand_template's, prefixed with the field ("Hostname: ...").
Result<api::ContainerSpec> expand_container_spec(api::ContainerSpec spec,
                                                 const TemplateContext& context);

}  // namespace shoal::runtime
