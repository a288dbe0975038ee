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

// The delay before retry number `attempt` (0-based) under `policy`: the nominal delay
// initial × multiplier^attempt capped at max, jittered by `unit_random` in [0, 1).
// For callers that keep only an attempt count per retried item (a Backoff holds a random
// generator, too big to keep per task).
inline std::chrono::nanoseconds backoff_delay(const BackoffPolicy& policy, int attempt,
                                              double unit_random) {
  double nominal = static_cast<double>(policy.initial.count());
  double max = static_cast<double>(policy.max.count());
  for (int i = 0; i < attempt && nominal < max; ++i) nominal *= policy.multiplier;
  nominal = std::min(nominal, max);
  double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  double delay = nominal * (1.0 - jitter) + nominal * jitter * std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::nanoseconds(static_cast<int64_t>(delay));
}

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = 0)
      : policy_(policy), rng_(seed) {}

  // The delay before the next attempt; each call grows the nominal delay towards max.
  std::chrono::nanoseconds next() {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    double random = policy_.jitter > 0.0 ? unit(rng_) : 0.0;
    return backoff_delay(policy_, attempts_++, random);
  }

  // After a success: the next failure waits `initial` again.
  void reset() { attempts_ = 0; }

  // Failures since the last reset().
  int attempts() const { return attempts_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int attempts_ = 0;
};

}  // namespace shoal
