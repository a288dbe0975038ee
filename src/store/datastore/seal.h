// Sealed records: how the store's sensitive records are encrypted at rest.
//
// A sealed record is
//
//   0xE5                 marker: a plain record (store/codec.h) starts with its codec
//                        version (1), so the two forms never share a first byte
//   version byte (1)     format 1 = AES-256-GCM, 12-byte nonce, 16-byte tag
//   nonce (12 bytes)     fresh from OpenSSL's random generator for every seal
//   ciphertext           as long as the plain record
//   tag (16 bytes)
//
// The associated data is the marker, the version, the table name, a zero byte and the record's
// key (the object ID): a sealed record moved to another ID or table does not open. Opening
// checks the tag before returning anything, so a changed byte anywhere, a wrong key, another
// table or another ID all fail the same way.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/datastore/data_key.h"

namespace shoal::store::seal {

inline constexpr uint8_t kMarker = 0xE5;
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kOverhead = 2 + kNonceSize + kTagSize;

// True when `record` has the sealed form's marker (it may still fail to open).
bool is_sealed(std::string_view record);

// Appends the sealed form of `plain`, bound to (table, key), to `out`.
// Errors: kInternal when OpenSSL fails (random generator or cipher).
Status seal(const DataKey& data_key, std::string_view table, std::string_view key,
            std::string_view plain, std::string* out);

// The plain record inside `sealed`.
// Errors, all kInternal and naming table/key: an unknown format version ("written by a newer
// shoal?"), a record too short to be sealed, and "authentication failed" when the tag does not
// verify (wrong data key, a record altered or moved to another table or ID).
Result<std::string> open(const DataKey& data_key, std::string_view table, std::string_view key,
                         std::string_view sealed);

}  // namespace shoal::store::seal
