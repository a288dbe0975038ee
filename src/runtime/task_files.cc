#include "runtime/task_files.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>

#include "runtime/rootfs/overlay.h"
#include "runtime/task_meta.h"

namespace shoal::runtime {
namespace {

Result<uint32_t> parse_owner(std::string_view text, std::string_view what, std::string_view name) {
  if (text.empty()) return 0u;
  uint32_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return error(Code::kInvalidArgument, "{} of {} must be a number, not \"{}\"", what, name, text);
  }
  return id;
}

std::string join_target(std::string_view dir, const std::string& name) {
  if (!name.empty() && name.front() == '/') return name;
  std::string out(dir);
  if (out.back() != '/') out += '/';
  return out + name;
}

bool loopback(std::string_view ns) {
  return ns.starts_with("127.") || ns == "::1" || ns.starts_with("0:0:0:0:0:0:0:1");
}

}  // namespace

std::string default_hosts(const std::string& hostname, const std::vector<std::string>& extra) {
  std::string out =
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  if (!hostname.empty()) out += "127.0.1.1\t" + hostname + "\n";
  for (const std::string& line : extra) out += line + "\n";
  return out;
}

std::string resolv_conf(std::string_view host, const std::optional<api::DNSConfig>& dns) {
  std::string out;
  if (dns && !dns->Nameservers.empty()) {
    for (const auto& ns : dns->Nameservers) out += "nameserver " + ns + "\n";
    if (!dns->Search.empty()) {
      out += "search";
      for (const auto& s : dns->Search) out += " " + s;
      out += "\n";
    }
    if (!dns->Options.empty()) {
      out += "options";
      for (const auto& o : dns->Options) out += " " + o;
      out += "\n";
    }
    return out;
  }
  std::istringstream in{std::string(host)};
  std::string line;
  bool any = false;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    words >> key >> value;
    if (key == "nameserver") {
      if (loopback(value)) continue;
      any = true;
    }
    out += line + "\n";
  }
  if (!any) out += "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
  return out;
}

Result<std::vector<SecretFile>> secret_files(const api::ContainerSpec& spec,
                                             const agent::DependencyGetter& deps) {
  std::vector<SecretFile> files;
  for (const api::SecretReference& ref : spec.Secrets) {
    auto secret = deps.secret(ref.SecretID);
    if (!secret) {
      return error(Code::kNotFound, "secret {} ({}) is not available on this node", ref.SecretName,
                   ref.SecretID);
    }
    if (!ref.File) continue;  // not a file: nothing to mount
    SecretFile f;
    f.file_name = "s-" + ref.SecretID;
    f.data = secret->Spec.Data;
    SHOAL_ASSIGN_OR_RETURN(f.uid, parse_owner(ref.File->UID, "UID", ref.SecretName));
    SHOAL_ASSIGN_OR_RETURN(f.gid, parse_owner(ref.File->GID, "GID", ref.SecretName));
    f.mode = ref.File->Mode != 0 ? (ref.File->Mode & 07777) : 0444;
    f.target =
        join_target("/run/secrets", ref.File->Name.empty() ? ref.SecretName : ref.File->Name);
    files.push_back(std::move(f));
  }
  for (const api::ConfigReference& ref : spec.Configs) {
    auto config = deps.config(ref.ConfigID);
    if (!config) {
      return error(Code::kNotFound, "config {} ({}) is not available on this node", ref.ConfigName,
                   ref.ConfigID);
    }
    if (!ref.File) continue;  // a runtime target (credential spec): nothing to mount
    SecretFile f;
    f.file_name = "c-" + ref.ConfigID;
    f.data = config->Spec.Data;
    SHOAL_ASSIGN_OR_RETURN(f.uid, parse_owner(ref.File->UID, "UID", ref.ConfigName));
    SHOAL_ASSIGN_OR_RETURN(f.gid, parse_owner(ref.File->GID, "GID", ref.ConfigName));
    f.mode = ref.File->Mode != 0 ? (ref.File->Mode & 07777) : 0444;
    f.target = join_target("/", ref.File->Name.empty() ? ref.ConfigName : ref.File->Name);
    files.push_back(std::move(f));
  }
  return files;
}

Status write_secret_files(const std::filesystem::path& task_dir,
                          const std::vector<SecretFile>& files) {
  if (files.empty()) return Status::ok();
  std::filesystem::path dir = task_dir / "secrets";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return error(Code::kInternal, "cannot create {}: {}", dir.string(), std::strerror(errno));
  }
  if (!rootfs::is_mount_point(dir) &&
      ::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") != 0) {
    return error(Code::kInternal, "cannot mount a tmpfs at {}: {}", dir.string(),
                 std::strerror(errno));
  }
  for (const SecretFile& f : files) {
    std::filesystem::path path = dir / f.file_name;
    SHOAL_RETURN_IF_ERROR(write_file_atomic(path, f.data, f.mode));
    if (::chown(path.c_str(), f.uid, f.gid) != 0) {
      return error(Code::kInternal, "cannot chown {}: {}", path.string(), std::strerror(errno));
    }
  }
  return Status::ok();
}

}  // namespace shoal::runtime
