// Sandbox records on disk: <state dir>/<task ID>.json, one per sandbox, written (atomically:
// a temporary file renamed over it) before attach() touches the kernel and removed after
// detach() has removed everything. They are the node network's only state: the default
// bridge's IPAM, the bridges' users and the port table are rebuilt from them at start-up.
//
// Thread safety: functions are safe to call concurrently for different tasks.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "network/sandbox.h"

namespace shoal::network {

// The record as JSON text, and back. Errors: kInvalidArgument "corrupt sandbox record: ...".
std::string encode_record(const SandboxRecord& record);
Result<SandboxRecord> decode_record(std::string_view text);

// Writes <dir>/<task ID>.json atomically (not synced: see record.cc). Errors: kInternal
// naming the file.
Status write_record(const std::filesystem::path& dir, const SandboxRecord& record);

// Removes <dir>/<task ID>.json. OK when it does not exist. Errors: kInternal.
Status remove_record(const std::filesystem::path& dir, std::string_view task_id);

struct RecordFiles {
  std::vector<SandboxRecord> records;  // sorted by task ID
  std::vector<std::string> errors;     // one per unreadable file: "<file>: <why>"
};

// Every record in `dir` (which is created when missing). Errors: kInternal when the
// directory cannot be made or listed.
Result<RecordFiles> read_records(const std::filesystem::path& dir);

}  // namespace shoal::network
