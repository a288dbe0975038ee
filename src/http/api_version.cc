#include "http/api_version.h"

#include <charconv>

namespace shoal::http {
namespace {

// The next dot-separated part of `v` as a number (0 when not numeric), consuming it.
long next_part(std::string_view* v) {
  size_t dot = v->find('.');
  std::string_view part = v->substr(0, dot);
  *v = dot == std::string_view::npos ? std::string_view() : v->substr(dot + 1);
  long n = 0;
  auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
  if (ec != std::errc() || ptr != part.data() + part.size()) return 0;
  return n;
}

}  // namespace

int compare_api_versions(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    long x = next_part(&a);
    long y = next_part(&b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

Status check_api_version(std::string_view version) {
  if (compare_api_versions(version, kMinApiVersion) < 0) {
    return error(Code::kInvalidArgument,
                 "client version {} is too old. Minimum supported API version is {}, please "
                 "upgrade your client to a newer version",
                 version, kMinApiVersion);
  }
  if (compare_api_versions(version, kApiVersion) > 0) {
    return error(Code::kInvalidArgument,
                 "client version {} is too new. Maximum supported API version is {}", version,
                 kApiVersion);
  }
  return Status::ok();
}

std::string_view split_version_prefix(std::string_view path, std::string_view* rest) {
  *rest = path;
  if (path.size() < 3 || path[0] != '/' || path[1] != 'v') return {};
  size_t end = path.find('/', 2);
  if (end == std::string_view::npos) return {};
  std::string_view version = path.substr(2, end - 2);
  if (version.empty()) return {};
  for (char c : version) {
    if (!((c >= '0' && c <= '9') || c == '.')) return {};
  }
  *rest = path.substr(end);
  return version;
}

}  // namespace shoal::http
