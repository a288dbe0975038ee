// RuncExecutor::Core::prepare: everything a task needs before `runc create` (see
// runc_executor.h), undone as a whole when a step fails.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/mutex.h"
#include "runtime/executor_core.h"
#include "runtime/image/registry_auth.h"
#include "runtime/oci/spec.h"
#include "runtime/rootfs/overlay.h"
#include "runtime/task_files.h"
#include "runtime/task_templates.h"

namespace shoal::runtime {
namespace fs = std::filesystem;
namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status make_dir(const fs::path& dir, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return error(Code::kInternal, "cannot create {}: {}", dir.string(), std::strerror(errno));
  }
  return Status::ok();
}

// The swarm labels Docker puts on a task's container, plus the spec's labels.
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

// Host paths for the spec's mounts; named volumes are dirs under <data>/volumes that outlive
// the task, anonymous ones are named after it and removed with it.
Result<std::vector<oci::ResolvedMount>> resolve_mounts(const api::ContainerSpec& spec,
                                                       const fs::path& volumes,
                                                       const fs::path& rootfs, TaskMeta& meta) {
  std::vector<oci::ResolvedMount> out;
  int anonymous = 0;
  for (const api::Mount& m : spec.Mounts) {
    oci::ResolvedMount rm{m, {}};
    if (m.Type == api::MountType::kBind) {
      struct stat st {};
      if (::stat(m.Source.c_str(), &st) != 0) {
        return error(Code::kInvalidArgument,
                     "invalid mount config for type \"bind\": bind source path does not exist: {}",
                     m.Source);
      }
      rm.source = m.Source;
    } else if (m.Type == api::MountType::kVolume) {
      if (m.VolumeOptions && m.VolumeOptions->DriverConfig &&
          !m.VolumeOptions->DriverConfig->Name.empty() &&
          m.VolumeOptions->DriverConfig->Name != "local") {
        return error(Code::kInvalidArgument, "volume driver {} is not supported (only local)",
                     m.VolumeOptions->DriverConfig->Name);
      }
      std::string name = m.Source;
      if (name.empty()) {
        name = meta.TaskID + "-" + std::to_string(anonymous++);
        meta.AnonymousVolumes.push_back(name);
      }
      fs::path data = volumes / name / "_data";
      bool fresh = !fs::exists(data);
      SHOAL_RETURN_IF_ERROR(make_dir(volumes / name, 0700));
      // The volume's root is the container's: 0755 as Docker's, whatever the umask.
      SHOAL_RETURN_IF_ERROR(make_dir(data, 0755));
      if (fresh && ::chmod(data.c_str(), 0755) != 0) {
        return error(Code::kInternal, "cannot chmod {}: {}", data.string(), std::strerror(errno));
      }
      fs::path image_side = rootfs / fs::path(m.Target).relative_path();
      bool copy = fresh && !(m.VolumeOptions && m.VolumeOptions->NoCopy);
      std::error_code ec;
      if (copy && fs::is_directory(image_side, ec)) {
        fs::copy(image_side, data, fs::copy_options::recursive | fs::copy_options::copy_symlinks,
                 ec);
      }
      rm.source = data.string();
    }
    out.push_back(std::move(rm));
  }
  return out;
}

}  // namespace

Status RuncExecutor::Core::prepare(const RecordPtr& rec, const agent::DependencyGetter& deps) {
  std::shared_ptr<const api::Task> task_ptr;
  {
    MutexLock lock(mu);
    if (rec->phase != TaskRecord::Phase::kNew) return Status::ok();
    task_ptr = rec->task;
  }
  const api::Task& task = *task_ptr;
  // Swarm's placeholders ({{.Task.Slot}}, ...) expanded for this task on this node.
  SHOAL_ASSIGN_OR_RETURN(const api::ContainerSpec spec,
                         expand_container_spec(*task.Spec->ContainerSpec, template_context(task)));
  const fs::path dir = rec->dir;
  if (auto old = read_task_meta(dir); old.is_ok() && old->Prepared) {
    MutexLock lock(mu);
    rec->meta = std::move(old).value();
    rec->phase = TaskRecord::Phase::kPrepared;
    return Status::ok();
  }

  auto began = std::chrono::steady_clock::now();
  SHOAL_ASSIGN_OR_RETURN(std::vector<SecretFile> files, secret_files(spec, deps));
  // The service's --with-registry-auth credentials; the manager checked that they decode.
  image::RegistryAuth auth;
  if (auto decoded = image::decode_registry_auth(spec.RegistryAuth); decoded.is_ok())
    auth = *decoded;
  SHOAL_ASSIGN_OR_RETURN(image::Image img,
                         options.images->get(spec.Image, image::PullPolicy::kIfMissing, auth));

  TaskMeta meta;
  meta.TaskID = task.ID;
  meta.ServiceID = task.ServiceID;
  meta.ServiceName = task.Spec->ServiceName;
  meta.NodeID = task.NodeID;
  meta.Slot = task.Slot;
  meta.Image = spec.Image;
  meta.ImageID = img.ID;
  meta.StopSignal = !spec.StopSignal.empty() ? spec.StopSignal : img.Config.StopSignal;
  if (spec.StopGracePeriod) meta.StopGraceNanos = spec.StopGracePeriod->count();
  meta.Health = resolve_health(spec.Healthcheck, img.Config);
  meta.NetworkAttached = options.network != nullptr;
  meta.Created = now();

  SHOAL_RETURN_IF_ERROR(make_dir(dir, 0700));
  Status st = write_task_meta(dir, meta);
  auto undo = [&](Status failure) {
    spdlog::debug("task {}: prepare failed, cleaning up: {}", task.ID, failure.message());
    if (Status c = cleanup(task.ID, dir, &meta); !c.is_ok()) {
      spdlog::warn("task {}: cleanup after a failed prepare: {}", task.ID, c.message());
    }
    return failure;
  };
  if (!st.is_ok()) return undo(st);
  if (st = rootfs::mount_rootfs(dir, img.LayerDirs); !st.is_ok()) return undo(st);
  fs::path rootfs_dir = dir / "rootfs";

  network::Sandbox sandbox;
  if (options.network != nullptr) {
    auto attached = options.network->attach(task);
    if (!attached.is_ok()) return undo(attached.status());
    sandbox = std::move(attached).value();
    meta.Ports.Ports = sandbox.ports;
  }
  std::string hostname = !spec.Hostname.empty()      ? spec.Hostname
                         : !sandbox.hostname.empty() ? sandbox.hostname
                                                     : task.ID.substr(0, 12);
  // The sandbox's hosts file already holds ContainerSpec.Hosts.
  std::string hosts = sandbox.hosts.empty() ? default_hosts(hostname, spec.Hosts) : sandbox.hosts;
  std::string resolv =
      resolv_conf(sandbox.resolv_conf.empty() ? read_text("/etc/resolv.conf") : sandbox.resolv_conf,
                  spec.DNSConfig);
  const std::pair<const char*, std::string> files_out[] = {
      {"hosts", hosts}, {"resolv.conf", resolv}, {"hostname", hostname + "\n"}};
  for (const auto& [name, text] : files_out) {
    // Bind-mounted into the container, where a non-root user must read them (as Docker's).
    if (st = write_file_atomic(dir / name, text, 0644); !st.is_ok()) return undo(st);
  }
  if (st = write_secret_files(dir, files); !st.is_ok()) return undo(st);

  auto mounts = resolve_mounts(spec, volumes, rootfs_dir, meta);
  if (!mounts.is_ok()) return undo(mounts.status());
  oci::UserDb users =
      oci::UserDb::parse(read_text(rootfs_dir / "etc/passwd"), read_text(rootfs_dir / "etc/group"));
  oci::SpecInputs in;
  in.spec = &spec;
  if (task.Spec->Resources && task.Spec->Resources->Limits)
    in.limits = task.Spec->Resources->Limits;
  in.image = &img.Config;
  in.users = &users;
  in.rootfs = rootfs_dir.string();
  in.hostname = hostname;
  in.netns_path = sandbox.netns_path.string();
  in.hosts_file = (dir / "hosts").string();
  in.resolv_conf_file = (dir / "resolv.conf").string();
  in.hostname_file = (dir / "hostname").string();
  for (const SecretFile& f : files)
    in.files.push_back({(dir / "secrets" / f.file_name).string(), f.target});
  in.mounts = std::move(mounts).value();
  in.cgroups_path = "/shoal/" + task.ID;
  in.init_binary = options.init_binary;
  in.annotations = container_labels(task);
  auto config = oci::build_spec(in);
  if (!config.is_ok()) return undo(config.status());
  if (st = write_file_atomic(dir / "config.json", config->dump()); !st.is_ok()) return undo(st);

  meta.Prepared = true;
  if (st = write_task_meta(dir, meta); !st.is_ok()) return undo(st);
  spdlog::debug("task {}: prepared in {} ms", task.ID,
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - began)
                    .count());
  MutexLock lock(mu);
  rec->meta = std::move(meta);
  rec->phase = TaskRecord::Phase::kPrepared;
  return Status::ok();
}

}  // namespace shoal::runtime
