#include "track/reorder_buffer.hpp"

namespace sluice::track {

HoldReason ReorderBuffer::reason(std::string_view uuid) const {
  if (groups_.empty()) return HoldReason::none;
  auto it = groups_.find(uuid);
  return it == groups_.end() ? HoldReason::none : it->second.reason;
}

void ReorderBuffer::hold(const decode::CeleryEvent& event, HoldReason reason, Clock::time_point now,
                         Events& evicted) {
  if (held_events_ >= max_events_) {
    drop_stale_front();
    if (!order_.empty()) {
      evicted = take(groups_.find(order_.front().second));
      drop_stale_front();
    }
  }
  auto it = groups_.find(event.uuid);
  if (it == groups_.end()) {
    it = groups_.emplace(event.uuid, Group{reason, now + window_, next_sequence_, {}}).first;
    order_.emplace_back(next_sequence_++, event.uuid);
  }
  it->second.events.push_back(event);
  ++held_events_;
}

ReorderBuffer::Events ReorderBuffer::release(std::string_view uuid) {
  auto it = groups_.find(uuid);
  if (it == groups_.end()) return {};
  Events events = take(it);
  drop_stale_front();
  return events;
}

bool ReorderBuffer::expire_one(Clock::time_point now, Events& expired) {
  drop_stale_front();
  if (order_.empty()) return false;
  auto it = groups_.find(order_.front().second);
  if (it->second.deadline > now) return false;
  expired = take(it);
  drop_stale_front();
  return true;
}

std::optional<Clock::time_point> ReorderBuffer::next_deadline() const {
  for (const auto& [sequence, uuid] : order_) {
    auto it = groups_.find(uuid);
    if (it != groups_.end() && it->second.sequence == sequence) return it->second.deadline;
  }
  return std::nullopt;
}

ReorderBuffer::Events ReorderBuffer::take(std::unordered_map<std::string, Group, UuidHash, std::equal_to<>>::iterator it) {
  Events events = std::move(it->second.events);
  held_events_ -= events.size();
  groups_.erase(it);
  return events;
}

void ReorderBuffer::drop_stale_front() {
  while (!order_.empty()) {
    auto it = groups_.find(order_.front().second);
    if (it != groups_.end() && it->second.sequence == order_.front().first) return;
    order_.pop_front();
  }
}

}  // namespace sluice::track
