// Object IDs in swarmkit's form: 25 lower-case base-36 characters encoding 128 random
// bits, so the docker CLI's 12-character truncation and prefix lookups behave as with Docker.
//
// Randomness is passed in (STYLE: time, randomness and IDs come from outside), so tests
// and replays can fix the sequence.
//
// Thread safety: IdGenerator is safe to share between threads.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "common/mutex.h"

namespace shoal {

inline constexpr std::size_t kIdLength = 25;

// True for a string of exactly kIdLength characters in [0-9a-z].
bool is_valid_id(std::string_view id);

// Formats a 128-bit value (hi, lo) as a zero-padded 25-character base-36 ID.
std::string format_id(std::uint64_t hi, std::uint64_t lo);

class IdGenerator {
 public:
  // Seeded from the operating system's random source.
  IdGenerator();
  // Deterministic sequence for tests and replays.
  explicit IdGenerator(std::uint64_t seed);

  std::string next();

 private:
  Mutex mu_;
  std::mt19937_64 rng_ GUARDED_BY(mu_);
};

}  // namespace shoal
