#include "track/sent_events_check.hpp"

#include <algorithm>

namespace sluice::track {

void SentEventsCheck::on_sent() {
  run_.clear();
  complete_.reset();
}

// Distinct tasks: a retry or a requeued task is received again (§9.7).
// Once the run is complete nothing more is stored, so the cost is bounded.
void SentEventsCheck::on_received(std::string_view uuid, Clock::time_point now) {
  if (complete_ || uuid.empty()) return;
  if (std::find(run_.begin(), run_.end(), uuid) != run_.end()) return;
  run_.emplace_back(uuid);
  if (run_.size() >= needed_) complete_ = now;
}

bool SentEventsCheck::missing(Clock::time_point now, Clock::duration lag) const {
  return complete_ && now - *complete_ >= lag;
}

}  // namespace sluice::track
