// Record codec: the compact binary form in which the store keeps objects in its datastore.
//
// Encoding walks the api model's own field lists (api/json/fields_*.h, the same lists the JSON
// codec walks), so a field added to the model is stored without touching this module. The
// format is protobuf-like and self-describing enough to survive model changes:
//
//   record  = version byte (1), struct body
//   body    = field*, in field-list order
//   field   = varint tag (id << 3 | wire), value
//   id      = 18-bit FNV-1a hash of the field's JSON key (unique per struct; checked once per
//             type at first use, and by the codec unit test for every model type)
//   wire 0  varint: bool, unsigned ints, zigzag signed ints, Timestamp (zigzag Unix ns),
//           durations (zigzag ns)
//   wire 1  fixed 32 bits: float
//   wire 2  varint length, bytes: strings, Bytes, enums (their Docker spelling, so enum
//           reordering is harmless), nested structs (a body), vectors (count, values),
//           maps (count, key and value pairs)
//
// Empty non-optional values (0, "", empty vector/map, zero time, a struct with an empty body)
// are left out; a set std::optional is always written, so "set to zero" survives. Decoding
// skips fields it does not know (written by a newer model) and leaves missing ones at their
// zero value (an older record). Reordering a struct's field list can drop fields of old
// records: add fields, never move them.
//
// A task record does not carry its TaskSpec: it stores the spec's reference (a content hash,
// see spec_pool.h) in place of the Spec field, and decoding resolves that reference.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/model.h"
#include "common/status.h"

namespace shoal::store::codec {

// Resolves a task's spec reference to the shared spec. Errors are returned from decode().
using SpecResolver =
    std::function<Result<std::shared_ptr<const api::TaskSpec>>(std::string_view spec_ref)>;

// Appends the record of `object` to `out`.
void encode(const api::Swarm& object, std::string* out);
void encode(const api::Node& object, std::string* out);
void encode(const api::Service& object, std::string* out);
void encode(const api::Network& object, std::string* out);
void encode(const api::Secret& object, std::string* out);
void encode(const api::Config& object, std::string* out);
void encode(const api::TaskSpec& object, std::string* out);
// The task's Spec is written as `spec_ref`.
void encode(const api::Task& object, std::string_view spec_ref, std::string* out);

// Reads a record into `out` (reset to its zero value first).
// Errors: kInternal "corrupt <type> record: <what>" for bytes that are not such a record
// (`out` is then partly filled); for a task, the resolver's error.
Status decode(std::string_view record, api::Swarm* out);
Status decode(std::string_view record, api::Node* out);
Status decode(std::string_view record, api::Service* out);
Status decode(std::string_view record, api::Network* out);
Status decode(std::string_view record, api::Secret* out);
Status decode(std::string_view record, api::Config* out);
Status decode(std::string_view record, api::TaskSpec* out);
Status decode(std::string_view record, const SpecResolver& resolve, api::Task* out);

// Computes the field IDs of every stored model type (and every struct nested in one), which
// encode() and decode() otherwise do at a type's first use, and aborts with a message naming
// the keys if two fields of one struct share an ID. The codec unit test calls it.
void check_field_ids();

}  // namespace shoal::store::codec
