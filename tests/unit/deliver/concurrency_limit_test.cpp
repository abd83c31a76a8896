#include "deliver/concurrency_limit.hpp"

#include <gtest/gtest.h>

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
using Clock = ConcurrencyLimit::Clock;
using Seconds = ConcurrencyLimit::Seconds;

const Clock::time_point limit_t0 = Clock::time_point{} + 1h;

// Drives the limit through windows of `rtt`: every request in flight
// returns once per window, the sender always has more to send.
struct Driver {
  explicit Driver(ConcurrencyOptions options) : limit(options) {}
  void windows(int n, Seconds rtt, Pressure pressure = Pressure::none) {
    for (int w = 0; w < n; ++w) {
      now += std::chrono::duration_cast<Clock::duration>(rtt);
      limit.on_blocked();
      const std::size_t in_flight = limit.limit();
      for (std::size_t i = 0; i < in_flight; ++i) limit.on_result(rtt, pressure, now);
    }
  }
  ConcurrencyLimit limit;
  Clock::time_point now = limit_t0;
};

TEST(ConcurrencyLimit, FixedStaysFixed) {
  Driver d({.adaptive = false, .max = 6});
  EXPECT_EQ(d.limit.limit(), 6u);
  d.windows(5, Seconds(0.1), Pressure::backpressure);
  EXPECT_EQ(d.limit.limit(), 6u);
}

TEST(ConcurrencyLimit, SlowStartDoublesUpToTheMaximum) {
  Driver d({.adaptive = true, .max = 32});
  EXPECT_EQ(d.limit.limit(), ConcurrencyLimit::kInitial);
  d.windows(8, Seconds(0.1));
  EXPECT_EQ(d.limit.limit(), 32u);
}

TEST(ConcurrencyLimit, NeverStartsAboveTheMaximum) {
  Driver d({.adaptive = true, .max = 2});
  EXPECT_EQ(d.limit.limit(), 2u);
}

TEST(ConcurrencyLimit, UnsaturatedWindowsDoNotRaiseIt) {
  ConcurrencyLimit limit({.adaptive = true, .max = 32});
  auto now = limit_t0;
  for (int w = 0; w < 10; ++w) {
    now += 100ms;
    limit.on_result(Seconds(0.1), Pressure::none, now);  // never blocked: one request is enough
  }
  EXPECT_EQ(limit.limit(), ConcurrencyLimit::kInitial);
}

TEST(ConcurrencyLimit, BackpressureCutsMultiplicativelyThenGrowsByOne) {
  Driver d({.adaptive = true, .max = 32});
  d.windows(8, Seconds(0.1));
  ASSERT_EQ(d.limit.limit(), 32u);
  d.windows(1, Seconds(0.1), Pressure::backpressure);
  d.windows(1, Seconds(0.1));  // the answers that close the pressured window
  const std::size_t cut = d.limit.limit();
  EXPECT_LE(cut, 24u);  // at least one cut of 0.75
  d.windows(3, Seconds(0.1));
  EXPECT_GT(d.limit.limit(), cut);
  EXPECT_LE(d.limit.limit(), cut + 3);  // additive now, not doubling
}

TEST(ConcurrencyLimit, RisingRoundTripsMeanTheApiIsQueueing) {
  Driver d({.adaptive = true, .max = 32});
  d.windows(8, Seconds(0.1));
  ASSERT_EQ(d.limit.limit(), 32u);
  d.windows(2, Seconds(0.4));  // four times the baseline
  const std::size_t cut = d.limit.limit();
  EXPECT_LE(cut, 24u);
  d.windows(3, Seconds(0.4));  // still queueing: still cutting
  EXPECT_LT(d.limit.limit(), cut);
}

TEST(ConcurrencyLimit, RoundTripsNearTheBaselineAreNotQueueing) {
  Driver d({.adaptive = true, .max = 32});
  d.windows(8, Seconds(0.1));
  d.windows(5, Seconds(0.12));
  EXPECT_EQ(d.limit.limit(), 32u);
}

}  // namespace
}  // namespace sluice::deliver
