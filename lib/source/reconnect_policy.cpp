#include "source/reconnect_policy.hpp"

namespace sluice::source {

void ReconnectPolicy::subscribed(Clock::time_point now) {
  session_start_ = now;
  proven_ = false;
}

Duration ReconnectPolicy::next_delay(Clock::time_point now, std::mt19937_64& rng) {
  const bool healthy = session_start_ && (proven_ || now - *session_start_ >= healthy_after_);
  if (healthy) backoff_.reset();
  session_start_.reset();
  proven_ = false;
  last_ceiling_ = backoff_.current_ceiling();
  return backoff_.next(rng);
}

}  // namespace sluice::source
