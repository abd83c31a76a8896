#pragma once
// ReconnectPolicy: how long the subscriber waits before its next connection
// attempt. The backoff grows with every failed attempt and with every
// session that ended before it proved healthy; it starts over only after a
// session that did — a message received, or `healthy_after` subscribed. A
// server that confirms the subscription and drops it at once is thus retried
// ever more slowly, up to the cap, not several times a second forever.
// Time and randomness are passed in.

#include <chrono>
#include <optional>
#include <random>

#include "common/backoff.hpp"
#include "common/duration.hpp"

namespace sluice::source {

class ReconnectPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Duration kHealthyAfter{60'000};

  ReconnectPolicy(Duration min, Duration max, Duration healthy_after = kHealthyAfter)
      : backoff_(min, max), healthy_after_(healthy_after) {}

  // The subscription is confirmed: a session starts.
  void subscribed(Clock::time_point now);
  // A message arrived in the current session.
  void message_received() { proven_ = true; }
  // The session or attempt has ended: the delay before the next attempt.
  Duration next_delay(Clock::time_point now, std::mt19937_64& rng);

  // The upper bound the next delay is drawn from, unless a healthy session
  // resets it first; and the one the last delay was drawn from (for logs).
  Duration ceiling() const { return backoff_.current_ceiling(); }
  Duration last_ceiling() const { return last_ceiling_; }

 private:
  Backoff backoff_;
  Duration healthy_after_;
  std::optional<Clock::time_point> session_start_;
  bool proven_ = false;
  Duration last_ceiling_{0};
};

}  // namespace sluice::source
