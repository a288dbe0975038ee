#include "common/time.h"

#include <chrono>
#include <vector>

#include "common/mutex.h"

namespace shoal {
namespace {

namespace chr = std::chrono;

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// 0001-01-01T00:00:00Z in seconds since the Unix epoch.
constexpr int64_t kGoZeroUnixSeconds = -62'135'596'800;

// Reads exactly `n` decimal digits at text[pos...]; false if any is not a digit.
bool read_digits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool expect(std::string_view text, size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  int offset_seconds = 0;  // east of UTC
};

// "YYYY-MM-DDTHH:MM:SS"; returns the position after it or 0.
size_t parse_date_time(std::string_view text, Fields& f) {
  bool ok = read_digits(text, 0, 4, f.year) && expect(text, 4, '-') &&
            read_digits(text, 5, 2, f.month) && expect(text, 7, '-') &&
            read_digits(text, 8, 2, f.day) && expect(text, 10, 'T') &&
            read_digits(text, 11, 2, f.hour) && expect(text, 13, ':') &&
            read_digits(text, 14, 2, f.minute) && expect(text, 16, ':') &&
            read_digits(text, 17, 2, f.second);
  return ok ? 19 : 0;
}

// "[.fffffffff]" then "Z" or "±HH:MM" to the end; false if malformed.
bool parse_fraction_and_zone(std::string_view text, size_t pos, Fields& f) {
  if (expect(text, pos, '.')) {
    size_t digits = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits == 9) return false;
      f.nanos = f.nanos * 10 + (text[pos] - '0');
    }
    if (digits == 0) return false;
    for (size_t i = digits; i < 9; ++i) f.nanos *= 10;
  }
  if (expect(text, pos, 'Z')) return pos + 1 == text.size();
  if (!expect(text, pos, '+') && !expect(text, pos, '-')) return false;
  int hours = 0, minutes = 0;
  if (!read_digits(text, pos + 1, 2, hours) || !expect(text, pos + 3, ':') ||
      !read_digits(text, pos + 4, 2, minutes) || pos + 6 != text.size()) {
    return false;
  }
  if (hours > 23 || minutes > 59) return false;
  f.offset_seconds = (hours * 3600 + minutes * 60) * (text[pos] == '-' ? -1 : 1);
  return true;
}

// Writes `value` as exactly `width` decimal digits, zero-padded.
void write_digits(char* at, size_t width, unsigned value) {
  for (size_t i = width; i > 0; --i) {
    at[i - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

Status invalid_time(std::string_view text, std::string_view why) {
  return error(Code::kInvalidArgument, "invalid time \"{}\": {}", text, why);
}

}  // namespace

Timestamp Timestamp::from_sys(chr::system_clock::time_point tp) {
  return Timestamp(chr::duration_cast<chr::nanoseconds>(tp.time_since_epoch()).count());
}

std::string format_rfc3339_nano(Timestamp t) {
  std::string out;
  append_rfc3339_nano(out, t);
  return out;
}

void append_rfc3339_nano(std::string& out, Timestamp t) {
  if (t.is_zero()) {
    out += "0001-01-01T00:00:00Z";
    return;
  }
  const chr::sys_time<chr::nanoseconds> tp{chr::nanoseconds(t.unix_nanos())};
  const auto days = chr::floor<chr::days>(tp);
  const chr::year_month_day ymd{days};
  const chr::hh_mm_ss hms{tp - days};
  // "YYYY-MM-DDTHH:MM:SS.fffffffffZ"; years are 1677..2262, always four digits.
  char buf[32] = "0000-00-00T00:00:00";
  write_digits(buf, 4, static_cast<unsigned>(int(ymd.year())));
  write_digits(buf + 5, 2, unsigned(ymd.month()));
  write_digits(buf + 8, 2, unsigned(ymd.day()));
  write_digits(buf + 11, 2, static_cast<unsigned>(hms.hours().count()));
  write_digits(buf + 14, 2, static_cast<unsigned>(hms.minutes().count()));
  write_digits(buf + 17, 2, static_cast<unsigned>(hms.seconds().count()));
  size_t n = 19;
  auto frac = static_cast<unsigned>(hms.subseconds().count());
  if (frac != 0) {
    size_t digits = 9;
    while (frac % 10 == 0) frac /= 10, --digits;
    buf[n++] = '.';
    write_digits(buf + n, digits, frac);
    n += digits;
  }
  buf[n++] = 'Z';
  out.append(buf, n);
}

Result<Timestamp> parse_rfc3339(std::string_view text) {
  Fields f;
  size_t pos = parse_date_time(text, f);
  if (pos == 0 || !parse_fraction_and_zone(text, pos, f)) {
    return invalid_time(text, "expected RFC 3339 (2006-01-02T15:04:05.999999999Z07:00)");
  }
  const chr::year_month_day ymd{chr::year(f.year), chr::month(f.month), chr::day(f.day)};
  if (!ymd.ok() || f.hour > 23 || f.minute > 59 || f.second > 59) {
    return invalid_time(text, "date or time out of range");
  }
  const int64_t seconds = int64_t(chr::sys_days(ymd).time_since_epoch().count()) * 86400 +
                          f.hour * 3600 + f.minute * 60 + f.second - f.offset_seconds;
  if (seconds == kGoZeroUnixSeconds && f.nanos == 0) return Timestamp();
  // Representable: the int64 nanosecond range, minus its minimum (the zero-time sentinel).
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / kNanosPerSecond;
  if (seconds >= kMaxSeconds || seconds <= -kMaxSeconds) {
    return invalid_time(text, "outside the supported range (years 1678 to 2261)");
  }
  return Timestamp::from_unix_nanos(seconds * kNanosPerSecond + f.nanos);
}

Timestamp SystemClock::now() const { return Timestamp::from_sys(chr::system_clock::now()); }

void SystemClock::wait_until(CondVar& cv, MutexLock& lock, Timestamp deadline) const {
  // One sleep lasts at most this long (a spurious return the caller re-checks), so far
  // deadlines such as Timestamp::max() cannot overflow the steady clock.
  constexpr chr::nanoseconds kLongestSleep = chr::hours(24);
  const Timestamp now = this->now();
  if (deadline <= now) return;
  // deadline > now, so the difference is positive; it overflows only past ~292 years,
  // which the clamp below also covers (an overflowed difference is negative).
  chr::nanoseconds left = deadline - now;
  if (left <= chr::nanoseconds(0) || left > kLongestSleep) left = kLongestSleep;
  cv.wait_until(lock, chr::steady_clock::now() + left);
}

// The caller's lock is released and taken again here, which the analysis cannot follow
// through a MutexLock passed by reference.
void ManualClock::wait_until(CondVar& cv, MutexLock& lock,
                             Timestamp deadline) const NO_THREAD_SAFETY_ANALYSIS {
  std::list<Waiter>::iterator self;
  {
    // The waiter's mutex is held (lock order: waiter's, then the clock's). A set() that
    // runs before this block is seen here; one that runs after finds the entry and must
    // take the waiter's mutex, which cv.wait releases only once this thread is blocked.
    MutexLock clock_lock(mu_);
    if (ns_.load() >= deadline.unix_nanos()) return;
    self = waiters_.insert(waiters_.end(), Waiter{&cv, lock.mutex(), deadline});
  }
  cv.wait(lock);
  MutexLock clock_lock(mu_);
  if (self->notifying > 0) {
    // A set() is about to lock our mutex to notify `cv`; the entry (and the caller's cv
    // and mutex) must outlive that. Let it through, then take our mutex back.
    lock.unlock();
    notified_.wait(clock_lock, [&]() REQUIRES(mu_) { return self->notifying == 0; });
    waiters_.erase(self);
    clock_lock.unlock();
    lock.lock();
    return;
  }
  waiters_.erase(self);
}

void ManualClock::set(Timestamp t) { move(false, t.unix_nanos()); }

void ManualClock::advance(chr::nanoseconds d) { move(true, d.count()); }

void ManualClock::move(bool relative, int64_t nanos) {
  std::vector<Waiter*> due;
  {
    MutexLock clock_lock(mu_);
    const Timestamp t = Timestamp::from_unix_nanos(relative ? ns_.load() + nanos : nanos);
    ns_.store(t.unix_nanos());
    for (Waiter& w : waiters_) {
      if (w.deadline > t) continue;
      w.woken = true;
      w.notifying++;
      due.push_back(&w);
    }
  }
  // The clock's mutex is released: a waiter may hold its own while it takes the clock's.
  for (Waiter* w : due) {
    MutexLock waiter_lock(*w->mu);
    w->cv->notify_all();
  }
  if (due.empty()) return;
  MutexLock clock_lock(mu_);
  for (Waiter* w : due) w->notifying--;
  notified_.notify_all();
}

std::optional<Timestamp> ManualClock::earliest_deadline() const {
  MutexLock clock_lock(mu_);
  std::optional<Timestamp> earliest;
  for (const Waiter& w : waiters_) {
    if (!w.woken && (!earliest || w.deadline < *earliest)) earliest = w.deadline;
  }
  return earliest;
}

}  // namespace shoal
