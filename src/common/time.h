// Time values for the whole of shoal: Timestamp (a point in time as the Docker API sees it),
// RFC 3339 text in Go's time.RFC3339Nano shape, and the Clock seam through which code reads
// "now" (never read the system clock inside domain logic; take a Clock).
//
// A Timestamp is int64 nanoseconds since the Unix epoch (UTC). Its default value is Go's zero
// time, 0001-01-01T00:00:00Z, which the API prints for "never" (an unset CreatedAt, a task
// status that was never stamped). That value lies outside the int64-nanosecond range, so it is
// a sentinel: is_zero() tells it apart, it compares before every other time, and arithmetic
// on it is not allowed. Representable times span 1677-09-21 .. 2262-04-11 (the int64 range).
//
// Thread safety: Timestamp is a value. SystemClock is safe to share; ManualClock too (atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shoal {

class Timestamp {
 public:
  // Go's zero time.
  constexpr Timestamp() = default;

  // REQUIRES: unix_nanos != std::numeric_limits<int64_t>::min() (that value is the zero time).
  static constexpr Timestamp from_unix_nanos(int64_t unix_nanos) { return Timestamp(unix_nanos); }
  static Timestamp from_sys(std::chrono::system_clock::time_point tp);

  // True for Go's zero time (the default value).
  constexpr bool is_zero() const { return ns_ == kZero; }
  // Nanoseconds since 1970-01-01T00:00:00Z. REQUIRES: !is_zero().
  constexpr int64_t unix_nanos() const { return ns_; }

  // The zero time orders before every other time.
  constexpr auto operator<=>(const Timestamp&) const = default;

  // REQUIRES: !is_zero() and no overflow.
  constexpr Timestamp operator+(std::chrono::nanoseconds d) const { return Timestamp(ns_ + d.count()); }
  constexpr Timestamp operator-(std::chrono::nanoseconds d) const { return Timestamp(ns_ - d.count()); }
  // REQUIRES: neither side is_zero().
  constexpr std::chrono::nanoseconds operator-(Timestamp other) const {
    return std::chrono::nanoseconds(ns_ - other.ns_);
  }

 private:
  static constexpr int64_t kZero = std::numeric_limits<int64_t>::min();
  constexpr explicit Timestamp(int64_t ns) : ns_(ns) {}

  int64_t ns_ = kZero;
};

// Formats as Go's time.RFC3339Nano does for a UTC time: "2006-01-02T15:04:05.999999999Z",
// trailing zeros of the fraction trimmed and the fraction dropped when zero. The zero
// Timestamp gives "0001-01-01T00:00:00Z".
std::string format_rfc3339_nano(Timestamp t);
// Appends format_rfc3339_nano(t) to `out` (no temporary string).
void append_rfc3339_nano(std::string& out, Timestamp t);

// Parses RFC 3339 as Go's time.Time.UnmarshalJSON accepts it (without the JSON quotes):
// "YYYY-MM-DDTHH:MM:SS[.fraction]" then "Z" or "+HH:MM"/"-HH:MM"; the fraction has 1 to 9
// digits. The offset is applied and dropped (the result is UTC).
// Returns kInvalidArgument for malformed text, an impossible date or time, or a time outside
// the representable range (except exactly 0001-01-01T00:00:00Z, which gives the zero time).
Result<Timestamp> parse_rfc3339(std::string_view text);

// Where "now" comes from. Pass a Clock into anything that stamps or compares times.
class Clock {
 public:
  virtual ~Clock() = default;
  // Never returns the zero time.
  virtual Timestamp now() const = 0;
};

// The real clock (CLOCK_REALTIME through std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

// A clock that moves only when told: for tests and replays.
class ManualClock final : public Clock {
 public:
  // REQUIRES: !start.is_zero().
  explicit ManualClock(Timestamp start) : ns_(start.unix_nanos()) {}
  Timestamp now() const override { return Timestamp::from_unix_nanos(ns_.load()); }
  void set(Timestamp t) { ns_.store(t.unix_nanos()); }
  void advance(std::chrono::nanoseconds d) { ns_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> ns_;
};

}  // namespace shoal
