// JSON string escaping exactly as Go's encoding/json writes it (with its default HTML
// escaping), shared by the API encoder (api/json) and the json-file log lines the
// shoal-monitor writes (runtime/logs): `"`, `\` and \n \r \t as two characters, other
// control characters and `<`, `>`, `&` as \u00XX, U+2028 and U+2029 as \u2028 and \u2029,
// each byte of invalid UTF-8 as \ufffd; everything else as is.
//
// Uses nothing but the standard library: shoal-monitor links libc and libstdc++ only.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace shoal {

// Appends `s` escaped (without the surrounding quotes).
void append_go_json_escaped(std::string& out, std::string_view s);

}  // namespace shoal
