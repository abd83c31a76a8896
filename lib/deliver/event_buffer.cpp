#include "deliver/event_buffer.hpp"

#include <algorithm>

namespace sluice::deliver {

EventBuffer::EventBuffer(std::size_t max_events) : max_events_(std::max<std::size_t>(max_events, 1)) {}

bool EventBuffer::push(std::string event, TimePoint arrived) {
  bool dropped = false;
  if (entries_.size() >= max_events_) {
    bytes_ -= entries_.front().event.size();
    entries_.pop_front();
    ++dropped_;
    dropped = true;
  }
  bytes_ += event.size();
  entries_.push_back(Entry{std::move(event), arrived});
  return dropped;
}

std::vector<std::string> EventBuffer::take_front(std::size_t n) {
  n = std::min(n, entries_.size());
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    bytes_ -= entries_.front().event.size();
    out.push_back(std::move(entries_.front().event));
    entries_.pop_front();
  }
  return out;
}

std::size_t EventBuffer::clear() {
  const std::size_t n = entries_.size();
  entries_.clear();
  bytes_ = 0;
  return n;
}

}  // namespace sluice::deliver
