#include "source/reconnect_policy.hpp"

#include <gtest/gtest.h>

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using Clock = ReconnectPolicy::Clock;

const Clock::time_point policy_t0{};

TEST(ReconnectPolicy, FailedAttemptsDoubleTheCeilingUpToTheCap) {
  ReconnectPolicy policy(100ms, 800ms);
  std::mt19937_64 rng(1);
  std::vector<Duration> ceilings;
  for (int i = 0; i < 6; ++i) {
    ceilings.push_back(policy.ceiling());
    EXPECT_LE(policy.next_delay(policy_t0, rng), ceilings.back());
  }
  EXPECT_EQ(ceilings, (std::vector<Duration>{100ms, 200ms, 400ms, 800ms, 800ms, 800ms}));
}

// A server that confirms the subscription and drops it at once: every
// session is short and silent, so the backoff keeps growing.
TEST(ReconnectPolicy, SessionsDroppedRightAfterSubscribingKeepBackingOff) {
  ReconnectPolicy policy(100ms, 800ms);
  std::mt19937_64 rng(2);
  auto now = policy_t0;
  for (int i = 0; i < 5; ++i) {
    policy.subscribed(now);
    now += 10ms;
    policy.next_delay(now, rng);
  }
  EXPECT_EQ(policy.ceiling(), 800ms);
}

TEST(ReconnectPolicy, AMessageProvesTheSessionHealthy) {
  ReconnectPolicy policy(100ms, 800ms);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 3; ++i) policy.next_delay(policy_t0, rng);
  policy.subscribed(policy_t0);
  policy.message_received();
  EXPECT_LE(policy.next_delay(policy_t0 + 1ms, rng), 100ms);
  EXPECT_EQ(policy.ceiling(), 200ms);
}

TEST(ReconnectPolicy, AQuietSessionIsHealthyAfterAMinute) {
  ReconnectPolicy policy(100ms, 800ms);
  std::mt19937_64 rng(4);
  for (int i = 0; i < 3; ++i) policy.next_delay(policy_t0, rng);
  policy.subscribed(policy_t0);
  policy.next_delay(policy_t0 + ReconnectPolicy::kHealthyAfter - 1ms, rng);  // just short of it
  EXPECT_EQ(policy.ceiling(), 800ms);
  policy.subscribed(policy_t0 + 1min);
  policy.next_delay(policy_t0 + 2min, rng);
  EXPECT_EQ(policy.ceiling(), 200ms);
}

TEST(ReconnectPolicy, AMessageCountsOnlyForItsOwnSession) {
  ReconnectPolicy policy(100ms, 800ms);
  std::mt19937_64 rng(5);
  policy.subscribed(policy_t0);
  policy.message_received();
  policy.next_delay(policy_t0 + 1ms, rng);
  EXPECT_EQ(policy.ceiling(), 200ms);
  policy.subscribed(policy_t0 + 1s);  // silent this time
  policy.next_delay(policy_t0 + 2s, rng);
  EXPECT_EQ(policy.ceiling(), 400ms);
  policy.next_delay(policy_t0 + 3s, rng);  // a failed attempt without a session
  EXPECT_EQ(policy.ceiling(), 800ms);
}

}  // namespace
}  // namespace sluice::source
