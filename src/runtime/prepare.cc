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
#include "runtime/prepare_plan.h"
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

// Undoes a prepare that fails: while armed, its destructor removes whatever the task dir,
// mounts and network hold so far (cleanup() reads `meta` as it is then).
class PrepareUndo {
 public:
  PrepareUndo(RuncExecutor::Core& core, const std::string& task_id, fs::path dir,
              const TaskMeta& meta)
      : core_(core), task_id_(task_id), dir_(std::move(dir)), meta_(meta) {}
  ~PrepareUndo() {
    if (!armed_) return;
    spdlog::debug("task {}: prepare failed, cleaning up", task_id_);
    if (Status c = core_.cleanup(task_id_, dir_, &meta_); !c.is_ok()) {
      spdlog::warn("task {}: cleanup after a failed prepare: {}", task_id_, c.message());
    }
  }
  PrepareUndo(const PrepareUndo&) = delete;
  PrepareUndo& operator=(const PrepareUndo&) = delete;
  void disarm() { armed_ = false; }

 private:
  RuncExecutor::Core& core_;
  const std::string& task_id_;
  const fs::path dir_;
  const TaskMeta& meta_;
  bool armed_ = true;
};

}  // namespace

// Decisions come from prepare_plan.h; this makes what they describe, in order, and undoes
// all of it (PrepareUndo) when a step fails.
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
  TaskMeta meta = plan_task_meta(task, spec, img, options.network != nullptr, now());

  SHOAL_RETURN_IF_ERROR(make_dir(dir, 0700));
  PrepareUndo undo(*this, task.ID, dir, meta);
  SHOAL_RETURN_IF_ERROR(write_task_meta(dir, meta));
  SHOAL_RETURN_IF_ERROR(rootfs::mount_rootfs(dir, img.LayerDirs));
  const fs::path rootfs_dir = dir / "rootfs";

  network::Sandbox sandbox;
  if (options.network != nullptr) {
    SHOAL_ASSIGN_OR_RETURN(sandbox, options.network->attach(task));
    meta.Ports.Ports = sandbox.ports;
  }
  const IdentityFiles identity = plan_identity_files(
      task, spec, sandbox, sandbox.resolv_conf.empty() ? read_text("/etc/resolv.conf") : "");
  const std::pair<const char*, std::string> files_out[] = {{"hosts", identity.hosts},
                                                           {"resolv.conf", identity.resolv_conf},
                                                           {"hostname", identity.hostname + "\n"}};
  for (const auto& [name, text] : files_out) {
    // Bind-mounted into the container, where a non-root user must read them (as Docker's).
    SHOAL_RETURN_IF_ERROR(write_file_atomic(dir / name, text, 0644));
  }
  SHOAL_RETURN_IF_ERROR(write_secret_files(dir, files));
  SHOAL_ASSIGN_OR_RETURN(std::vector<oci::ResolvedMount> mounts,
                         resolve_mounts(spec, volumes, rootfs_dir, meta));

  oci::UserDb users =
      oci::UserDb::parse(read_text(rootfs_dir / "etc/passwd"), read_text(rootfs_dir / "etc/group"));
  oci::SpecInputs in;
  in.spec = &spec;
  if (task.Spec->Resources && task.Spec->Resources->Limits)
    in.limits = task.Spec->Resources->Limits;
  in.image = &img.Config;
  in.users = &users;
  in.rootfs = rootfs_dir.string();
  in.hostname = identity.hostname;
  in.netns_path = sandbox.netns_path.string();
  in.hosts_file = (dir / "hosts").string();
  in.resolv_conf_file = (dir / "resolv.conf").string();
  in.hostname_file = (dir / "hostname").string();
  for (const SecretFile& f : files)
    in.files.push_back({(dir / "secrets" / f.file_name).string(), f.target});
  in.mounts = std::move(mounts);
  in.cgroups_path = "/shoal/" + task.ID;
  in.init_binary = options.init_binary;
  in.annotations = container_labels(task);
  SHOAL_ASSIGN_OR_RETURN(nlohmann::json config, oci::build_spec(in));
  SHOAL_RETURN_IF_ERROR(write_file_atomic(dir / "config.json", config.dump()));

  meta.Prepared = true;
  SHOAL_RETURN_IF_ERROR(write_task_meta(dir, meta));
  undo.disarm();
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
