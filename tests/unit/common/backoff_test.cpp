#include "common/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sluice {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, CeilingDoublesUpToTheCap) {
  Backoff backoff(milliseconds(100), milliseconds(5000));
  std::mt19937_64 rng(1);
  std::vector<long> ceilings;
  for (int i = 0; i < 8; ++i) {
    ceilings.push_back(backoff.current_ceiling().count());
    backoff.next(rng);
  }
  EXPECT_EQ(ceilings, (std::vector<long>{100, 200, 400, 800, 1600, 3200, 5000, 5000}));
}

TEST(Backoff, DelaysStayWithinTheCeilingAndVary) {
  Backoff backoff(milliseconds(500), milliseconds(30'000));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    auto ceiling = backoff.current_ceiling();
    auto delay = backoff.next(rng);
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay, ceiling);
  }
  Backoff a(milliseconds(1000), milliseconds(1000));
  std::set<long> seen;
  for (int i = 0; i < 20; ++i) seen.insert(a.next(rng).count());
  EXPECT_GT(seen.size(), 10u);  // full jitter, not a fixed delay
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff(milliseconds(100), milliseconds(5000));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5; ++i) backoff.next(rng);
  backoff.reset();
  EXPECT_EQ(backoff.current_ceiling(), milliseconds(100));
  EXPECT_EQ(backoff.attempts(), 0);
}

TEST(Backoff, ManyFailuresDoNotOverflow) {
  Backoff backoff(milliseconds(500), milliseconds(30'000));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) EXPECT_LE(backoff.next(rng), milliseconds(30'000));
}

}  // namespace
}  // namespace sluice
