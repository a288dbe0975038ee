// Data keys for the sealing tests: 32 bytes of one value, so tests tell keys apart by it.
#pragma once

#include <array>
#include <cstdint>

#include "store/datastore/data_key.h"

namespace shoal::store::testing {

inline DataKey key_of(uint8_t fill) {
  std::array<uint8_t, DataKey::kSize> bytes{};
  bytes.fill(fill);
  return DataKey::from_bytes(bytes).value();
}

}  // namespace shoal::store::testing
