#pragma once
// Batcher: when the batch at the front of the buffer closes — at
// batch_max_events, at batch_max_bytes of uncompressed body, or
// flush_interval after its first event, whichever comes first — and which
// events it holds. Pure: the buffer carries arrival times, `now` is a parameter.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "deliver/event_buffer.hpp"

namespace sluice::deliver {

struct BatchLimits {
  std::size_t max_events = 500;
  std::size_t max_bytes = 1024 * 1024;  // of the uncompressed body, wrapper included
  std::chrono::milliseconds flush_interval{1000};
};

class Batcher {
 public:
  using TimePoint = EventBuffer::TimePoint;

  explicit Batcher(BatchLimits limits) : limits_(limits) {}

  // True when the buffer holds at least one full batch (by count or bytes):
  // a backlog goes out back to back without waiting for the interval.
  bool full(const EventBuffer& buffer) const;

  // When the front batch closes: its first event's arrival + flush_interval,
  // or that event's arrival when the batch is already full. Needs events.
  TimePoint closes_at(const EventBuffer& buffer) const;

  bool due(const EventBuffer& buffer, TimePoint now) const {
    return !buffer.empty() && (full(buffer) || now >= closes_at(buffer));
  }

  // Number of front events in the next batch: as many as fit both limits,
  // and always at least one (an event too big on its own is the caller's).
  std::size_t next_batch_size(const EventBuffer& buffer) const;

  const BatchLimits& limits() const { return limits_; }

 private:
  BatchLimits limits_;
};

}  // namespace sluice::deliver
