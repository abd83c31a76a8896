#include "source/link_status.hpp"

#include <gtest/gtest.h>

namespace sluice::source {
namespace {

using Note = LinkStatus::Note;
using namespace std::chrono_literals;
using redis::RedisError;

const SteadyClock::time_point status_t0{};
const RedisError refused{RedisError::Kind::connect, "refused"};
const RedisError reset{RedisError::Kind::closed, "closed"};

TEST(LinkStatus, StartsDisconnected) {
  LinkStatus s(status_t0);
  EXPECT_FALSE(s.state().connected);
  EXPECT_FALSE(s.state().subscribed);
  EXPECT_FALSE(s.state().ever_subscribed);
  EXPECT_DOUBLE_EQ(s.disconnected_seconds(status_t0 + 2s), 2.0);
}

TEST(LinkStatus, FirstSubscriptionThenLossThenResubscription) {
  LinkStatus s(status_t0);
  EXPECT_EQ(s.connected(status_t0 + 1s), Note::connected);
  EXPECT_EQ(s.subscribed(status_t0 + 1s), Note::subscribed);
  EXPECT_TRUE(s.state().subscribed);
  EXPECT_EQ(s.state().since, status_t0 + 1s);
  EXPECT_DOUBLE_EQ(s.disconnected_seconds(status_t0 + 10s), 1.0);

  EXPECT_EQ(s.lost(status_t0 + 10s, reset), Note::lost);
  EXPECT_FALSE(s.state().subscribed);
  EXPECT_TRUE(s.state().ever_subscribed);
  EXPECT_EQ(s.state().last_error, "closed");
  EXPECT_DOUBLE_EQ(s.disconnected_seconds(status_t0 + 13s), 4.0);

  EXPECT_EQ(s.subscribed(status_t0 + 14s), Note::resubscribed);
  EXPECT_EQ(s.state().reconnects, 1u);
  EXPECT_EQ(s.state().last_error, "");
  EXPECT_DOUBLE_EQ(s.disconnected_seconds(status_t0 + 100s), 5.0);
}

TEST(LinkStatus, FailedAttemptsLogOncePerOutageAndErrorKind) {
  LinkStatus s(status_t0);
  EXPECT_EQ(s.attempt_failed(status_t0 + 1s, refused), Note::unavailable);
  EXPECT_EQ(s.attempt_failed(status_t0 + 2s, refused), Note::quiet);
  EXPECT_EQ(s.attempt_failed(status_t0 + 3s, refused), Note::quiet);
  EXPECT_EQ(s.attempt_failed(status_t0 + 4s, RedisError{RedisError::Kind::auth, "WRONGPASS"}), Note::unavailable);
  EXPECT_EQ(s.state().failed_attempts, 4u);
  EXPECT_EQ(s.state().last_error, "WRONGPASS");
  EXPECT_EQ(s.subscribed(status_t0 + 5s), Note::subscribed);
  EXPECT_EQ(s.lost(status_t0 + 6s, reset), Note::lost);
  EXPECT_EQ(s.attempt_failed(status_t0 + 7s, refused), Note::unavailable);  // a new outage is reported again
}

TEST(LinkStatus, SinceMarksTheLastSubscriptionChange) {
  LinkStatus s(status_t0);
  s.subscribed(status_t0 + 1s);
  s.lost(status_t0 + 5s, reset);
  s.attempt_failed(status_t0 + 6s, refused);
  EXPECT_EQ(s.state().since, status_t0 + 5s);
}

}  // namespace
}  // namespace sluice::source
