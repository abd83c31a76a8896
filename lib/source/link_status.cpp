#include "source/link_status.hpp"

namespace sluice::source {

LinkStatus::LinkStatus(SteadyClock::time_point now) { state_.since = now; }

LinkStatus::Note LinkStatus::connected(SteadyClock::time_point) {
  state_.connected = true;
  return Note::connected;
}

LinkStatus::Note LinkStatus::subscribed(SteadyClock::time_point now) {
  const bool again = state_.ever_subscribed;
  if (!state_.subscribed) disconnected_before_ += now - state_.since;
  state_.connected = state_.subscribed = state_.ever_subscribed = true;
  state_.since = now;
  state_.last_error.clear();
  failing_ = false;
  if (again) ++state_.reconnects;
  return again ? Note::resubscribed : Note::subscribed;
}

void LinkStatus::unsubscribe(SteadyClock::time_point now) {
  if (state_.subscribed) state_.since = now;
  state_.connected = state_.subscribed = false;
}

LinkStatus::Note LinkStatus::lost(SteadyClock::time_point now, const redis::RedisError& error) {
  unsubscribe(now);
  state_.last_error = error.message;
  failing_ = false;  // the next failed attempt starts a new outage report
  return Note::lost;
}

LinkStatus::Note LinkStatus::attempt_failed(SteadyClock::time_point now, const redis::RedisError& error) {
  unsubscribe(now);
  ++state_.failed_attempts;
  state_.last_error = error.message;
  if (failing_ && failing_kind_ == error.kind) return Note::quiet;
  failing_ = true;
  failing_kind_ = error.kind;
  return Note::unavailable;
}

double LinkStatus::disconnected_seconds(SteadyClock::time_point now) const {
  auto total = disconnected_before_;
  if (!state_.subscribed) total += now - state_.since;
  return std::chrono::duration<double>(total).count();
}

}  // namespace sluice::source
