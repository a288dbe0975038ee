#include "provider/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace shoal::provider {
namespace {

using nlohmann::json;

constexpr ResourceKind kKinds[] = {
    ResourceKind::kNftTable, ResourceKind::kBridge, ResourceKind::kNetns, ResourceKind::kVeth,
    ResourceKind::kDir,      ResourceKind::kMount,  ResourceKind::kPid};

Result<ResourceKind> kind_from(const std::string& name) {
  for (ResourceKind k : kKinds) {
    if (name == kind_name(k)) return k;
  }
  return error(Code::kInvalidArgument, "unknown resource kind \"{}\"", name);
}

}  // namespace

const char* kind_name(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kNftTable:
      return "nft-table";
    case ResourceKind::kBridge:
      return "bridge";
    case ResourceKind::kNetns:
      return "netns";
    case ResourceKind::kVeth:
      return "veth";
    case ResourceKind::kDir:
      return "dir";
    case ResourceKind::kMount:
      return "mount";
    case ResourceKind::kPid:
      return "pid";
  }
  return "?";
}

std::string to_json(const ClusterState& s) {
  json j{{"Name", s.name},       {"Provider", s.provider}, {"Subnet", s.subnet},
         {"Bridge", s.bridge},   {"Executor", s.executor}, {"Machines", json::array()},
         {"Made", json::array()}};
  for (const auto& m : s.machines) {
    j["Machines"].push_back({{"Name", m.name},
                             {"IP", m.ip},
                             {"Role", m.role},
                             {"DataDir", m.data_dir},
                             {"Socket", m.socket}});
  }
  for (const auto& r : s.made) {
    j["Made"].push_back({{"Kind", kind_name(r.kind)}, {"Name", r.name}, {"Machine", r.machine}});
  }
  return j.dump(2);
}

Result<ClusterState> from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    ClusterState s;
    s.name = j.at("Name").get<std::string>();
    s.provider = j.at("Provider").get<std::string>();
    s.subnet = j.value("Subnet", "");
    s.bridge = j.value("Bridge", "");
    s.executor = j.value("Executor", "runc");
    for (const auto& m : j.value("Machines", json::array())) {
      s.machines.push_back({m.at("Name"), m.value("IP", ""), m.value("Role", ""),
                            m.value("DataDir", ""), m.value("Socket", "")});
    }
    for (const auto& r : j.value("Made", json::array())) {
      SHOAL_ASSIGN_OR_RETURN(ResourceKind kind, kind_from(r.at("Kind").get<std::string>()));
      s.made.push_back({kind, r.at("Name"), r.value("Machine", "")});
    }
    return s;
  } catch (const json::exception& e) {
    return error(Code::kInvalidArgument, "malformed cluster state: {}", e.what());
  }
}

Status save_state(const std::string& dir, const ClusterState& state) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return error(Code::kInternal, "create {}: {}", dir, ec.message());
  std::string path = dir + "/state.json";
  std::string tmp = path + ".tmp";
  std::string text = to_json(state);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return error(Code::kInternal, "open {}: {}", tmp, std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) return error(Code::kInternal, "write {}: {}", tmp, std::strerror(saved));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return error(Code::kInternal, "rename {}: {}", path, std::strerror(errno));
  }
  return Status::ok();
}

Result<ClusterState> load_state(const std::string& dir) {
  std::string path = dir + "/state.json";
  std::ifstream in(path);
  if (!in) return error(Code::kNotFound, "no cluster state at {}", path);
  std::stringstream buf;
  buf << in.rdbuf();
  return from_json(buf.str());
}

}  // namespace shoal::provider
