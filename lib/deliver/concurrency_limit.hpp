#pragma once
// ConcurrencyLimit: how many ingest requests may be in flight. Fixed, or
// adaptive (AIMD, in the manner of Vector's adaptive request concurrency and
// Netflix's concurrency-limits):
// - the controller works in windows of about one round trip;
// - a window that saw a 429, a 5xx, a timeout or a transport failure cuts
//   the limit multiplicatively, and so does one whose mean round-trip time
//   rose well above the baseline (the lowest window mean of the last
//   kBaselineSpan): the API is queueing our requests;
// - a window that used the whole limit with round trips near the baseline
//   raises it by one; until the first cut it doubles (slow start), so a
//   distant API is filled within a few round trips, not dozens.
// Pure: the clock is a parameter.

#include <chrono>
#include <cstddef>
#include <deque>

namespace sluice::deliver {

struct ConcurrencyOptions {
  bool adaptive = true;
  std::size_t max = 32;  // the fixed value when not adaptive
};

enum class Pressure { none, backpressure };

class ConcurrencyLimit {
 public:
  using Clock = std::chrono::steady_clock;
  using Seconds = std::chrono::duration<double>;

  static constexpr std::size_t kInitial = 8;         // where slow start begins (Netflix starts at 20)
  static constexpr double kDecrease = 0.75;         // cut on backpressure or queueing
  static constexpr double kRttTolerance = 1.5;      // "near the baseline": up to this factor …
  static constexpr Seconds kRttSlack{0.005};        // … plus this, for very short round trips
  static constexpr Seconds kBaselineSpan{10.0};     // how long a low round trip stays the baseline

  explicit ConcurrencyLimit(ConcurrencyOptions options);

  std::size_t limit() const { return limit_; }
  std::size_t max() const { return options_.max; }
  bool adaptive() const { return options_.adaptive; }

  // Called when a batch was ready to go but the limit held it back: more
  // concurrency would have been used.
  void on_blocked() { saturated_ = true; }
  // Called when a request ends: its round trip and whether the API pushed back.
  void on_result(Seconds rtt, Pressure pressure, Clock::time_point now);

  Seconds smoothed_rtt() const { return smoothed_rtt_; }
  Seconds baseline_rtt() const { return baseline_; }

 private:
  void close_window(Clock::time_point now);
  Clock::duration window_length() const;

  ConcurrencyOptions options_;
  std::size_t limit_;
  bool slow_start_ = true;
  // The current window.
  Clock::time_point window_end_{};
  double rtt_sum_ = 0;
  std::size_t rtt_count_ = 0;
  bool pressured_ = false;
  bool saturated_ = false;
  // Recent window means, oldest first, for the baseline.
  std::deque<std::pair<Clock::time_point, double>> means_;
  Seconds baseline_{0};
  Seconds smoothed_rtt_{0};
};

}  // namespace sluice::deliver
