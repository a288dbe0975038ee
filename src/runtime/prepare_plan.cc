#include "runtime/prepare_plan.h"

#include "runtime/health.h"
#include "runtime/task_files.h"
#include "runtime/task_templates.h"

namespace shoal::runtime {

TaskMeta plan_task_meta(const api::Task& task, const api::ContainerSpec& spec,
                        const image::Image& image, bool network_attached, Timestamp created) {
  TaskMeta meta;
  meta.TaskID = task.ID;
  meta.ServiceID = task.ServiceID;
  meta.ServiceName = task.Spec->ServiceName;
  meta.NodeID = task.NodeID;
  meta.Slot = task.Slot;
  meta.Image = spec.Image;
  meta.ImageID = image.ID;
  meta.StopSignal = !spec.StopSignal.empty() ? spec.StopSignal : image.Config.StopSignal;
  if (spec.StopGracePeriod) meta.StopGraceNanos = spec.StopGracePeriod->count();
  meta.Health = resolve_health(spec.Healthcheck, image.Config);
  meta.NetworkAttached = network_attached;
  meta.Created = created;
  return meta;
}

IdentityFiles plan_identity_files(const api::Task& task, const api::ContainerSpec& spec,
                                  const network::Sandbox& sandbox,
                                  std::string_view host_resolv_conf) {
  IdentityFiles files;
  files.hostname = !spec.Hostname.empty()      ? spec.Hostname
                   : !sandbox.hostname.empty() ? sandbox.hostname
                                               : task.ID.substr(0, 12);
  files.hosts = sandbox.hosts.empty() ? default_hosts(files.hostname, spec.Hosts) : sandbox.hosts;
  files.resolv_conf = resolv_conf(
      sandbox.resolv_conf.empty() ? host_resolv_conf : std::string_view(sandbox.resolv_conf),
      spec.DNSConfig);
  return files;
}

std::map<std::string, std::string> container_labels(const api::Task& task) {
  std::map<std::string, std::string> labels(task.Spec->ContainerSpec->Labels.begin(),
                                            task.Spec->ContainerSpec->Labels.end());
  labels["com.docker.swarm.task.id"] = task.ID;
  labels["com.docker.swarm.service.id"] = task.ServiceID;
  labels["com.docker.swarm.node.id"] = task.NodeID;
  if (!task.Spec->ServiceName.empty()) {
    labels["com.docker.swarm.service.name"] = task.Spec->ServiceName;
    labels["com.docker.swarm.task.name"] = template_context(task).task_name;
  }
  if (!task.Name.empty()) labels["com.docker.swarm.task.name"] = task.Name;
  return labels;
}

}  // namespace shoal::runtime
