// Backoff: the one retry-delay helper of shoal (reconnects, retried task operations, retried
// store commits). Exponential growth from `initial` by `multiplier` up to `max`, with
// jitter: by default each delay d is drawn uniformly from [d/2, d], so many clients that
// failed together do not retry together, and no delay is shorter than half its nominal value.
//
// Randomness is passed in (a seed), so tests and replays see the same delays.
//
// Thread safety: a Backoff is a value owned by one retry loop; not safe to share.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace shoal {

struct BackoffPolicy {
  std::chrono::nanoseconds initial = std::chrono::milliseconds(100);
  std::chrono::nanoseconds max = std::chrono::seconds(8);
  double multiplier = 2.0;
  // Fraction of each delay drawn at random: a delay d becomes uniform in [d * (1 - jitter), d].
  // 0 = fixed delays; 0.5 (the default) = [d/2, d]; clamped to [0, 1].
  double jitter = 0.5;
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = 0)
      : policy_(policy), rng_(seed), next_(policy.initial) {}

  // The delay before the next attempt; each call grows the nominal delay towards max.
  std::chrono::nanoseconds next() {
    std::chrono::nanoseconds nominal = std::min(next_, policy_.max);
    auto grown = static_cast<double>(nominal.count()) * policy_.multiplier;
    next_ = std::chrono::nanoseconds(static_cast<int64_t>(
        std::min(grown, static_cast<double>(policy_.max.count()))));
    attempts_++;
    double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
    if (jitter == 0.0 || nominal.count() <= 0) return nominal;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    double fixed = static_cast<double>(nominal.count()) * (1.0 - jitter);
    double random = static_cast<double>(nominal.count()) * jitter * unit(rng_);
    return std::chrono::nanoseconds(static_cast<int64_t>(fixed + random));
  }

  // After a success: the next failure waits `initial` again.
  void reset() {
    next_ = policy_.initial;
    attempts_ = 0;
  }

  // Failures since the last reset().
  int attempts() const { return attempts_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  std::chrono::nanoseconds next_;
  int attempts_ = 0;
};

}  // namespace shoal
