#include "deliver/batcher.hpp"

#include "deliver/batch.hpp"

namespace sluice::deliver {

bool Batcher::full(const EventBuffer& buffer) const {
  return buffer.size() >= limits_.max_events || body_size(buffer.size(), buffer.bytes()) >= limits_.max_bytes;
}

Batcher::TimePoint Batcher::closes_at(const EventBuffer& buffer) const {
  const TimePoint first = buffer.arrival(0);
  return full(buffer) ? first : first + limits_.flush_interval;
}

std::size_t Batcher::next_batch_size(const EventBuffer& buffer) const {
  std::size_t count = 0;
  std::size_t bytes = body_size(0, 0);
  while (count < buffer.size() && count < limits_.max_events) {
    const std::size_t add = buffer.event(count).size() + (count > 0 ? 1 : 0);
    if (count > 0 && bytes + add > limits_.max_bytes) break;
    bytes += add;
    ++count;
  }
  return count;
}

}  // namespace sluice::deliver
