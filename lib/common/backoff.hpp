#pragma once
// Exponential backoff with full jitter: attempt n waits a uniformly random
// time in [0, min(cap, base * 2^n)]. Used for Redis reconnects and API
// retries. Randomness is injected so tests are deterministic.

#include <algorithm>
#include <chrono>
#include <random>

namespace sluice {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;

  Backoff(Duration base, Duration cap) : base_(base), cap_(cap) {}

  // The delay before the next attempt; each call counts one more failure.
  Duration next(std::mt19937_64& rng) {
    const Duration ceiling = current_ceiling();
    if (attempt_ < 62) ++attempt_;
    std::uniform_int_distribution<Duration::rep> pick(0, ceiling.count());
    return Duration{pick(rng)};
  }

  // The upper bound the next call to next() draws from.
  Duration current_ceiling() const {
    Duration ceiling = base_;
    for (int i = 0; i < attempt_ && ceiling < cap_; ++i) ceiling *= 2;
    return std::min(ceiling, cap_);
  }

  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  Duration base_;
  Duration cap_;
  int attempt_ = 0;
};

}  // namespace sluice
