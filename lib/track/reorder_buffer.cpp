#include "track/reorder_buffer.hpp"

#include <iterator>

namespace sluice::track {
namespace {

std::size_t text_bytes(const std::optional<std::string>& text) { return text ? text->size() : 0; }

// What a held copy costs, near enough: the value plus its heap text.
std::size_t approximate_bytes(const decode::CeleryEvent& e) {
  std::size_t bytes = sizeof e + e.type.size() + e.hostname.size() + e.uuid.size();
  for (const auto* text : {&e.name, &e.eta, &e.expires, &e.parent_id, &e.root_id, &e.queue, &e.exchange, &e.routing_key,
                           &e.exception, &e.traceback, &e.sw_ident, &e.sw_ver, &e.sw_sys}) {
    bytes += text_bytes(*text);
  }
  return bytes + (e.loadavg ? e.loadavg->size() * sizeof(double) : 0);
}

}  // namespace

HoldReason ReorderBuffer::reason(std::string_view uuid) const {
  if (groups_.empty()) return HoldReason::none;
  auto it = groups_.find(uuid);
  return it == groups_.end() ? HoldReason::none : it->second.reason;
}

bool ReorderBuffer::hold(const decode::CeleryEvent& event, HoldReason reason, Clock::time_point now, Events& evicted,
                         bool ahead) {
  const std::size_t bytes = approximate_bytes(event);
  if (bytes > max_bytes_) return false;
  while (!groups_.empty() && (held_events_ >= max_events_ || held_bytes_ + bytes > max_bytes_)) {
    evict_oldest(evicted);
  }
  auto it = groups_.find(event.uuid);
  if (it == groups_.end()) {
    it = groups_.emplace(event.uuid, Group{reason, now + window_, next_sequence_, 0, {}}).first;
    order_.emplace_back(next_sequence_++, event.uuid);
  }
  it->second.reason = reason;
  auto& events = it->second.events;
  events.insert(ahead ? events.begin() : events.end(), event);
  it->second.bytes += bytes;
  ++held_events_;
  held_bytes_ += bytes;
  return true;
}

ReorderBuffer::Events ReorderBuffer::release(std::string_view uuid) {
  auto it = groups_.find(uuid);
  if (it == groups_.end()) return {};
  Events events = take(it);
  drop_stale_front();
  return events;
}

bool ReorderBuffer::expire_one(Clock::time_point now, Events& expired, HoldReason& reason) {
  drop_stale_front();
  if (order_.empty()) return false;
  auto it = groups_.find(order_.front().second);
  if (it->second.deadline > now) return false;
  reason = it->second.reason;
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

ReorderBuffer::Events ReorderBuffer::take(
    std::unordered_map<std::string, Group, UuidHash, std::equal_to<>>::iterator it) {
  Events events = std::move(it->second.events);
  held_events_ -= events.size();
  held_bytes_ -= it->second.bytes;
  groups_.erase(it);
  return events;
}

void ReorderBuffer::evict_oldest(Events& evicted) {
  drop_stale_front();
  Events oldest = take(groups_.find(order_.front().second));
  evicted.insert(evicted.end(), std::make_move_iterator(oldest.begin()), std::make_move_iterator(oldest.end()));
  drop_stale_front();
}

void ReorderBuffer::drop_stale_front() {
  while (!order_.empty()) {
    auto it = groups_.find(order_.front().second);
    if (it != groups_.end() && it->second.sequence == order_.front().first) return;
    order_.pop_front();
  }
}

}  // namespace sluice::track
