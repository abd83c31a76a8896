#include "deliver/concurrency_limit.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::deliver {

ConcurrencyLimit::ConcurrencyLimit(ConcurrencyOptions options)
    : options_(options), limit_(options.adaptive ? std::min<std::size_t>(kInitial, std::max<std::size_t>(options.max, 1)) : std::max<std::size_t>(options.max, 1)) {
  options_.max = std::max<std::size_t>(options_.max, 1);
}

void ConcurrencyLimit::on_result(Seconds rtt, Pressure pressure, Clock::time_point now) {
  smoothed_rtt_ = smoothed_rtt_.count() == 0 ? rtt : 0.8 * smoothed_rtt_ + 0.2 * rtt;
  if (!options_.adaptive) return;
  if (pressure == Pressure::backpressure) {
    pressured_ = true;
  } else {
    rtt_sum_ += rtt.count();
    ++rtt_count_;
  }
  if (window_end_ == Clock::time_point{}) window_end_ = now + window_length();
  if (now >= window_end_) close_window(now);
}

// About one round trip, so that each window sees the effect of the last change.
ConcurrencyLimit::Clock::duration ConcurrencyLimit::window_length() const {
  return std::chrono::duration_cast<Clock::duration>(std::max(smoothed_rtt_, Seconds(0.001)));
}

void ConcurrencyLimit::close_window(Clock::time_point now) {
  const double mean = rtt_count_ > 0 ? rtt_sum_ / static_cast<double>(rtt_count_) : 0;
  if (rtt_count_ > 0) {
    // A rising sequence of recent means: its front is the minimum of the span.
    while (!means_.empty() && means_.front().first + kBaselineSpan < now) means_.pop_front();
    while (!means_.empty() && means_.back().second >= mean) means_.pop_back();
    means_.emplace_back(now, mean);
    baseline_ = Seconds(means_.front().second);
  }
  const bool queueing = rtt_count_ > 0 && mean > baseline_.count() * kRttTolerance + kRttSlack.count();
  if (pressured_ || queueing) {
    slow_start_ = false;
    limit_ = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(static_cast<double>(limit_) * kDecrease)));
  } else if (saturated_ && rtt_count_ > 0) {
    limit_ = std::min(options_.max, slow_start_ ? limit_ * 2 : limit_ + 1);
  }
  window_end_ = now + window_length();
  rtt_sum_ = 0;
  rtt_count_ = 0;
  pressured_ = false;
  saturated_ = false;
}

}  // namespace sluice::deliver
