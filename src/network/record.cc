#include "network/record.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/codec.h"

namespace shoal::network {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json interface_json(const InterfaceRecord& i) {
  return {{"name", i.name},
          {"host_veth", i.host_veth},
          {"network_id", i.network_id},
          {"bridge", i.bridge},
          {"bridge_address", format_cidr(i.bridge_address)},
          {"address", format_cidr(i.address)},
          {"mtu", i.mtu},
          {"internal", i.internal},
          {"ingress", i.ingress}};
}

Result<InterfaceRecord> interface_from(const json& j) {
  InterfaceRecord i;
  i.name = j.at("name").get<std::string>();
  i.host_veth = j.at("host_veth").get<std::string>();
  i.network_id = j.at("network_id").get<std::string>();
  i.bridge = j.at("bridge").get<std::string>();
  SHOAL_ASSIGN_OR_RETURN(i.bridge_address, parse_cidr(j.at("bridge_address").get<std::string>()));
  SHOAL_ASSIGN_OR_RETURN(i.address, parse_cidr(j.at("address").get<std::string>()));
  i.mtu = j.at("mtu").get<uint32_t>();
  i.internal = j.at("internal").get<bool>();
  i.ingress = j.at("ingress").get<bool>();
  return i;
}

Result<SandboxRecord> record_from(const json& j) {
  SandboxRecord r;
  r.task_id = j.at("task_id").get<std::string>();
  r.service_id = j.at("service_id").get<std::string>();
  r.hostname = j.at("hostname").get<std::string>();
  r.netns_path = j.at("netns_path").get<std::string>();
  for (const json& i : j.at("interfaces")) {
    SHOAL_ASSIGN_OR_RETURN(auto interface, interface_from(i));
    r.interfaces.push_back(std::move(interface));
  }
  for (const json& p : j.at("ports")) {
    api::PortConfig port;
    SHOAL_RETURN_IF_ERROR(api::from_json(api::Json(p), port));
    r.ports.push_back(port);
  }
  r.hosts = j.at("hosts").get<std::string>();
  r.resolv_conf = j.at("resolv_conf").get<std::string>();
  return r;
}

Status io_error(std::string_view what, const fs::path& path) {
  return error(Code::kInternal, "{} {}: {}", what, path.string(), std::strerror(errno));
}

}  // namespace

std::string encode_record(const SandboxRecord& r) {
  json interfaces = json::array();
  for (const auto& i : r.interfaces) interfaces.push_back(interface_json(i));
  json ports = json::array();
  for (const auto& p : r.ports) ports.push_back(json::parse(api::encode(p)));
  json j = {{"task_id", r.task_id},     {"service_id", r.service_id},
            {"hostname", r.hostname},   {"netns_path", r.netns_path.string()},
            {"interfaces", interfaces}, {"ports", ports},
            {"hosts", r.hosts},         {"resolv_conf", r.resolv_conf}};
  return j.dump();
}

Result<SandboxRecord> decode_record(std::string_view text) {
  try {
    return record_from(json::parse(text));
  } catch (const json::exception& e) {
    return error(Code::kInvalidArgument, "corrupt sandbox record: {}", e.what());
  }
}

Status write_record(const fs::path& dir, const SandboxRecord& record) {
  fs::path path = dir / (record.task_id + ".json");
  fs::path tmp = dir / (record.task_id + ".json.tmp");
  std::string text = encode_record(record);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create", tmp);
  // No fsync: what a record describes (namespaces, links, rules) is kernel state that a
  // machine crash removes too; a daemon crash leaves the page cache, and so the record.
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    Status status = io_error("write", path);
    ::unlink(tmp.c_str());
    return status;
  }
  return Status::ok();
}

Status remove_record(const fs::path& dir, std::string_view task_id) {
  fs::path path = dir / (std::string(task_id) + ".json");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("remove", path);
  return Status::ok();
}

Result<RecordFiles> read_records(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return error(Code::kInternal, "create {}: {}", dir.string(), ec.message());
  RecordFiles out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& path = entry.path();
    if (path.extension() == ".tmp") {
      fs::remove(path, ec);  // a write a crash interrupted
      continue;
    }
    if (path.extension() != ".json") continue;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto record = decode_record(text.str());
    if (!record.is_ok() || record->task_id != path.stem().string()) {
      out.errors.push_back(fmt::format(
          "{}: {}", path.string(),
          record.is_ok() ? "task ID does not match the file name" : record.status().message()));
      continue;
    }
    out.records.push_back(std::move(record).value());
  }
  if (ec) return error(Code::kInternal, "list {}: {}", dir.string(), ec.message());
  std::sort(out.records.begin(), out.records.end(),
            [](const SandboxRecord& a, const SandboxRecord& b) { return a.task_id < b.task_id; });
  return out;
}

}  // namespace shoal::network
