// Framing of records inside a datastore blob (a log entry, a snapshot chunk):
//
//   record = op byte (0 put, 1 delete), varint length + table, varint length + key,
//            and for a put: varint length + value
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/datastore/datastore.h"

namespace shoal::store::framing {

void append(std::string* out, Mutation::Op op, std::string_view table, std::string_view key,
            std::string_view value);

// Calls fn for each record of `blob`, in order. Errors: fn's error; kInternal "corrupt
// <what>" when the blob is not a sequence of whole records.
Status parse(std::string_view blob, std::string_view what,
             const std::function<Status(const Record&)>& fn);

}  // namespace shoal::store::framing
