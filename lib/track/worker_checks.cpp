#include "track/worker_checks.hpp"

#include <cmath>

namespace sluice::track {

void DriftStreak::on_heartbeat(double drift_seconds, double threshold_seconds, Clock::time_point now) {
  last_drift_ = drift_seconds;
  if (std::abs(drift_seconds) <= threshold_seconds) {
    streak_ = 0;
    counted_at_.reset();
  } else if (!counted_at_ || now - *counted_at_ >= kMinSpacing) {
    ++streak_;
    counted_at_ = now;
  }
}

std::uint64_t ProcessedBalance::on_processed(long long processed) {
  if (!baseline_ || processed < previous_) {
    baseline_ = previous_ = processed;
    started_ = counted_ = 0;
    return 0;
  }
  // Settle the previous reading: its tasks had a whole interval to show up.
  const long long deficit = (previous_ - *baseline_) - started_;
  previous_ = processed;
  if (deficit <= counted_) return 0;
  const long long more = deficit - counted_;
  counted_ = deficit;
  return static_cast<std::uint64_t>(more);
}

void TaskEventSilence::forget_evidence() {
  broadcast_.reset();
  mark_.reset();
  grew_at_.reset();
}

void TaskEventSilence::restart(Clock::time_point now) {
  since_ = now;
  reached_ = false;
  forget_evidence();
}

void TaskEventSilence::on_task_event(Clock::time_point now) {
  since_ = now;
  forget_evidence();
}

void TaskEventSilence::on_reached(Clock::time_point now) {
  if (reached_) return;
  reached_ = true;
  forget_evidence();
  broadcast_ = now;  // what reached it was an enable_events
}

void TaskEventSilence::on_processed(long long processed, Clock::time_point now,
                                    std::optional<Clock::time_point> last_broadcast, const Rules& rules) {
  if (!mark_) {
    if (!rules.needs_broadcast) {
      mark_ = processed;
      return;
    }
    if (!broadcast_ && last_broadcast && *last_broadcast >= since_) broadcast_ = last_broadcast;
    if (broadcast_ && now - *broadcast_ >= kBroadcastSettle) mark_ = processed;
    return;
  }
  if (processed < *mark_) {  // restarted without a worker-online seen: a fresh window
    restart(now);
  } else if (processed > *mark_ && !grew_at_) {
    grew_at_ = now;
  }
}

TaskEventSilence::Finding TaskEventSilence::silent_while_working(Clock::time_point now, const Rules& rules) const {
  if (!grew_at_ || now - *grew_at_ < rules.lag || now - since_ < rules.window) return Finding::none;
  if (!rules.needs_broadcast) return Finding::events_off;
  return reached_ ? Finding::ignores_broadcast : Finding::never_reached;
}

}  // namespace sluice::track
