#include "runtime/task_meta.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "api/codec.h"

namespace shoal::runtime {
namespace {

using nlohmann::json;

json health_json(const HealthCheck& h) {
  return {{"Test", h.test},
          {"Interval", h.interval.count()},
          {"Timeout", h.timeout.count()},
          {"StartPeriod", h.start_period.count()},
          {"Retries", h.retries}};
}

HealthCheck health_from(const json& j) {
  HealthCheck h;
  h.test = j.at("Test").get<std::vector<std::string>>();
  h.interval = std::chrono::nanoseconds(j.at("Interval").get<int64_t>());
  h.timeout = std::chrono::nanoseconds(j.at("Timeout").get<int64_t>());
  h.start_period = std::chrono::nanoseconds(j.at("StartPeriod").get<int64_t>());
  h.retries = j.at("Retries").get<int64_t>();
  return h;
}

}  // namespace

Status write_file_atomic(const std::filesystem::path& path, std::string_view content,
                         unsigned mode) {
  std::string tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return error(Code::kInternal, "cannot write {}: {}", tmp, std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return error(Code::kInternal, "cannot write {}: {}", tmp, std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  ::fchmod(fd, mode);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return error(Code::kInternal, "cannot rename {}: {}", tmp, std::strerror(errno));
  }
  return Status::ok();
}

Status write_task_meta(const std::filesystem::path& dir, const TaskMeta& m) {
  json j = {{"TaskID", m.TaskID},
            {"ServiceID", m.ServiceID},
            {"ServiceName", m.ServiceName},
            {"NodeID", m.NodeID},
            {"Slot", m.Slot},
            {"Image", m.Image},
            {"ImageID", m.ImageID},
            {"StopSignal", m.StopSignal},
            {"StopGraceNanos", m.StopGraceNanos},
            {"Prepared", m.Prepared},
            {"NetworkAttached", m.NetworkAttached},
            {"AnonymousVolumes", m.AnonymousVolumes},
            {"Created", m.Created.is_zero() ? 0 : m.Created.unix_nanos()}};
  if (m.Health) j["Health"] = health_json(*m.Health);
  if (!m.Ports.Ports.empty()) j["Ports"] = json::parse(api::encode(m.Ports));
  return write_file_atomic(dir / kTaskMetaFile, j.dump() + "\n");
}

Result<TaskMeta> read_task_meta(const std::filesystem::path& dir) {
  std::ifstream in(dir / kTaskMetaFile);
  if (!in) return error(Code::kNotFound, "no {} in {}", kTaskMetaFile, dir.string());
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return error(Code::kDataLoss, "{}/{} is not JSON", dir.string(), kTaskMetaFile);
  try {
    TaskMeta m;
    m.TaskID = j.at("TaskID").get<std::string>();
    m.ServiceID = j.value("ServiceID", "");
    m.ServiceName = j.value("ServiceName", "");
    m.NodeID = j.value("NodeID", "");
    m.Slot = j.value("Slot", int64_t{0});
    m.Image = j.value("Image", "");
    m.ImageID = j.value("ImageID", "");
    m.StopSignal = j.value("StopSignal", "");
    m.StopGraceNanos = j.value("StopGraceNanos", int64_t{0});
    m.Prepared = j.value("Prepared", false);
    m.NetworkAttached = j.value("NetworkAttached", false);
    m.AnonymousVolumes = j.value("AnonymousVolumes", std::vector<std::string>{});
    int64_t created = j.value("Created", int64_t{0});
    if (created != 0) m.Created = Timestamp::from_unix_nanos(created);
    if (j.contains("Health")) m.Health = health_from(j["Health"]);
    if (j.contains("Ports")) {
      auto ports = api::decode<api::PortStatus>(j["Ports"].dump());
      if (!ports.is_ok())
        return error(Code::kDataLoss, "{}/{}: Ports: {}", dir.string(), kTaskMetaFile,
                     ports.status().message());
      m.Ports = std::move(ports).value();
    }
    return m;
  } catch (const json::exception& e) {
    return error(Code::kDataLoss, "{}/{}: {}", dir.string(), kTaskMetaFile, e.what());
  }
}

}  // namespace shoal::runtime
