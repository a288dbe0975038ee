#include "http/engine/params.h"

#include <charconv>

namespace shoal::http::engine {

Result<uint64_t> version_param(const Request& request, std::string_view kind) {
  std::string_view raw = request.query.value("version");
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (!raw.empty() && ec == std::errc() && end == raw.data() + raw.size()) return value;
  if (kind == "secret" || kind == "config") {
    return error(Code::kInvalidArgument, "invalid {} version", kind);
  }
  std::string_view reason =
      ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
  return error(Code::kInvalidArgument,
               "invalid {} version '{}': strconv.ParseUint: parsing \"{}\": {}", kind, raw, raw,
               reason);
}

Result<bool> go_bool_param(const Request& request, std::string_view name, bool fallback) {
  std::string_view v = request.query.value(name);
  if (v.empty()) return fallback;
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False")
    return false;
  return error(Code::kInvalidArgument, "invalid value for {}: {}", name, v);
}

Result<Filters> filters_param(const Request& request,
                              std::initializer_list<std::string_view> accepted,
                              std::initializer_list<std::string_view> pattern_keys) {
  SHOAL_ASSIGN_OR_RETURN(Filters filters, Filters::parse(request.query.value("filters")));
  SHOAL_RETURN_IF_ERROR(filters.validate(accepted));
  for (std::string_view key : pattern_keys) SHOAL_RETURN_IF_ERROR(filters.compile_patterns(key));
  return filters;
}

}  // namespace shoal::http::engine
