#pragma once
// SentEventsCheck: do the producers send task-sent? Only clients with
// task_send_sent_event=True do (docs/celery-protocol.md §4.3); without it
// jobs have no `queued` state and no queue name. Evidence: a run of distinct
// tasks received by workers with no task-sent at all in between, the run
// complete for at least `lag` (task-sent comes from another process and
// may arrive after task-received, §4.4). Any task-sent ends the run, so a
// mix of producers with and without the setting stays silent.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "track/worker_tracker.hpp"

namespace sluice::track {

class SentEventsCheck {
 public:
  explicit SentEventsCheck(std::size_t tasks_needed = 20) : needed_(tasks_needed) {}

  void on_sent();
  void on_received(std::string_view uuid, Clock::time_point now);
  bool missing(Clock::time_point now, Clock::duration lag) const;
  std::size_t tasks_needed() const { return needed_; }

 private:
  std::size_t needed_;
  std::vector<std::string> run_;               // distinct tasks received since the last task-sent, up to needed_
  std::optional<Clock::time_point> complete_;  // when run_ reached needed_
};

}  // namespace sluice::track
