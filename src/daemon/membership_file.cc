#include "daemon/membership_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/enum.h"

namespace shoal::daemon {
namespace {

constexpr const char* kMembershipFile = "swarm.json";
constexpr const char* kEngineIdFile = "engine-id";

std::string path_in(const std::string& dir, const char* name) { return dir + "/" + name; }

Result<std::optional<std::string>> read_if_exists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>();
    return error(Code::kInternal, "cannot read {}: {}", path, std::strerror(errno));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return std::optional<std::string>(buffer.str());
}

}  // namespace

Status write_file_atomically(const std::string& path, const std::string& content, int mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return error(Code::kInternal, "cannot write {}: {}", tmp, std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return error(Code::kInternal, "cannot write {}: {}", tmp, std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return error(Code::kInternal, "cannot sync {}: {}", tmp, std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return error(Code::kInternal, "cannot rename {} to {}: {}", tmp, path, std::strerror(errno));
  }
  return Status::ok();
}

Result<std::optional<SavedMembership>> load_membership(const std::string& data_dir) {
  std::string path = path_in(data_dir, kMembershipFile);
  SHOAL_ASSIGN_OR_RETURN(auto text, read_if_exists(path));
  if (!text) return std::optional<SavedMembership>();
  auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return error(Code::kInternal, "{} is not a JSON object", path);
  SavedMembership saved;
  auto& m = saved.membership;
  m.node_id = json.value("NodeID", "");
  m.cluster_id = json.value("ClusterID", "");
  auto role = api::parse_enum<api::NodeRole>(json.value("Role", "manager"));
  if (!role || m.node_id.empty()) return error(Code::kInternal, "{} is not a membership", path);
  m.role = *role;
  m.advertise_addr = json.value("AdvertiseAddr", "");
  m.listen_addr = json.value("ListenAddr", "");
  m.data_path_addr = json.value("DataPathAddr", "");
  saved.unlock_key = json.value("UnlockKey", "");
  auto managers = json.find("ManagerAddrs");
  if (managers != json.end() && managers->is_array()) {
    for (const auto& addr : *managers) {
      if (addr.is_string()) saved.manager_addrs.push_back(addr.get<std::string>());
    }
  }
  return std::optional<SavedMembership>(std::move(saved));
}

Status save_membership(const std::string& data_dir, const SavedMembership& saved) {
  const auto& m = saved.membership;
  nlohmann::json json = {
      {"NodeID", m.node_id},
      {"ClusterID", m.cluster_id},
      {"Role", std::string(api::to_string(m.role))},
      {"AdvertiseAddr", m.advertise_addr},
      {"ListenAddr", m.listen_addr},
      {"DataPathAddr", m.data_path_addr},
      {"UnlockKey", saved.unlock_key},
      {"ManagerAddrs", saved.manager_addrs},
  };
  return write_file_atomically(path_in(data_dir, kMembershipFile), json.dump(2) + "\n", 0600);
}

Status remove_membership(const std::string& data_dir) {
  std::string path = path_in(data_dir, kMembershipFile);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return error(Code::kInternal, "cannot remove {}: {}", path, std::strerror(errno));
  }
  return Status::ok();
}

Result<std::string> load_or_create_engine_id(const std::string& data_dir,
                                             const std::string& fresh) {
  std::string path = path_in(data_dir, kEngineIdFile);
  SHOAL_ASSIGN_OR_RETURN(auto text, read_if_exists(path));
  if (text) {
    std::string id = *text;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    if (!id.empty()) return id;
  }
  SHOAL_RETURN_IF_ERROR(write_file_atomically(path, fresh + "\n", 0600));
  return fresh;
}

}  // namespace shoal::daemon
