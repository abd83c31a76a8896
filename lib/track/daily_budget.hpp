#pragma once
// DailyBudget (SLUICE_DAILY_EVENT_BUDGET): the events of the current UTC
// day, counted as they leave tracking. From 90 % of the budget on, only
// what a user cannot do without goes out — a job's final state
// (completed, failed, cancelled) and a worker coming online or going
// offline — and everything else (queued and active states, busy/idle,
// refreshes, queue snapshots) is held back, for the caller to count.
// Final states keep flowing past the budget: a job the dashboard never
// sees finish costs the user more than the events a 429 would refuse.
// Pure: the wall clock is a parameter.

#include <cstdint>

#include "track/ingest_event.hpp"

namespace sluice::track {

class DailyBudget {
 public:
  static constexpr std::uint64_t kNearPercent = 90;

  explicit DailyBudget(std::uint64_t budget);  // 0: off, everything goes

  // True: send it (and it counts); false: held back.
  bool admit(const IngestEvent& event, EpochMillis wall_now_ms);

  bool enabled() const { return budget_ != 0; }
  std::uint64_t today() const { return today_; }  // events sent this UTC day
  // The day's count has reached the point where low-priority events stop.
  bool near() const { return enabled() && today_ >= threshold_; }
  static bool essential(const IngestEvent& event);

 private:
  std::uint64_t budget_;
  std::uint64_t threshold_;
  std::int64_t day_ = -1;  // UTC days since the epoch
  std::uint64_t today_ = 0;
};

}  // namespace sluice::track
