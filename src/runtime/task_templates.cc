#include "runtime/task_templates.h"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/strings.h"

namespace shoal::runtime {
namespace {

const std::string* field(std::string_view path, const TemplateContext& c, std::string& scratch) {
  if (path == ".Service.ID") return &c.service_id;
  if (path == ".Service.Name") return &c.service_name;
  if (path == ".Node.ID") return &c.node_id;
  if (path == ".Node.Hostname") return &c.node_hostname;
  if (path == ".Node.Platform.OS") return &c.node_os;
  if (path == ".Node.Platform.Architecture") return &c.node_architecture;
  if (path == ".Task.ID") return &c.task_id;
  if (path == ".Task.Name") return &c.task_name;
  if (path == ".Task.Slot") {
    scratch = std::to_string(c.task_slot);
    return &scratch;
  }
  return nullptr;
}

}  // namespace

TemplateContext template_context(const api::Task& task) {
  TemplateContext c;
  c.service_id = task.ServiceID;
  c.service_name = task.Spec->ServiceName;
  c.node_id = task.NodeID;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) c.node_hostname = host;
  utsname u{};
  if (::uname(&u) == 0) c.node_architecture = u.machine;
  c.task_id = task.ID;
  c.task_slot = task.Slot;
  std::string middle = task.Slot > 0 ? std::to_string(task.Slot) : task.NodeID;
  c.task_name = c.service_name.empty() ? task.ID : c.service_name + "." + middle + "." + task.ID;
  return c;
}

Result<std::string> expand_template(std::string_view text, const TemplateContext& context) {
  if (text.find("{{") == std::string_view::npos) return std::string(text);
  std::string out;
  std::string scratch;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return error(Code::kInvalidArgument, "template: {}: unclosed action", text);
    }
    std::string_view action = trim(text.substr(open + 2, close - open - 2), " \t");
    const std::string* value = field(action, context, scratch);
    if (value == nullptr) {
      return error(Code::kInvalidArgument,
                   "template: {}: unsupported expression \"{}\" (known: .Service.ID, "
                   ".Service.Name, .Node.ID, .Node.Hostname, .Node.Platform.OS, "
                   ".Node.Platform.Architecture, .Task.ID, .Task.Name, .Task.Slot)",
                   text, action);
    }
    out.append(*value);
    pos = close + 2;
  }
  return out;
}

Result<api::ContainerSpec> expand_container_spec(api::ContainerSpec spec,
                                                 const TemplateContext& context) {
  auto expand = [&](std::string& value, std::string_view what) -> Status {
    auto expanded = expand_template(value, context);
    if (!expanded.is_ok())
      return error(Code::kInvalidArgument, "{}: {}", what, expanded.status().message());
    value = std::move(*expanded);
    return Status::ok();
  };
  SHOAL_RETURN_IF_ERROR(expand(spec.Hostname, "Hostname"));
  for (std::string& env : spec.Env) {
    // Only the value: a variable's name is never a template.
    size_t eq = env.find('=');
    if (eq == std::string::npos) continue;
    std::string value = env.substr(eq + 1);
    SHOAL_RETURN_IF_ERROR(expand(value, "Env"));
    env.resize(eq + 1);
    env += value;
  }
  for (api::Mount& m : spec.Mounts) {
    SHOAL_RETURN_IF_ERROR(expand(m.Source, "Mounts.Source"));
    SHOAL_RETURN_IF_ERROR(expand(m.Target, "Mounts.Target"));
  }
  return spec;
}

}  // namespace shoal::runtime
