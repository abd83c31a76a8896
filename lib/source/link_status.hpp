#pragma once
// LinkStatus: the subscriber's connection state as a pure state machine —
// what /health and /ready report, how long events could not be received,
// and which transitions deserve a log line (one per change, not one per
// reconnect attempt). Time is passed in.

#include <chrono>
#include <cstdint>
#include <string>

#include "redis/redis_error.hpp"

namespace sluice::source {

using SteadyClock = std::chrono::steady_clock;

struct SubscriberState {
  bool connected = false;        // a connection is up (after AUTH/SELECT)
  bool subscribed = false;       // PSUBSCRIBE confirmed on it: events flow
  bool ever_subscribed = false;  // confirmed at least once since start
  SteadyClock::time_point since{};  // when `subscribed` last changed (start: construction)
  std::uint64_t reconnects = 0;     // subscriptions regained after a loss
  std::uint64_t failed_attempts = 0;
  std::string last_error;  // why the last connection or attempt failed; "" once subscribed

  bool operator==(const SubscriberState&) const = default;
};

class LinkStatus {
 public:
  // What a transition means for the log.
  enum class Note {
    quiet,         // nothing new to say
    connected,     // debug: connection up
    subscribed,    // info: first subscription
    resubscribed,  // info: subscription regained after a loss
    lost,          // warn: an established connection ended
    unavailable,   // warn: attempts fail (said once, again only if the error kind changes)
  };

  explicit LinkStatus(SteadyClock::time_point now);

  Note connected(SteadyClock::time_point now);
  Note subscribed(SteadyClock::time_point now);
  Note lost(SteadyClock::time_point now, const redis::RedisError& error);
  Note attempt_failed(SteadyClock::time_point now, const redis::RedisError& error);

  const SubscriberState& state() const { return state_; }
  // Seconds without a confirmed subscription since construction, up to `now`.
  double disconnected_seconds(SteadyClock::time_point now) const;

 private:
  void unsubscribe(SteadyClock::time_point now);

  SubscriberState state_;
  SteadyClock::duration disconnected_before_{};  // closed intervals without a subscription
  bool failing_ = false;                         // an "unavailable" line was written for this outage
  redis::RedisError::Kind failing_kind_{};
};

}  // namespace sluice::source
