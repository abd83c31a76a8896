#include "track/worker_state_hold.hpp"

namespace sluice::track {

void WorkerStateHold::reset(WorkerState state) {
  if (reading_ != reported_) ++coalesced_;  // the pending change will never go out
  reported_ = reading_ = state;
}

std::optional<WorkerState> WorkerStateHold::on_reading(WorkerState reading, Clock::time_point now,
                                                       const WorkerStateRules& rules) {
  if (reading != reading_) {
    if (reading_ != reported_) ++coalesced_;  // superseded before it was sent
    if (reading == reported_) {
      ++coalesced_;  // back where the API thinks the worker is: this change costs nothing either
    } else {
      reading_since_ = now;  // the hold starts over
    }
    reading_ = reading;
  }
  if (reading_ == reported_) return std::nullopt;
  const bool held = now - reading_since_ >= rules.hold;
  const bool spaced = !last_change_sent_ || now - *last_change_sent_ >= rules.min_interval;
  if (!held || !spaced) return std::nullopt;
  return reading_;
}

void WorkerStateHold::sent(WorkerState state, Clock::time_point now) {
  reported_ = reading_ = state;
  last_change_sent_ = now;
}

std::uint64_t WorkerStateHold::take_coalesced() {
  const std::uint64_t n = coalesced_;
  coalesced_ = 0;
  return n;
}

}  // namespace sluice::track
