#pragma once
// ReorderBuffer: task events held for a short window (default 250 ms,
// Settings::reorder_window; at most Settings::reorder_max_events and a byte
// budget, since a held event may carry a long traceback) until the
// event that gives them context arrives — the task's sent/received, its
// task-sent (for the queue), or the task-retried that precedes a new attempt
// (docs/celery-protocol.md §4.4). Events of one task stay in order; a task's events
// leave together.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/celery_event.hpp"
#include "track/job_tracker.hpp"
#include "track/worker_tracker.hpp"

namespace sluice::track {

class ReorderBuffer {
 public:
  using Events = std::vector<decode::CeleryEvent>;

  ReorderBuffer(std::chrono::milliseconds window, std::size_t max_events, std::size_t max_bytes)
      : window_(window), max_events_(max_events), max_bytes_(max_bytes) {}

  bool enabled() const { return window_.count() > 0 && max_events_ > 0 && max_bytes_ > 0; }
  // Why events of `uuid` are held, or HoldReason::none.
  HoldReason reason(std::string_view uuid) const;

  // Holds `event` behind the ones already held for its task (starting a new
  // group if none); the group now waits for `reason`, its window unchanged.
  // `ahead` puts it before them instead: context that arrived (a
  // task-received naming the task) goes out before the events it names.
  // To stay within the bounds the oldest groups are handed back in
  // `evicted`, to be applied as they are. False (nothing held) when the
  // event alone exceeds the byte budget.
  bool hold(const decode::CeleryEvent& event, HoldReason reason, Clock::time_point now, Events& evicted,
            bool ahead = false);
  // Takes every event held for `uuid`, in the order they were held.
  Events release(std::string_view uuid);
  // Takes the oldest group whose window has passed, and what it waited for;
  // false when none has.
  bool expire_one(Clock::time_point now, Events& expired, HoldReason& reason);

  std::optional<Clock::time_point> next_deadline() const;
  std::size_t held_events() const { return held_events_; }

 private:
  struct Group {
    HoldReason reason = HoldReason::none;
    Clock::time_point deadline{};
    std::uint64_t sequence = 0;
    std::size_t bytes = 0;
    Events events;
  };
  struct UuidHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view uuid) const { return std::hash<std::string_view>{}(uuid); }
  };

  Events take(std::unordered_map<std::string, Group, UuidHash, std::equal_to<>>::iterator it);
  void drop_stale_front();
  void evict_oldest(Events& evicted);

  std::chrono::milliseconds window_;
  std::size_t max_events_;
  std::size_t max_bytes_;
  std::size_t held_events_ = 0;
  std::size_t held_bytes_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::unordered_map<std::string, Group, UuidHash, std::equal_to<>> groups_;
  // Groups in the order they started (= deadline order, the window being
  // fixed); entries of released groups are skipped by their sequence.
  std::deque<std::pair<std::uint64_t, std::string>> order_;
};

}  // namespace sluice::track
