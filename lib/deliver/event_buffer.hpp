#pragma once
// EventBuffer: the bounded FIFO between tracking and delivery. push() is O(1)
// and never blocks; at the bound the oldest event is dropped and counted
// (docs/ingest-contract.md §2, Buffering). Not thread-safe: one io_context.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace sluice::deliver {

class EventBuffer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit EventBuffer(std::size_t max_events);

  // Appends one serialized event; true when the oldest one was dropped for it.
  bool push(std::string event, TimePoint arrived);

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::size_t max_events() const { return max_events_; }
  std::size_t bytes() const { return bytes_; }  // sum of the events' sizes
  std::uint64_t dropped_overflow() const { return dropped_; }

  const std::string& event(std::size_t i) const { return entries_[i].event; }
  TimePoint arrival(std::size_t i) const { return entries_[i].arrived; }

  // Removes and returns the first `n` events (fewer when fewer are held).
  std::vector<std::string> take_front(std::size_t n);
  // Empties the buffer; returns how many events it held.
  std::size_t clear();

 private:
  struct Entry {
    std::string event;
    TimePoint arrived;
  };
  std::deque<Entry> entries_;
  std::size_t max_events_;
  std::size_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace sluice::deliver
