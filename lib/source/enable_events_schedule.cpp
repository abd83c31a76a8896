#include "source/enable_events_schedule.hpp"

#include <algorithm>

namespace sluice::source {

EnableEventsSchedule::EnableEventsSchedule(EnableEventsTiming timing, Clock::time_point now)
    : timing_(timing), fast_until_(now) {}

void EnableEventsSchedule::subscribed(Clock::time_point now) {
  fast_until_ = now + timing_.after_subscription;
  immediate_ = true;
  ++triggers_;
}

void EnableEventsSchedule::worker_appeared(std::string_view node, Clock::time_point now) {
  immediate_ = true;
  ++triggers_;
  if (auto it = by_node_.find(std::string(node)); it != by_node_.end()) remove(it->second);  // a restart
  if (line_.size() >= std::max<std::size_t>(timing_.max_pending, 1)) remove(line_.begin());
  if (line_.empty()) {  // growth is measured from the count before this worker appeared
    floor_ = receivers_;
    credited_ = 0;
  }
  line_.push_back(Pending{std::string(node), now, false});
  by_node_.emplace(line_.back().node, std::prev(line_.end()));
  ++unconfirmed_;
}

void EnableEventsSchedule::worker_has_events(std::string_view node) {
  if (line_.empty()) return;  // the common case costs nothing more
  auto it = by_node_.find(std::string(node));
  if (it == by_node_.end() || it->second->has_events) return;
  it->second->has_events = true;
  --unconfirmed_;
}

void EnableEventsSchedule::worker_left(std::string_view node) {
  if (line_.empty()) return;
  if (auto it = by_node_.find(std::string(node)); it != by_node_.end()) remove(it->second);
}

void EnableEventsSchedule::remove(Line::iterator it) {
  if (!it->has_events) --unconfirmed_;
  by_node_.erase(it->node);
  line_.erase(it);
  if (line_.empty()) {
    floor_.reset();
    credited_ = 0;
  }
}

std::vector<std::string> EnableEventsSchedule::published(Clock::time_point now, std::int64_t receivers) {
  last_sent_ = now;
  immediate_ = sending_ && *sending_ != triggers_;
  sending_.reset();
  receivers_ = receivers;
  std::vector<std::string> covered;
  if (line_.empty()) return covered;
  // Unknown before (no PUBLISH yet): this count may already include them, so
  // it is the floor; waiting for more growth errs on the side of broadcasting.
  if (!floor_) {
    floor_ = receivers;
    return covered;
  }
  // Fewer than expected: someone unsubscribed; measure growth from here.
  floor_ = std::min(*floor_, receivers - credited_);
  std::int64_t growth = receivers - *floor_ - credited_;
  while (growth > 0 && !line_.empty()) {
    covered.push_back(line_.front().node);
    ++credited_;
    --growth;
    remove(line_.begin());  // may reset floor_ and credited_ when the line empties
  }
  return covered;
}

std::vector<std::string> EnableEventsSchedule::expire(Clock::time_point now) {
  std::vector<std::string> unreached;
  while (!line_.empty() && now - line_.front().appeared >= timing_.give_up) {
    if (!line_.front().has_events) unreached.push_back(line_.front().node);
    remove(line_.begin());
  }
  return unreached;
}

Duration EnableEventsSchedule::interval_for(Clock::duration age) const {
  if (age < timing_.fast_phase) return timing_.fast;
  // Past the fast phase the beat slows with age: a worker whose subscription
  // is that late gets a few more chances, not a storm.
  const auto later = std::chrono::duration_cast<Duration>(age - timing_.fast_phase) / 2;
  return std::clamp(later, timing_.fast, std::max(timing_.fast, timing_.slow));
}

Duration EnableEventsSchedule::min_gap() const {
  Duration gap = timing_.fast;
  if (receivers_ && *receivers_ > 0 && timing_.max_deliveries_per_second > 0) {
    gap = std::max(gap, Duration(*receivers_ * 1000 / timing_.max_deliveries_per_second));
  }
  return std::min(gap, std::max(timing_.fast, timing_.slow));
}

EnableEventsSchedule::Clock::time_point EnableEventsSchedule::next_due() const {
  if (!last_sent_) return Clock::time_point::min();
  const Clock::time_point last = *last_sent_;
  Duration want = timing_.slow;
  if (immediate_) {
    want = Duration::zero();
  } else {
    if (last < fast_until_) want = std::min(want, timing_.fast);
    if (unconfirmed_ > 0) {  // the youngest unconfirmed worker asks for the shortest interval
      for (auto it = line_.rbegin(); it != line_.rend(); ++it) {
        if (it->has_events) continue;
        want = std::min(want, interval_for(last - it->appeared));
        break;
      }
    }
  }
  return last + std::max(want, min_gap());
}

}  // namespace sluice::source
