#include "common/id.h"

#include <algorithm>

#include "common/mutex.h"

namespace shoal {

bool is_valid_id(std::string_view id) {
  return id.size() == kIdLength && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
         });
}

std::string format_id(std::uint64_t hi, std::uint64_t lo) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  unsigned __int128 value = (static_cast<unsigned __int128>(hi) << 64) | lo;
  std::string out(kIdLength, '0');
  // 36^25 > 2^128, so 25 digits always hold the value.
  for (std::size_t i = kIdLength; i-- > 0 && value != 0;) {
    out[i] = kDigits[static_cast<int>(value % 36)];
    value /= 36;
  }
  return out;
}

IdGenerator::IdGenerator() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  rng_.seed(seed);
}

IdGenerator::IdGenerator(std::uint64_t seed) : rng_(seed) {}

std::string IdGenerator::next() {
  std::uint64_t hi, lo;
  {
    MutexLock lock(mu_);
    hi = rng_();
    lo = rng_();
  }
  return format_id(hi, lo);
}

}  // namespace shoal
