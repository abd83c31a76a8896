#pragma once
// Batcher: when the batch at the front of a queue of encoded events closes —
// at max_events, at max_bytes of uncompressed body, or flush_interval after
// its first event, whichever comes first — and which events it holds. Pure:
// the events carry arrival times, `now` is a parameter.

#include <chrono>
#include <cstddef>

#include "deliver/encoded_events.hpp"

namespace sluice::deliver {

struct BatchLimits {
  std::size_t max_events = 500;
  std::size_t max_bytes = 1024 * 1024;  // of the uncompressed body, wrapper included
  std::chrono::milliseconds flush_interval{1000};
};

class Batcher {
 public:
  using TimePoint = EncodedEvents::TimePoint;

  explicit Batcher(BatchLimits limits) : limits_(limits) {}

  // True when the events make at least one full batch (by count or bytes):
  // a backlog goes out back to back without waiting for the interval.
  bool full(const EncodedEvents& events) const;

  // When the front batch closes: its first event's arrival + flush_interval,
  // or that event's arrival when the batch is already full. Needs events.
  TimePoint closes_at(const EncodedEvents& events) const;

  bool due(const EncodedEvents& events, TimePoint now) const {
    return !events.empty() && (full(events) || now >= closes_at(events));
  }

  // Number of front events in the next batch: as many as fit both limits,
  // and always at least one (an event too big on its own is the caller's).
  std::size_t next_batch_size(const EncodedEvents& events) const;

  const BatchLimits& limits() const { return limits_; }

 private:
  BatchLimits limits_;
};

}  // namespace sluice::deliver
