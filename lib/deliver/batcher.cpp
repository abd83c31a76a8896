#include "deliver/batcher.hpp"

#include "deliver/batch.hpp"

namespace sluice::deliver {

// bytes() counts one separator per event, the body one less: +1 fits both.
bool Batcher::full(const EncodedEvents& events) const {
  return events.size() >= limits_.max_events ||
         kBodyOpen.size() + kBodyClose.size() + events.bytes() >= limits_.max_bytes + 1;
}

Batcher::TimePoint Batcher::closes_at(const EncodedEvents& events) const {
  const TimePoint first = events.arrived(0);
  return full(events) ? first : first + limits_.flush_interval;
}

std::size_t Batcher::next_batch_size(const EncodedEvents& events) const {
  std::size_t count = 0;
  std::size_t bytes = body_size(0, 0);
  while (count < events.size() && count < limits_.max_events) {
    const std::size_t add = events.event(count).size() + (count > 0 ? 1 : 0);
    if (count > 0 && bytes + add > limits_.max_bytes) break;
    bytes += add;
    ++count;
  }
  return count;
}

}  // namespace sluice::deliver
