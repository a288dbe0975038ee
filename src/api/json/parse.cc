#include <string>

#include "api/codec.h"

namespace shoal::api {

Result<Json> parse_json(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string what = e.what();
    const auto pos = what.find("] ");
    return error(Code::kInvalidArgument, "invalid JSON: {}",
                 pos == std::string::npos ? what : what.substr(pos + 2));
  }
}

}  // namespace shoal::api
