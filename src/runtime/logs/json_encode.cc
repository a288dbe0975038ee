#include "runtime/logs/json_encode.h"

#include <time.h>

#include "common/go_json_string.h"

namespace shoal::runtime::logs {
namespace {

void append_digits(std::string& out, int64_t value, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

}  // namespace

std::string_view stream_name(Stream stream) {
  return stream == Stream::kStderr ? "stderr" : "stdout";
}

void append_rfc3339_fixed(std::string& out, int64_t unix_nanos) {
  time_t secs = static_cast<time_t>(unix_nanos / 1000000000);
  int64_t frac = unix_nanos % 1000000000;
  struct tm tm {};
  gmtime_r(&secs, &tm);
  append_digits(out, tm.tm_year + 1900, 4);
  out += '-';
  append_digits(out, tm.tm_mon + 1, 2);
  out += '-';
  append_digits(out, tm.tm_mday, 2);
  out += 'T';
  append_digits(out, tm.tm_hour, 2);
  out += ':';
  append_digits(out, tm.tm_min, 2);
  out += ':';
  append_digits(out, tm.tm_sec, 2);
  out += '.';
  append_digits(out, frac, 9);
  out += 'Z';
}

void append_json_escaped(std::string& out, std::string_view s) { append_go_json_escaped(out, s); }

void append_json_line(std::string& out, std::string_view log, Stream stream, int64_t unix_nanos) {
  out += "{\"log\":\"";
  append_json_escaped(out, log);
  out += "\",\"stream\":\"";
  out += stream_name(stream);
  out += "\",\"time\":\"";
  append_rfc3339_fixed(out, unix_nanos);
  out += "\"}\n";
}

}  // namespace shoal::runtime::logs
