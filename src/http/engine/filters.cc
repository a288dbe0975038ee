#include "http/engine/filters.h"

#include <nlohmann/json.hpp>

namespace shoal::http::engine {

Result<Filters> Filters::parse(std::string_view text) {
  Filters out;
  if (text.empty()) return out;
  Status invalid(Code::kInvalidArgument, "invalid filter");
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return invalid;
  for (const auto& [key, values] : json.items()) {
    auto& set = out.fields_[key];
    if (values.is_object()) {
      for (const auto& [value, flag] : values.items()) {
        if (!flag.is_boolean()) return invalid;
        set.insert(value);
      }
    } else if (values.is_array()) {
      for (const auto& value : values) {
        if (!value.is_string()) return invalid;
        set.insert(value.get<std::string>());
      }
    } else if (!values.is_null()) {
      return invalid;
    }
  }
  return out;
}

Status Filters::validate(std::initializer_list<std::string_view> accepted) const {
  for (const auto& [key, values] : fields_) {
    bool known = false;
    for (std::string_view a : accepted) known = known || a == key;
    if (!known) return error(Code::kInvalidArgument, "invalid filter '{}'", key);
  }
  return Status::ok();
}

std::vector<std::string> Filters::get(std::string_view key) const {
  auto it = fields_.find(std::string(key));
  if (it == fields_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

api::StringMap Filters::labels(std::string_view key) const {
  api::StringMap out;
  for (const std::string& value : get(key)) {
    size_t eq = value.find('=');
    if (eq == std::string::npos) {
      out[value] = "";
    } else {
      out[value.substr(0, eq)] = value.substr(eq + 1);
    }
  }
  return out;
}

bool Filters::exact_match(std::string_view key, std::string_view source) const {
  auto it = fields_.find(std::string(key));
  if (it == fields_.end() || it->second.empty()) return true;
  return it->second.contains(std::string(source));
}

Status Filters::compile_patterns(std::string_view key) {
  std::vector<Pattern> compiled;
  for (const std::string& value : get(key)) {
    SHOAL_ASSIGN_OR_RETURN(Pattern pattern, Pattern::compile(value));
    compiled.push_back(std::move(pattern));
  }
  patterns_[std::string(key)] = std::move(compiled);
  return Status::ok();
}

bool Filters::match(std::string_view key, std::string_view source) const {
  if (exact_match(key, source)) return true;
  auto it = patterns_.find(key);
  if (it == patterns_.end()) return false;
  for (const Pattern& pattern : it->second) {
    if (pattern.search(source)) return true;
  }
  return false;
}

}  // namespace shoal::http::engine
