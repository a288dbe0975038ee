#include "store/datastore/framing.h"

namespace shoal::store::framing {
namespace {

void put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool get_varint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool get_bytes(std::string_view* in, std::string_view* out) {
  uint64_t n;
  if (!get_varint(in, &n) || n > in->size()) return false;
  *out = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

void put_bytes(std::string* out, std::string_view bytes) {
  put_varint(out, bytes.size());
  out->append(bytes);
}

}  // namespace

void append(std::string* out, Mutation::Op op, std::string_view table, std::string_view key,
            std::string_view value) {
  out->push_back(op == Mutation::Op::kPut ? 0 : 1);
  put_bytes(out, table);
  put_bytes(out, key);
  if (op == Mutation::Op::kPut) put_bytes(out, value);
}

Status parse(std::string_view blob, std::string_view what,
             const std::function<Status(const Record&)>& fn) {
  while (!blob.empty()) {
    Record record;
    char op = blob.front();
    blob.remove_prefix(1);
    if (op != 0 && op != 1) return error(Code::kInternal, "corrupt {}: bad record type", what);
    record.op = op == 0 ? Mutation::Op::kPut : Mutation::Op::kDelete;
    if (!get_bytes(&blob, &record.table) || !get_bytes(&blob, &record.key) ||
        (record.op == Mutation::Op::kPut && !get_bytes(&blob, &record.value))) {
      return error(Code::kInternal, "corrupt {}: truncated record", what);
    }
    SHOAL_RETURN_IF_ERROR(fn(record));
  }
  return Status::ok();
}

}  // namespace shoal::store::framing
