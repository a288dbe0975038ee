#include "runtime/oci/spec.h"

#include <algorithm>

#include "runtime/oci/capabilities.h"
#include "runtime/oci/seccomp.h"

namespace shoal::runtime::oci {
namespace {

using nlohmann::json;

constexpr int64_t kCpuPeriod = 100000;  // microseconds: Docker's CFS period

std::string_view env_key(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// moby's ReplaceOrAppendEnvValues: an entry replaces the one with its key; an entry without
// '=' removes its key.
void replace_or_append(std::vector<std::string>& env, const std::string& entry) {
  std::string_view key = env_key(entry);
  bool removes = entry.find('=') == std::string::npos;
  auto it =
      std::find_if(env.begin(), env.end(), [&](const std::string& e) { return env_key(e) == key; });
  if (removes) {
    if (it != env.end()) env.erase(it);
  } else if (it != env.end()) {
    *it = entry;
  } else {
    env.push_back(entry);
  }
}

json mount(std::string_view dest, std::string_view type, std::string_view source,
           std::vector<std::string> options) {
  json m = {{"destination", dest}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = std::move(options);
  return m;
}

std::vector<json> default_mounts() {
  return {
      mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/dev/shm", "tmpfs", "shm",
            {"nosuid", "noexec", "nodev", "mode=1777", "size=67108864"}),
  };
}

std::string propagation_name(api::Propagation p) {
  return p == api::Propagation::kUnset ? "rprivate" : std::string(api::to_string(p));
}

size_t depth(const std::string& path) { return std::count(path.begin(), path.end(), '/'); }

Result<json> user_mount(const ResolvedMount& rm) {
  const api::Mount& m = rm.mount;
  if (m.Target.empty() || m.Target.front() != '/') {
    return error(Code::kInvalidArgument, "invalid mount target \"{}\": must be an absolute path",
                 m.Target);
  }
  if (m.Type == api::MountType::kTmpfs) {
    std::vector<std::string> opts = {"noexec", "nosuid", "nodev", "rprivate"};
    if (m.TmpfsOptions && m.TmpfsOptions->SizeBytes > 0) {
      opts.push_back("size=" + std::to_string(m.TmpfsOptions->SizeBytes));
    }
    if (m.TmpfsOptions && m.TmpfsOptions->Mode != 0) {
      opts.push_back(fmt::format("mode={:o}", m.TmpfsOptions->Mode & 07777));
    }
    if (m.ReadOnly) opts.push_back("ro");
    return mount(m.Target, "tmpfs", "tmpfs", std::move(opts));
  }
  if (m.Type != api::MountType::kBind && m.Type != api::MountType::kVolume) {
    return error(Code::kInvalidArgument, "mount type \"{}\" is not supported on linux",
                 api::to_string(m.Type));
  }
  bool non_recursive = m.BindOptions && m.BindOptions->NonRecursive;
  std::vector<std::string> opts = {non_recursive ? "bind" : "rbind"};
  if (m.ReadOnly) opts.push_back("ro");
  opts.push_back(
      propagation_name(m.BindOptions ? m.BindOptions->Propagation : api::Propagation::kUnset));
  return mount(m.Target, "bind", rm.source, std::move(opts));
}

// Every mount of the container: defaults not overridden, the task's files, user mounts.
Result<json> mounts(const SpecInputs& in) {
  std::vector<ResolvedMount> user = in.mounts;
  std::stable_sort(user.begin(), user.end(), [](const ResolvedMount& a, const ResolvedMount& b) {
    return depth(a.mount.Target) < depth(b.mount.Target);
  });
  auto user_has = [&](std::string_view dest) {
    return std::any_of(user.begin(), user.end(),
                       [&](const ResolvedMount& m) { return m.mount.Target == dest; });
  };
  bool user_dev = user_has("/dev");
  json out = json::array();
  for (json& m : default_mounts()) {
    const std::string& dest = m["destination"].get_ref<const std::string&>();
    if (user_has(dest) || (user_dev && dest.starts_with("/dev/"))) continue;
    out.push_back(std::move(m));
  }
  std::vector<std::string> file_opts = {"rbind", "rprivate"};
  if (in.spec->ReadOnly) file_opts.push_back("ro");
  const std::pair<std::string_view, const std::string*> etc[] = {
      {"/etc/hosts", &in.hosts_file},
      {"/etc/resolv.conf", &in.resolv_conf_file},
      {"/etc/hostname", &in.hostname_file}};
  for (const auto& [dest, source] : etc) {
    if (!source->empty() && !user_has(dest)) out.push_back(mount(dest, "bind", *source, file_opts));
  }
  for (const FileMount& f : in.files) {
    out.push_back(mount(f.target, "bind", f.source, {"rbind", "ro", "rprivate"}));
  }
  if (in.spec->Init.value_or(false)) {
    out.push_back(mount(kInitPathInContainer, "bind", in.init_binary, {"rbind", "ro", "rprivate"}));
  }
  for (const ResolvedMount& m : user) {
    SHOAL_ASSIGN_OR_RETURN(json j, user_mount(m));
    out.push_back(std::move(j));
  }
  return out;
}

Result<json> process(const SpecInputs& in) {
  const api::ContainerSpec& spec = *in.spec;
  SHOAL_ASSIGN_OR_RETURN(std::vector<std::string> args, command_line(spec, *in.image));
  if (spec.Init.value_or(false)) {
    if (in.init_binary.empty()) {
      return error(Code::kInvalidArgument, "init requested but no init binary is installed");
    }
    args.insert(args.begin(), {std::string(kInitPathInContainer), "--"});
  }
  const std::string& user_text = spec.User.empty() ? in.image->User : spec.User;
  SHOAL_ASSIGN_OR_RETURN(ExecUser user, resolve_user(*in.users, user_text, spec.Groups));
  std::vector<std::string> env = environment(spec, *in.image, in.hostname);
  if (std::none_of(env.begin(), env.end(),
                   [](const std::string& e) { return env_key(e) == "HOME"; })) {
    env.push_back("HOME=" + user.home);
  }
  std::string cwd = !spec.Dir.empty()               ? spec.Dir
                    : !in.image->WorkingDir.empty() ? in.image->WorkingDir
                                                    : "/";
  SHOAL_ASSIGN_OR_RETURN(std::vector<std::string> caps,
                         tweak_capabilities(spec.CapabilityAdd, spec.CapabilityDrop));
  json p = {{"terminal", spec.TTY},
            {"user", {{"uid", user.uid}, {"gid", user.gid}}},
            {"args", args},
            {"env", env},
            {"cwd", cwd},
            {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}}};
  if (!user.additional_gids.empty()) p["user"]["additionalGids"] = user.additional_gids;
  SHOAL_ASSIGN_OR_RETURN(json limits, rlimits(spec.Ulimits));
  if (!limits.empty()) p["rlimits"] = std::move(limits);
  return p;
}

json resources(const std::optional<api::Limit>& limits) {
  json r = {{"devices", json::array({{{"allow", false}, {"access", "rwm"}}})}};
  if (!limits) return r;
  if (limits->NanoCPUs > 0) {
    r["cpu"] = {{"quota", limits->NanoCPUs * kCpuPeriod / 1000000000}, {"period", kCpuPeriod}};
  }
  if (limits->MemoryBytes > 0) r["memory"] = {{"limit", limits->MemoryBytes}};
  if (limits->Pids > 0) r["pids"] = {{"limit", limits->Pids}};
  return r;
}

json linux_section(const SpecInputs& in, const std::vector<std::string>& caps) {
  json ns =
      json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}});
  json net = {{"type", "network"}};
  if (!in.netns_path.empty()) net["path"] = in.netns_path;
  ns.push_back(std::move(net));
  json l = {{"namespaces", std::move(ns)},
            {"resources", resources(in.limits)},
            {"cgroupsPath", in.cgroups_path},
            {"maskedPaths",
             {"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
              "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
              "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"}},
            {"readonlyPaths",
             {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}};
  if (!in.spec->Sysctls.empty()) l["sysctl"] = in.spec->Sysctls;
  if (in.seccomp_arch) l["seccomp"] = default_seccomp_profile(caps, *in.seccomp_arch);
  return l;
}

}  // namespace

Result<std::vector<std::string>> command_line(const api::ContainerSpec& spec,
                                              const image::ImageConfig& image) {
  std::vector<std::string> args;
  if (!spec.Command.empty()) {
    args = spec.Command;
    args.insert(args.end(), spec.Args.begin(), spec.Args.end());
  } else {
    args = image.Entrypoint;
    const auto& cmd = spec.Args.empty() ? image.Cmd : spec.Args;
    args.insert(args.end(), cmd.begin(), cmd.end());
  }
  if (args.empty()) return error(Code::kInvalidArgument, "no command specified");
  return args;
}

std::vector<std::string> environment(const api::ContainerSpec& spec,
                                     const image::ImageConfig& image, const std::string& hostname) {
  // The container's Env: the spec's, then the image's for keys the spec does not set.
  std::vector<std::string> merged = spec.Env;
  for (const std::string& e : image.Env) {
    bool overridden = std::any_of(spec.Env.begin(), spec.Env.end(),
                                  [&](const std::string& s) { return env_key(s) == env_key(e); });
    if (!overridden) merged.push_back(e);
  }
  std::vector<std::string> env = {std::string(kDefaultPath), "HOSTNAME=" + hostname};
  if (spec.TTY) env.emplace_back("TERM=xterm");
  for (const std::string& e : merged) replace_or_append(env, e);
  return env;
}

Result<json> rlimits(const std::vector<api::Ulimit>& ulimits) {
  static constexpr std::string_view kNames[] = {
      "as",   "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue",
      "nice", "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};
  json out = json::array();
  for (const api::Ulimit& u : ulimits) {
    if (std::find(std::begin(kNames), std::end(kNames), u.Name) == std::end(kNames)) {
      return error(Code::kInvalidArgument, "invalid ulimit name: {}", u.Name);
    }
    std::string type = "RLIMIT_";
    for (char c : u.Name) type += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out.push_back({{"type", type}, {"hard", u.Hard}, {"soft", u.Soft}});
  }
  return out;
}

Result<json> build_spec(const SpecInputs& in) {
  SHOAL_ASSIGN_OR_RETURN(json proc, process(in));
  SHOAL_ASSIGN_OR_RETURN(json all_mounts, mounts(in));
  auto caps = proc["capabilities"]["bounding"].get<std::vector<std::string>>();
  json spec = {{"ociVersion", "1.0.2"},
               {"process", std::move(proc)},
               {"root", {{"path", in.rootfs}, {"readonly", in.spec->ReadOnly}}},
               {"hostname", in.hostname},
               {"mounts", std::move(all_mounts)},
               {"linux", linux_section(in, caps)}};
  if (!in.annotations.empty()) spec["annotations"] = in.annotations;
  return spec;
}

}  // namespace shoal::runtime::oci
