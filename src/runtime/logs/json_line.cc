#include "runtime/logs/json_line.h"

#include <nlohmann/json.hpp>

namespace shoal::runtime::logs {

Result<LogEntry> parse_json_line(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return error(Code::kDataLoss, "malformed log line: not a JSON object");
  auto log = j.find("log");
  auto stream = j.find("stream");
  auto time = j.find("time");
  if (log == j.end() || !log->is_string() || stream == j.end() || !stream->is_string() ||
      time == j.end() || !time->is_string()) {
    return error(Code::kDataLoss, "malformed log line: wants string log, stream and time");
  }
  LogEntry entry;
  const std::string& s = stream->get_ref<const std::string&>();
  if (s == "stdout") {
    entry.stream = Stream::kStdout;
  } else if (s == "stderr") {
    entry.stream = Stream::kStderr;
  } else {
    return error(Code::kDataLoss, "malformed log line: unknown stream \"{}\"", s);
  }
  auto when = parse_rfc3339(time->get_ref<const std::string&>());
  if (!when.is_ok())
    return error(Code::kDataLoss, "malformed log line: {}", when.status().message());
  entry.time = when.value();
  entry.log = std::move(log->get_ref<std::string&>());
  return entry;
}

}  // namespace shoal::runtime::logs
